import { useId } from 'react';
import { MAX_ROLLOUT_PHASES, type RolloutPhasePlanInput } from '@repo/schemas';

export const PHASE_PRESETS: { label: string; phases: RolloutPhasePlanInput[] }[] = [
  {
    label: '1 % · 10 % · 50 % · 100 %',
    phases: [1, 10, 50, 100].map((value) => ({ kind: 'percent', value })),
  },
  { label: '10 % · 100 %', phases: [10, 100].map((value) => ({ kind: 'percent', value })) },
  { label: 'All at once', phases: [{ kind: 'percent', value: 100 }] },
];

const LAST: RolloutPhasePlanInput = { kind: 'percent', value: 100 };
const samePlan = (a: RolloutPhasePlanInput[], b: RolloutPhasePlanInput[]) =>
  a.length === b.length && a.every((p, i) => p.kind === b[i]!.kind && p.value === b[i]!.value);

/**
 * Phases as a preset or one by one, each a share of all the rollout's devices or a number of
 * them, counted from the start. The last phase always takes every device that is left.
 */
export function PhasePlanEditor({
  phases,
  onChange,
  problems,
}: {
  phases: RolloutPhasePlanInput[];
  onChange: (phases: RolloutPhasePlanInput[]) => void;
  problems: string[];
}) {
  const id = useId();
  const preset = PHASE_PRESETS.find((p) => samePlan(p.phases, phases));
  const steps = phases.slice(0, -1);
  const setStep = (index: number, change: Partial<RolloutPhasePlanInput>) =>
    onChange([
      ...steps.map((step, i) => (i === index ? ({ ...step, ...change } as typeof step) : step)),
      LAST,
    ]);
  const addStep = () => {
    const previous = steps.at(-1);
    const next: RolloutPhasePlanInput =
      previous?.kind === 'count'
        ? { kind: 'count', value: previous.value * 2 }
        : { kind: 'percent', value: Math.min(99, (previous?.value ?? 0) + 10) };
    onChange([...steps, next, LAST]);
  };

  return (
    <fieldset
      className="phase-plan"
      aria-describedby={problems.length ? `${id}-problems` : undefined}
    >
      <legend>Phases</legend>
      <div className="segmented" role="group" aria-label="Phase presets">
        {PHASE_PRESETS.map((p) => (
          <button
            key={p.label}
            type="button"
            className="segmented__option"
            aria-pressed={preset === p}
            onClick={() => onChange(p.phases)}
          >
            {p.label}
          </button>
        ))}
      </div>
      <p className="small muted">
        Each phase reaches a share of all the rollout&apos;s devices, or a number of them, counted
        from the start. The next phase begins once enough of this one has installed.
      </p>
      <ol className="phase-plan__list">
        {steps.map((step, index) => (
          <li key={index} className="phase-plan__step">
            <span className="phase-plan__name">Phase {index + 1}: up to</span>
            <label className="field field--inline">
              <span className="visually-hidden">Phase {index + 1} size</span>
              <input
                type="number"
                inputMode="decimal"
                min={step.kind === 'percent' ? 0.01 : 1}
                max={step.kind === 'percent' ? 100 : undefined}
                step={step.kind === 'percent' ? 0.01 : 1}
                value={Number.isNaN(step.value) ? '' : step.value}
                onChange={(e) => setStep(index, { value: e.target.valueAsNumber })}
              />
            </label>
            <label className="field field--inline">
              <span className="visually-hidden">Phase {index + 1} counts</span>
              <select
                value={step.kind}
                onChange={(e) =>
                  setStep(index, { kind: e.target.value as RolloutPhasePlanInput['kind'] })
                }
              >
                <option value="percent">% of the devices</option>
                <option value="count">devices</option>
              </select>
            </label>
            <button
              type="button"
              className="button button--small button--ghost"
              onClick={() => onChange([...steps.filter((_, i) => i !== index), LAST])}
              aria-label={`Remove phase ${index + 1}`}
            >
              Remove
            </button>
          </li>
        ))}
        <li className="phase-plan__step">
          <span className="phase-plan__name">Phase {phases.length}: every device that is left</span>
        </li>
      </ol>
      {phases.length < MAX_ROLLOUT_PHASES && (
        <button type="button" className="button button--small" onClick={addStep}>
          Add a phase
        </button>
      )}
      {problems.length > 0 && (
        <ul id={`${id}-problems`} className="form-error plain-list">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
