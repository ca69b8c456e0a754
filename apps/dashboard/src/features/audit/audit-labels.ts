import type { AuditActor, AuditEntry } from '@repo/schemas';

/** What each action is called on screen; an action the dashboard does not know shows as it is. */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'api_key.create': 'API key created',
  'api_key.revoke': 'API key revoked',
  'auth.login': 'Signed in',
  'auth.logout': 'Signed out',
  'checkout.cancel': 'Checkout cancelled',
  'checkout.create': 'Checkout created',
  'checkout.fulfill': 'Payment confirmed, purchases recorded',
  'install.cancel': 'Install cancelled',
  'install.queue': 'Install queued',
  'install.retry': 'Install retried',
  'payment_link.create': 'Payment link created',
  'payment_link.deactivate': 'Payment link deactivated',
  'purchase.refund': 'Purchase refunded',
  'webhook_delivery.resend': 'Webhook delivery resent',
  'webhook_endpoint.create': 'Webhook endpoint added',
  'webhook_endpoint.disable': 'Webhook endpoint disabled',
};

export const AUDIT_OBJECT_TYPE_LABELS: Record<string, string> = {
  api_key: 'API key',
  checkout_session: 'Checkout',
  install_job: 'Install',
  payment_link: 'Payment link',
  purchase: 'Purchase',
  user: 'User',
  webhook_delivery: 'Webhook delivery',
  webhook_endpoint: 'Webhook endpoint',
};

/** Who acted, in words: an email, an API key by name, a payment link, or the marketplace itself. */
export function actorLabel(actor: AuditActor): string {
  switch (actor.type) {
    case 'user':
      return actor.email;
    case 'api_key':
      return `API key ${actor.name ? `“${actor.name}”` : actor.apiKeyId}`;
    case 'payment_link':
      return `Payment link ${actor.paymentLinkId}`;
    case 'system':
      return 'System';
  }
}

const segment = encodeURIComponent;

/**
 * The page of the object an entry is about, where the dashboard has one. An install job has no
 * page of its own: its device's page holds its history.
 */
export function objectPath(entry: AuditEntry): string | null {
  const { objectType, objectId, details } = entry;
  if (!objectId) return null;
  switch (objectType) {
    case 'purchase':
      return `/purchases/${segment(objectId)}`;
    case 'checkout_session':
      return `/checkout/${segment(objectId)}`;
    case 'install_job': {
      const deviceId =
        details && typeof details === 'object' && !Array.isArray(details)
          ? details.deviceId
          : undefined;
      return typeof deviceId === 'string' ? `/devices/${segment(deviceId)}` : null;
    }
    case 'api_key':
      return '/developers/api-keys';
    case 'payment_link':
      return '/developers/payment-links';
    case 'webhook_endpoint':
      return `/developers/webhooks/${segment(objectId)}`;
    default:
      return null;
  }
}
