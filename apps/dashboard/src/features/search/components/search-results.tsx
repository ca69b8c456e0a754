import type { DeviceItemAnswer, DeviceSearchResult, SearchResult } from '@repo/schemas';
import { Money } from '../../../components/money';
import { ModeBadge } from '../../checkout/components/mode-badge';
import { INSTALL_STATUS_LABELS } from '../../installs/components/install-status';
import { PurchaseStatusBadge } from '../../purchases/components/purchase-status';
import { RESULT_KIND_LABELS } from '../result-links';

const MATCH_NOTES: Partial<Record<SearchResult['matchedOn'], string>> = {
  stripe_checkout_session: 'Found by its Stripe Checkout Session',
  stripe_payment_intent: 'Found by its Stripe payment intent',
};

function Heading({ kind, title }: { kind: string; title: string }) {
  return (
    <span className="palette-option__heading">
      <span className="palette-option__kind">{kind}</span>{' '}
      <span className="palette-option__title">{title}</span>
    </span>
  );
}

/**
 * "Did this device buy that, and is it installed?", answered in words first, so that it reads
 * the same to everyone, and with a badge beside it.
 */
function Answer({ deviceId, answer }: { deviceId: string; answer: DeviceItemAnswer }) {
  const installed = answer.installedVersion
    ? `${answer.itemName} ${answer.installedVersion} is installed`
    : 'Not installed';
  let verdict: string;
  if (answer.owned && answer.purchase)
    verdict = `Yes: ${deviceId} owns ${answer.itemName} (purchase ${answer.purchase.id}, ${answer.purchase.mode} mode).`;
  else if (answer.purchase)
    verdict = `No: ${deviceId} bought ${answer.itemName}, then it was refunded (purchase ${answer.purchase.id}).`;
  else verdict = `No: ${deviceId} has not bought ${answer.itemName}.`;
  return (
    <span className={`palette-answer palette-answer--${answer.owned ? 'yes' : 'no'}`}>
      <span className={`badge ${answer.owned ? 'badge--ok' : 'badge--danger'}`} aria-hidden="true">
        {answer.owned ? 'Owned' : 'Not owned'}
      </span>{' '}
      <span className="palette-answer__verdict">{verdict}</span>{' '}
      <span className="palette-answer__installed">{installed}.</span>
    </span>
  );
}

function DeviceResult({ result }: { result: DeviceSearchResult }) {
  return (
    <>
      <Heading kind={RESULT_KIND_LABELS.device} title={result.title} />
      <span className="palette-option__subtitle">{result.subtitle}</span>
      {result.answer && <Answer deviceId={result.id} answer={result.answer} />}
      <span className="palette-option__owned">
        {result.ownership.length === 0 ? (
          'No purchases yet.'
        ) : (
          <>
            <span>Bought: </span>
            {result.ownership.map((line) => (
              <span key={`${line.itemId}-${line.mode}`} className="chip">
                {line.itemName} · {line.mode} · {line.status === 'active' ? 'active' : 'refunded'} ·{' '}
                {line.installedVersion ? `${line.installedVersion} installed` : 'not installed'}
              </span>
            ))}
          </>
        )}
      </span>
    </>
  );
}

/** What one search result says in the list: its kind, its title and what matters about it. */
export function SearchResultContent({ result }: { result: SearchResult }) {
  if (result.kind === 'device') return <DeviceResult result={result} />;
  const note = MATCH_NOTES[result.matchedOn];
  return (
    <>
      <Heading kind={RESULT_KIND_LABELS[result.kind]} title={result.title} />
      <span className="palette-option__subtitle">{result.subtitle}</span>
      <span className="palette-option__facts">
        {result.kind === 'purchase' && (
          <>
            <PurchaseStatusBadge status={result.status} /> <ModeBadge mode={result.mode} />{' '}
            <Money value={result.price} />
          </>
        )}
        {result.kind === 'checkout_session' && (
          <>
            <ModeBadge mode={result.mode} /> {result.status} · payment{' '}
            {result.paymentStatus.replaceAll('_', ' ')} · <Money value={result.total} />
          </>
        )}
        {result.kind === 'item' && (
          <>
            <Money value={result.price} /> · {result.listed ? 'listed' : 'not listed'}
          </>
        )}
        {result.kind === 'install_job' && (
          <>
            {INSTALL_STATUS_LABELS[result.status]} · attempt {result.attempt}
          </>
        )}
        {result.kind === 'api_key' && (
          <>
            <ModeBadge mode={result.mode} /> <span className="mono">{result.prefix}…</span>
            {result.revokedAt ? ' · revoked' : ''}
          </>
        )}
        {note && <span className="muted"> · {note}</span>}
      </span>
    </>
  );
}

/** The purchase that answers a device-and-item query, offered as a result of its own. */
export function AnswerPurchaseContent({
  deviceId,
  answer,
}: {
  deviceId: string;
  answer: DeviceItemAnswer & { purchase: NonNullable<DeviceItemAnswer['purchase']> };
}) {
  return (
    <>
      <Heading kind={RESULT_KIND_LABELS.purchase} title={`${answer.itemName} for ${deviceId}`} />
      <span className="palette-option__subtitle mono">{answer.purchase.id}</span>
      <span className="palette-option__facts">
        <PurchaseStatusBadge status={answer.purchase.status} />{' '}
        <ModeBadge mode={answer.purchase.mode} />
      </span>
    </>
  );
}
