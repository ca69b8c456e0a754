import { Link } from 'react-router';
import type { Purchase } from '@repo/schemas';
import { Money } from '../../../components/money';
import { formatDateTime } from '../../../lib/format';
import { ModeBadge } from '../../checkout/components/mode-badge';
import { PurchaseStatusBadge } from './purchase-status';

export function PurchasesTable({ purchases }: { purchases: Purchase[] }) {
  return (
    <div className="table-wrap" tabIndex={0}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Bought</th>
            <th scope="col">Device ID</th>
            <th scope="col">Product</th>
            <th scope="col">Amount</th>
            <th scope="col">Mode</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {purchases.map((purchase) => (
            <tr
              key={purchase.id}
              className={purchase.mode === 'test' ? 'row--test' : undefined}
              data-mode={purchase.mode}
            >
              <td>{formatDateTime(purchase.createdAt)}</td>
              <td className="mono">{purchase.deviceId}</td>
              <td>
                <Link
                  to={`/purchases/${purchase.id}`}
                  aria-label={`${purchase.itemName} for ${purchase.deviceId}, ${formatDateTime(purchase.createdAt)}`}
                >
                  {purchase.itemName}
                </Link>
              </td>
              <td>
                <Money value={purchase.price} />
              </td>
              <td>
                <ModeBadge mode={purchase.mode} />
              </td>
              <td>
                <PurchaseStatusBadge status={purchase.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
