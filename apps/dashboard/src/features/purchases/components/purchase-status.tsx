import type { PurchaseStatus } from '@repo/schemas';

/** Status in words as well as colour. */
export function PurchaseStatusBadge({ status }: { status: PurchaseStatus }) {
  return status === 'active' ? (
    <span className="badge badge--ok">Active</span>
  ) : (
    <span className="badge badge--danger">Refunded</span>
  );
}
