import { useEffect, useMemo, useRef, useState } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { Link, redirect, useNavigate, useParams, type LoaderFunctionArgs } from 'react-router';
import { isApiError } from '@repo/api-client';
import { formatMoney } from '@repo/domain';
import type { CheckoutMode, CheckoutSession } from '@repo/schemas';
import { PageHeader } from '../../components/page-header';
import { ErrorState, Spinner } from '../../components/states';
import { meQueryOptions } from '../../features/auth/api/queries';
import { useCreateCheckoutSession } from '../../features/checkout/api/mutations';
import { basketValidationQueryOptions } from '../../features/checkout/api/queries';
import { useBasket } from '../../features/checkout/basket';
import {
  checkoutSessionFor,
  forgetIdempotencyKey,
  idempotencyKeyFor,
  rememberCheckoutSession,
} from '../../features/checkout/idempotency-keys';
import { useCheckoutMode } from '../../features/checkout/checkout-mode';
import { BasketReview } from '../../features/checkout/components/basket-review';
import { DevicePicker } from '../../features/checkout/components/device-picker';
import { ModeBadge } from '../../features/checkout/components/mode-badge';
import { ModeChooser } from '../../features/checkout/components/mode-chooser';
import { OrderSummary } from '../../features/checkout/components/order-summary';
import { marketplaceItemsQueryOptions } from '../../features/marketplaces/api/queries';
import { leaveFor } from '../../lib/navigation';
import { useDebouncedValue } from '../../lib/use-debounced-value';

export const handle = { title: 'Checkout' };

const MODE_SETTINGS = {
  live: ['STRIPE_SECRET_KEY_LIVE', 'STRIPE_WEBHOOK_SECRET_LIVE'],
  test: ['STRIPE_SECRET_KEY_TEST', 'STRIPE_WEBHOOK_SECRET_TEST'],
} as const;

/** The refusal of a mode without keys says exactly what whoever runs the server must set. */
function ModeNotConfigured({ mode, requestId }: { mode: CheckoutMode; requestId?: string }) {
  const [key, secret] = MODE_SETTINGS[mode];
  return (
    <div className="error-state" role="alert">
      <h3>{mode === 'live' ? 'Live' : 'Test'} payments are not set up</h3>
      <p>
        Whoever runs the server sets <code>{key}</code> and <code>{secret}</code> and restarts it.
        {mode === 'live' && ' Until then, pay in test mode.'}
      </p>
      {requestId && (
        <p className="muted">
          Request ID: <code>{requestId}</code>
        </p>
      )}
    </div>
  );
}

export const loader =
  (queryClient: QueryClient) =>
  async ({ params }: LoaderFunctionArgs) => {
    const me = await queryClient.ensureQueryData(meQueryOptions());
    // Only admins buy; the others have nothing to do here.
    if (me.user.role !== 'admin') throw redirect(`/marketplaces/${params.instanceId}/preview`);
    await queryClient.prefetchQuery(marketplaceItemsQueryOptions(params.instanceId!, true));
    return null;
  };

type Progress = { step: 'created' | 'redirecting'; session: CheckoutSession } | null;

