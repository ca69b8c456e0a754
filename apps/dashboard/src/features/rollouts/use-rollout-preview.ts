import { useQuery } from '@tanstack/react-query';
import type { RolloutPreviewRequest } from '@repo/schemas';
import { useSettledValue } from '../../lib/use-settled-value';
import { rolloutPreviewQueryOptions } from './api/queries';

const NOTHING: RolloutPreviewRequest = {
  releaseId: '',
  mode: 'test',
  target: { kind: 'entitled' },
};

/** The server's preview of a rollout as it stands, asked again once edits pause. */
export function useRolloutPreview(request: RolloutPreviewRequest | null) {
  const { settled, settling } = useSettledValue(request);
  const preview = useQuery({
    ...rolloutPreviewQueryOptions(settled ?? NOTHING),
    enabled: settled !== null,
  });
  return { preview, updating: preview.isFetching || settling };
}
