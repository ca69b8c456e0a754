import { useQuery } from '@tanstack/react-query';
import { releasesQueryOptions } from './api/queries';

/** An item's name from the releases the organisation can install; its id until they load. */
export function useItemName(): (itemId: string) => string {
  const releases = useQuery(releasesQueryOptions());
  const names = new Map((releases.data?.items ?? []).map((r) => [r.itemId, r.itemName]));
  return (itemId) => names.get(itemId) ?? itemId;
}
