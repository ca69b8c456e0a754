import { Link } from 'react-router';
import type { CheckoutMode } from '@repo/schemas';
import { ModeBadge } from './mode-badge';

/** Always in view on the Store Preview: what is picked, and the way on. */
export function BasketBar({
  instanceId,
  itemCount,
  deviceCount,
  mode,
}: {
  instanceId: string;
  itemCount: number;
  deviceCount: number;
  mode: CheckoutMode;
}) {
  return (
    <aside className="basket-bar" aria-label="Basket">
      <span>
        <strong>{itemCount}</strong> product{itemCount === 1 ? '' : 's'} ·{' '}
        <strong>{deviceCount}</strong> device
        {deviceCount === 1 ? '' : 's'}
      </span>
      <ModeBadge mode={mode} />
      {itemCount > 0 ? (
        <Link className="button button--primary" to={`/marketplaces/${instanceId}/checkout`}>
          Choose devices and pay
        </Link>
      ) : (
        <span className="muted">Add products to start a purchase.</span>
      )}
    </aside>
  );
}
