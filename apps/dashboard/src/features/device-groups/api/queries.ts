import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { DeviceGroupFilter } from '@repo/schemas';
import { api } from '../../../lib/api';

export const deviceGroupKeys = {
  all: ['device-groups'] as const,
  lists: () => [...deviceGroupKeys.all, 'list'] as const,
  list: (q: string | undefined) => [...deviceGroupKeys.lists(), { q }] as const,
  /** Every group at once, for the selects that choose one. */
  choices: () => [...deviceGroupKeys.all, 'choices'] as const,
  details: () => [...deviceGroupKeys.all, 'detail'] as const,
  detail: (groupId: string) => [...deviceGroupKeys.details(), groupId] as const,
  previews: () => [...deviceGroupKeys.all, 'preview'] as const,
  preview: (filter: DeviceGroupFilter) => [...deviceGroupKeys.previews(), filter] as const,
};

export const DEVICE_GROUPS_PAGE_SIZE = 25;
/** The most groups a select offers; an organisation with more finds them on the groups page. */
export const GROUP_CHOICES_LIMIT = 100;
export const GROUP_MEMBERS_PAGE_SIZE = 25;

export const deviceGroupsInfiniteQueryOptions = (q: string | undefined) =>
  infiniteQueryOptions({
    queryKey: deviceGroupKeys.list(q),
    queryFn: ({ pageParam, signal }) =>
      api.deviceGroups.list({ q, cursor: pageParam, limit: DEVICE_GROUPS_PAGE_SIZE }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
  });

export const deviceGroupChoicesQueryOptions = () =>
  queryOptions({
    queryKey: deviceGroupKeys.choices(),
    queryFn: ({ signal }) => api.deviceGroups.list({ limit: GROUP_CHOICES_LIMIT }, signal),
  });

/** The group with its members, a page at a time. */
export const deviceGroupQueryOptions = (groupId: string) =>
  infiniteQueryOptions({
    queryKey: deviceGroupKeys.detail(groupId),
    queryFn: ({ pageParam, signal }) =>
      api.deviceGroups.get(groupId, { cursor: pageParam, limit: GROUP_MEMBERS_PAGE_SIZE }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => lastPage.members.nextCursor ?? undefined,
  });

/** How many devices a filter matches now; the last count stays while the next one loads. */
export const deviceGroupPreviewQueryOptions = (filter: DeviceGroupFilter) =>
  queryOptions({
    queryKey: deviceGroupKeys.preview(filter),
    queryFn: ({ signal }) => api.deviceGroups.preview({ filter }, signal),
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });

/** A static group's device IDs, to edit the list; at most what one request lists. */
export const deviceGroupMemberIdsQueryOptions = (groupId: string) =>
  queryOptions({
    queryKey: [...deviceGroupKeys.detail(groupId), 'ids'] as const,
    queryFn: () => api.devices.ids({ groupId }),
  });
