import { rolloutPlanProblems } from '@repo/domain';
import type {
  CheckoutMode,
  CreateRolloutRequest,
  RolloutPhasePlanInput,
  RolloutPreviewRequest,
  RolloutTarget,
} from '@repo/schemas';
import { PHASE_PRESETS } from './components/phase-plan-editor';

/** Which devices a new rollout aims at: a static group, a saved filter (a dynamic group), or all. */
export type TargetChoice = 'group' | 'savedFilter' | 'entitled';

/** The New rollout form as it stands: numbers the person types stay text until they are read. */
export type RolloutDraft = {
  name: string;
  itemId: string;
  releaseId: string;
  mode: CheckoutMode;
  liveConfirmed: boolean;
  targetChoice: TargetChoice;
  groupId: string;
  phases: RolloutPhasePlanInput[];
  /** Per cent, as typed. */
  successPercent: string;
  errorPercent: string;
  windowOn: boolean;
  windowStart: number;
  windowEnd: number;
};

export const newRolloutDraft = (groupId = '', choice: TargetChoice = 'entitled'): RolloutDraft => ({
  name: '',
  itemId: '',
  releaseId: '',
  mode: 'test',
  liveConfirmed: false,
  targetChoice: groupId ? choice : 'entitled',
  groupId,
  phases: PHASE_PRESETS[0]!.phases,
  successPercent: '95',
  errorPercent: '10',
  windowOn: false,
  windowStart: 22,
  windowEnd: 4,
});

export type DraftProblems = {
  name?: string;
  release?: string;
  target?: string;
  phases: string[];
  successPercent?: string;
  errorPercent?: string;
  window?: string;
  live?: string;
};

function target(draft: RolloutDraft): RolloutTarget | null {
  if (draft.targetChoice === 'entitled') return { kind: 'entitled' };
  return draft.groupId ? { kind: 'group', groupId: draft.groupId } : null;
}

const percentOf = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/** The question for the preview, once the release and target are chosen and the phases make sense. */
export function previewRequestOf(draft: RolloutDraft): RolloutPreviewRequest | null {
  const aim = target(draft);
  if (!draft.releaseId || !aim) return null;
  if (rolloutPlanProblems(draft.phases, 1, 0).length > 0) return null;
  return { releaseId: draft.releaseId, mode: draft.mode, target: aim, phases: draft.phases };
}

/** The body to create the rollout with, or what is wrong, field by field, in words. */
export function createRequestOf(
  draft: RolloutDraft,
): { ok: true; body: CreateRolloutRequest } | { ok: false; problems: DraftProblems } {
  const success = percentOf(draft.successPercent);
  const error = percentOf(draft.errorPercent);
  const problems: DraftProblems = { phases: [] };
  if (!draft.name.trim()) problems.name = 'Give the rollout a name.';
  if (!draft.releaseId) problems.release = 'Choose the item and the release to roll out.';
  const aim = target(draft);
  if (!aim)
    problems.target =
      draft.targetChoice === 'group' ? 'Choose a device group.' : 'Choose a saved filter.';
  if (!(success > 0 && success <= 100))
    problems.successPercent = 'More than 0 % and at most 100 %.';
  if (!(error >= 0 && error < 100)) problems.errorPercent = 'At least 0 % and less than 100 %.';
  // The thresholds are checked above, in the words of their own fields.
  problems.phases = rolloutPlanProblems(draft.phases, 1, 0);
  if (draft.windowOn && draft.windowStart === draft.windowEnd)
    problems.window = 'Choose an end hour other than the start hour.';
  if (draft.mode === 'live' && !draft.liveConfirmed)
    problems.live = 'Confirm that this rollout installs on live devices.';
  const { phases, ...others } = problems;
  if (!aim || phases.length > 0 || Object.values(others).some(Boolean))
    return { ok: false, problems };
  return {
    ok: true,
    body: {
      name: draft.name.trim(),
      releaseId: draft.releaseId,
      mode: draft.mode,
      target: aim,
      phases: draft.phases,
      // Kept to a hundredth of a per cent, as the API does.
      successThreshold: Math.round(success * 100) / 10_000,
      errorThreshold: Math.round(error * 100) / 10_000,
      maintenanceWindow: draft.windowOn
        ? { startHour: draft.windowStart, endHour: draft.windowEnd }
        : null,
    },
  };
}
