import type { SearchResult, SearchResultKind } from '@repo/schemas';

export const RESULT_KIND_LABELS: Record<SearchResultKind, string> = {
  device: 'Device',
  purchase: 'Purchase',
  checkout_session: 'Checkout',
  item: 'Product',
  install_job: 'Install',
  api_key: 'API key',
};

const segment = encodeURIComponent;

/**
 * The page a result opens. An item opens its purchases, which is what support looks for; an
 * install job opens its device, whose page holds the job's history.
 */
export function resultPath(result: SearchResult): string {
  switch (result.kind) {
    case 'device':
      return `/devices/${segment(result.id)}`;
    case 'purchase':
      return `/purchases/${segment(result.id)}`;
    case 'checkout_session':
      return `/checkout/${segment(result.id)}`;
    case 'item':
      return `/purchases?itemId=${segment(result.id)}`;
    case 'install_job':
      return `/devices/${segment(result.deviceId)}`;
    case 'api_key':
      return '/developers/api-keys';
  }
}
