import { useState, type FormEvent } from 'react';
import type { CheckoutMode, PaymentLink } from '@repo/schemas';
import { parseDeviceIds } from '../../checkout/basket';
import { ModeBadge } from '../../checkout/components/mode-badge';
import { useCreatePaymentLink } from '../api/mutations';
import { CopyField } from './copy-field';
import { ErrorDetails } from '../../../components/error-details';

const EXPIRIES = [
  { days: 1, label: '1 day' },
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
];

/**
 * From the Store Preview: the basket's items, devices typed or taken from the basket, and an
 * expiry, as a link anyone can open to pay for exactly that.
 */
export function PaymentLinkForm({
  instanceId,
  itemIds,
  deviceIds,
  mode,
}: {
  instanceId: string;
  itemIds: string[];
  deviceIds: string[];
  mode: CheckoutMode;
}) {
  const create = useCreatePaymentLink();
  const [devices, setDevices] = useState(deviceIds.join('\n'));
  const [expiresInDays, setExpiresInDays] = useState(7);
  const [allowPromotionCodes, setAllowPromotionCodes] = useState(false);
  const [link, setLink] = useState<PaymentLink | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      {
        instanceId,
        itemIds,
        deviceIds: parseDeviceIds(devices),
        mode,
        expiresInDays,
        allowPromotionCodes,
      },
      { onSuccess: setLink },
    );
  };

  return (
    <section className="panel" aria-labelledby="payment-link-heading">
      <h2 id="payment-link-heading">
        Share this basket as a payment link <ModeBadge mode={mode} />
      </h2>
      <p className="small muted">
        Whoever opens the link can pay for these {itemIds.length} product(s) on these devices, once,
        until it expires. The basket is checked again when the link is opened.
      </p>
      <form className="form" onSubmit={submit}>
        <label className="field">
          <span>Device IDs for the link</span>
          <textarea
            rows={3}
            value={devices}
            onChange={(e) => setDevices(e.target.value)}
            placeholder="ACM-GW3-0002, ACM-GW3-0006"
            required
          />
        </label>
        <label className="field">
          <span>Link expires after</span>
          <select value={expiresInDays} onChange={(e) => setExpiresInDays(Number(e.target.value))}>
            {EXPIRIES.map((e) => (
              <option key={e.days} value={e.days}>
                {e.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field--inline">
          <input
            type="checkbox"
            checked={allowPromotionCodes}
            onChange={(e) => setAllowPromotionCodes(e.target.checked)}
          />{' '}
          Let the buyer enter a promotion code
        </label>
        <ErrorDetails error={create.error} title="The link was not created." />
        <button
          type="submit"
          className="button button--primary"
          disabled={create.isPending || parseDeviceIds(devices).length === 0}
        >
          {create.isPending ? 'Creating the link…' : 'Create payment link'}
        </button>
      </form>
      {link && (
        <div className="payment-link-created" role="status">
          <CopyField label="Payment link" value={link.url} />
          <p className="small">
            <a href={link.url} target="_blank" rel="noreferrer">
              Open the payment link
            </a>{' '}
            · expires {new Date(link.expiresAt).toUTCString()}
          </p>
        </div>
      )}
    </section>
  );
}