export function Component() {
  const instanceId = useParams().instanceId!;
  const navigate = useNavigate();
  const basket = useBasket(instanceId);
  const [mode, setMode] = useCheckoutMode();
  const [liveConfirmed, setLiveConfirmed] = useState(false);
  const [allowPromotionCodes, setAllowPromotionCodes] = useState(false);
  const items = useQuery(marketplaceItemsQueryOptions(instanceId, true));
  const create = useCreateCheckoutSession();
  const [progress, setProgress] = useState<Progress>(null);

  const request = useMemo(
    () => ({ instanceId, itemIds: basket.itemIds, deviceIds: basket.deviceIds, mode }),
    [instanceId, basket.itemIds, basket.deviceIds, mode],
  );
  // Only sent when asked for, so that the basket alone keys the session as before.
  const createBody = useMemo(
    () => (allowPromotionCodes ? { ...request, allowPromotionCodes: true } : request),
    [request, allowPromotionCodes],
  );
  // Back from Stripe without paying, this tab's own open checkout holds the basket's devices.
  // Read when the basket changes or the page comes back, not while leaving for Stripe.
  const [shownAt, setShownAt] = useState(() => Date.now());
  const ownCheckoutSessionId = useMemo(
    () => checkoutSessionFor(JSON.stringify(createBody)),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- sessionStorage is outside React: shownAt says when to read it again
    [createBody, shownAt],
  );
  const validationRequest = useMemo(
    () => (ownCheckoutSessionId ? { ...request, ownCheckoutSessionId } : request),
    [request, ownCheckoutSessionId],
  );
  const checked = useDebouncedValue(validationRequest, 250);
  const validation = useQuery(basketValidationQueryOptions(checked));
  const upToDate =
    checked === validationRequest && !validation.isPlaceholderData && !validation.isFetching;
  const quote = upToDate ? validation.data?.quote : undefined;
  const ready = upToDate && validation.data?.valid === true && (mode === 'test' || liveConfirmed);

  const redirectTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    // Back from Stripe, the browser may show this page from its cache: offer to pay again.
    const onPageShow = (event: PageTransitionEvent) => {
      if (!event.persisted) return;
      setProgress(null);
      setShownAt(Date.now());
    };
    window.addEventListener('pageshow', onPageShow);
    return () => {
      window.removeEventListener('pageshow', onPageShow);
      clearTimeout(redirectTimer.current);
    };
  }, []);

  const pay = () => {
    const body = createBody;
    const content = JSON.stringify(body);
    const { key, reused } = idempotencyKeyFor(content);
    create.mutate(
      { body, idempotencyKey: key },
      {
        onSuccess: (session) => {
          if (reused && session.status !== 'open') {
            // That basket's earlier session has ended: start a new one.
            forgetIdempotencyKey(content);
            pay();
            return;
          }
          if (session.status === 'open') rememberCheckoutSession(content, session.id);
          if (!session.checkoutUrl) {
            navigate(`/checkout/${session.id}`);
            return;
          }
          setProgress({ step: 'created', session });
          // A beat to show the state, then off to the payment page.
          redirectTimer.current = setTimeout(() => {
            setProgress({ step: 'redirecting', session });
            leaveFor(session.checkoutUrl!);
          }, 400);
        },
      },
    );
  };

  return (
    <>
      <PageHeader
        title="Checkout"
        description={
          <>
            Choose the devices, check the order, and pay on Stripe's secure page.{' '}
            <ModeBadge mode={mode} />
          </>
        }
        actions={<Link to={`/marketplaces/${instanceId}/preview`}>Back to the Store Preview</Link>}
      />
      <div className="checkout-grid">
        <section aria-labelledby="step-devices" className="panel">
          <h2 id="step-devices">1. Devices</h2>
          <DevicePicker
            selected={basket.deviceIds}
            onAdd={basket.addDevices}
            onRemove={basket.removeDevices}
            onAddTyped={basket.addTypedDevices}
          />
        </section>
        <div className="checkout-side">
          <section aria-labelledby="step-basket" className="panel">
            <h2 id="step-basket">
              2. Your basket <ModeBadge mode={mode} />
            </h2>
            <BasketReview
              items={items.data?.items ?? []}
              itemIds={basket.itemIds}
              deviceIds={basket.deviceIds}
              validation={upToDate ? validation.data : undefined}
              onRemoveItem={(id) => basket.removeItems([id])}
              onRemoveDeviceAt={basket.removeDeviceAt}
              onClearDevices={() => basket.removeDevices(basket.deviceIds)}
            />
            {validation.isError && (
              <ErrorState error={validation.error} onRetry={() => validation.refetch()} />
            )}
          </section>
          <section aria-labelledby="step-pay" className="panel">
            <h2 id="step-pay">
              3. Mode and payment <ModeBadge mode={mode} />
            </h2>
            <ModeChooser
              mode={mode}
              onModeChange={setMode}
              liveConfirmed={liveConfirmed}
              onLiveConfirmedChange={setLiveConfirmed}
            />
            <label className="field--inline">
              <input
                type="checkbox"
                checked={allowPromotionCodes}
                onChange={(e) => setAllowPromotionCodes(e.target.checked)}
              />{' '}
              Let me enter a promotion code on the payment page
            </label>
            {!upToDate && request.itemIds.length > 0 && request.deviceIds.length > 0 ? (
              <Spinner label="Checking the basket…" />
            ) : validation.data?.quote && upToDate ? (
              <OrderSummary quote={validation.data.quote} mode={mode} />
            ) : null}
            {create.isError &&
              (isApiError(create.error, 'MODE_NOT_CONFIGURED') ? (
                <ModeNotConfigured mode={mode} requestId={create.error.requestId} />
              ) : (
                <ErrorState title="The payment could not start" error={create.error} />
              ))}
            {isApiError(create.error, 'ALREADY_OWNED_OR_IN_CHECKOUT') && (
              <ul className="plain-list" aria-label="Already bought or being paid for">
                {create.error.details.map((detail) => (
                  <li key={`${detail.path}-${detail.itemId}`} className="basket-line">
                    <span className="small">{detail.message}</span>
                    {detail.checkoutSessionId && (
                      <Link
                        className="button button--small"
                        to={`/checkout/${detail.checkoutSessionId}`}
                      >
                        Open checkout {detail.checkoutSessionId}
                      </Link>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {progress ? (
              <p className="checkout-progress" role="status">
                {progress.step === 'created' ? 'Session created' : 'Redirecting to Stripe…'}
              </p>
            ) : (
              <button
                type="button"
                className={`button button--primary button--large ${mode === 'live' ? 'button--live' : ''}`}
                disabled={!ready || create.isPending}
                onClick={pay}
              >
                {create.isPending
                  ? 'Creating the payment session…'
                  : quote?.total === 0
                    ? 'Get it for free'
                    : mode === 'live'
                      ? `Pay ${quote ? `${formatMoney(quote.total, quote.currency)} ` : ''}in live mode`
                      : 'Pay with Stripe (test mode)'}
              </button>
            )}
          </section>
        </div>
      </div>
    </>
  );
}
