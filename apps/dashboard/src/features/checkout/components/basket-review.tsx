import type { MarketplaceItem, ValidateDevicesResponse } from '@repo/schemas';
import { Link } from 'react-router';
import { Money } from '../../../components/money';

type Props = {
  items: MarketplaceItem[];
  itemIds: string[];
  deviceIds: string[];
  /** The check of exactly this basket, or undefined while it runs. */
  validation: ValidateDevicesResponse | undefined;
  onRemoveItem: (itemId: string) => void;
  onRemoveDeviceAt: (index: number) => void;
  onClearDevices: () => void;
};

const STATUS_LABEL: Record<string, string> = {
  invalid: 'Not an ID',
  duplicate: 'Duplicate',
  unknown: 'Unknown device',
  not_in_organisation: 'Not in your organisation',
  incompatible: 'Incompatible',
  already_entitled: 'Already owned',
  in_checkout: 'In another checkout',
};

/** Every product and device of the basket, each problem next to what it concerns, with a way out. */
export function BasketReview({
  items,
  itemIds,
  deviceIds,
  validation,
  onRemoveItem,
  onRemoveDeviceAt,
  onClearDevices,
}: Props) {
  const itemName = (id: string) => items.find((i) => i.id === id)?.name ?? id;
  const problems = (validation?.results ?? [])
    .map((result, index) => ({ ...result, index }))
    .filter((r) => r.status !== 'ok');
  const okCount = validation ? validation.results.length - problems.length : 0;

  return (
    <div className="basket-review">
      <h3>Products</h3>
      {itemIds.length === 0 ? (
        <p className="muted">No products yet: add some from the Store Preview.</p>
      ) : (
        <ul className="plain-list">
          {itemIds.map((itemId) => {
            const item = items.find((i) => i.id === itemId);
            const problem = validation?.items.find((r) => r.itemId === itemId && r.status !== 'ok');
            return (
              <li key={itemId} className="basket-line">
                <span>
                  <strong>{itemName(itemId)}</strong> {item && <Money value={item.price} />}{' '}
                  <span className="muted small">per device</span>
                </span>
                {problem && <span className="badge badge--danger">{problem.message}</span>}
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => onRemoveItem(itemId)}
                >
                  Remove {itemName(itemId)}
                </button>
              </li>
            );
          })}
        </ul>
      )}

      <h3>
        Devices <span className="muted">({deviceIds.length})</span>
      </h3>
      {deviceIds.length === 0 ? (
        <p className="muted">No devices yet: pick them from your fleet or type their IDs.</p>
      ) : (
        <>
          {problems.length > 0 && (
            <ul className="plain-list" aria-label="Devices with problems">
              {problems.map((p) => (
                <li key={`${p.index}-${p.input}`} className="basket-line basket-line--problem">
                  <span className="mono">{p.input || '(empty)'}</span>
                  <span className="badge badge--danger">{STATUS_LABEL[p.status] ?? p.status}</span>
                  <span className="small">{p.message}</span>
                  <span className="basket-line__actions">
                    <button
                      type="button"
                      className="button button--small"
                      onClick={() => onRemoveDeviceAt(p.index)}
                    >
                      Remove device {p.input}
                    </button>
                    {p.status === 'in_checkout' && p.checkoutSessionId && (
                      // Where that checkout can be paid or cancelled, which lets the device go.
                      <Link
                        className="button button--small"
                        to={`/checkout/${p.checkoutSessionId}`}
                      >
                        Open checkout {p.checkoutSessionId}
                      </Link>
                    )}
                    {p.status === 'incompatible' &&
                      p.itemIds.map((itemId) => (
                        <button
                          key={itemId}
                          type="button"
                          className="button button--small"
                          onClick={() => onRemoveItem(itemId)}
                        >
                          Remove {itemName(itemId)}
                        </button>
                      ))}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <details className="selected-devices">
            <summary>
              {validation
                ? `${okCount} device${okCount === 1 ? '' : 's'} ready`
                : `${deviceIds.length} selected`}{' '}
              — show all
            </summary>
            <ul className="chip-list">
              {deviceIds.map((id, index) => (
                <li key={`${index}-${id}`} className="chip chip--removable">
                  <span className="mono">{id}</span>
                  <button
                    type="button"
                    aria-label={`Remove ${id}`}
                    onClick={() => onRemoveDeviceAt(index)}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
            <button type="button" className="button button--small" onClick={onClearDevices}>
              Remove all devices
            </button>
          </details>
        </>
      )}
    </div>
  );
}
