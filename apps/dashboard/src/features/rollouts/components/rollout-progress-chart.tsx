import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { RolloutDetail } from '@repo/schemas';
import { ChartFigure, legendText } from '../../../components/chart-figure';
import { formatCount } from '../../../lib/format';
import {
  DEVICE_STATE_COLOURS,
  DEVICE_STATE_LABELS,
  DEVICE_STATES,
  describePhasePlan,
} from '../labels';

const phaseName = (phase: number) => `Phase ${phase + 1}`;

/** One sentence per phase, for the summary everyone reads and the chart's text alternative. */
function summaryOf(rollout: RolloutDetail): string {
  const started = rollout.progress.filter((p) => p.phase <= rollout.currentPhase);
  if (started.length === 0) return 'No phase has started yet.';
  return started
    .map((p) => {
      const { succeeded, failed, active, waiting } = p.counts;
      const extra = [
        failed > 0 && `${formatCount(failed)} failed`,
        active > 0 && `${formatCount(active)} installing`,
        waiting > 0 && `${formatCount(waiting)} waiting`,
      ].filter(Boolean);
      return `${phaseName(p.phase)}: ${formatCount(succeeded)} of ${formatCount(p.devices)} installed${extra.length ? ` (${extra.join(', ')})` : ''}.`;
    })
    .join(' ');
}

/**
 * Each phase's devices stacked by state, redrawn as the page refreshes. Without animation: a
 * chart that moves every two seconds is hard to read.
 */
export function RolloutProgressChart({ rollout }: { rollout: RolloutDetail }) {
  const points = rollout.progress.map((p) => ({ name: phaseName(p.phase), ...p.counts }));
  const used = DEVICE_STATES.filter((state) => rollout.progress.some((p) => p.counts[state] > 0));
  return (
    <ChartFigure
      title="Progress by phase"
      summary={summaryOf(rollout)}
      table={
        <table className="table">
          <caption>Devices of each phase, by state.</caption>
          <thead>
            <tr>
              <th scope="col">Phase</th>
              <th scope="col">Planned up to</th>
              {DEVICE_STATES.map((state) => (
                <th key={state} scope="col">
                  {DEVICE_STATE_LABELS[state]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rollout.progress.map((p) => (
              <tr key={p.phase}>
                <th scope="row">
                  {phaseName(p.phase)}
                  {p.phase === rollout.currentPhase && rollout.status !== 'completed'
                    ? ' (current)'
                    : ''}
                </th>
                <td>{describePhasePlan(p.plan)}</td>
                {DEVICE_STATES.map((state) => (
                  <td key={state}>{formatCount(p.counts[state])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <BarChart data={points} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" />
        <YAxis allowDecimals={false} width={40} />
        <Tooltip />
        <Legend formatter={legendText} />
        {(used.length > 0 ? used : DEVICE_STATES.slice(0, 1)).map((state) => (
          <Bar
            key={state}
            dataKey={state}
            name={DEVICE_STATE_LABELS[state]}
            stackId="devices"
            fill={DEVICE_STATE_COLOURS[state]}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ChartFigure>
  );
}
