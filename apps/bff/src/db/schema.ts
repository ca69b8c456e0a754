import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Every table as the queries see it: camelCase names (the CamelCasePlugin maps them to the
 * snake_case columns), on SQLite and PostgreSQL alike. Declared by hand beside the migrations
 * that make them (migrations/), so that a query that names a missing column does not compile.
 *
 * Conventions, the same on both databases:
 * - Times are ISO-8601 UTC text with milliseconds (`2026-12-04T13:50:05.123Z`): fixed width, so
 *   they sort and compare as text, and the wire format needs no conversion.
 * - Booleans are 0 or 1, as SQLite has no boolean type; repos turn them into booleans and back.
 * - Money is an integer in minor units beside its currency.
 * - JSON is text, parsed by the repo that owns the column.
 */

type Mode = 'test' | 'live';
/** 0 or 1: neither database driver binds a boolean to an integer column the same way. */
type Flag = 0 | 1;
/** Ids that the database makes (append-only logs). */
type SerialId = Generated<number>;

export type SettingsTable = { key: string; value: string };

export type MarketplaceInstancesTable = {
  id: string;
  name: string;
  currency: string;
  platformFeeBps: number;
  createdAt: string;
};

export type OrganisationsTable = {
  id: string;
  slug: string;
  name: string;
  stripeConnectedAccount: string | null;
  createdAt: string;
};

export type OrganisationInstancesTable = { organisationId: string; instanceId: string };

export type UsersTable = {
  id: string;
  organisationId: string;
  /** Kept in lower case: emails are matched without regard to case. */
  email: string;
  passwordHash: string;
  role: 'admin' | 'support' | 'operator';
  createdAt: string;
};

export type MarketplaceItemsTable = {
  id: string;
  instanceId: string;
  organisationId: string;
  name: string;
  description: string;
  priceAmount: number;
  currency: string;
  listed: Flag;
  createdAt: string;
};

export type ItemCompatibleModelsTable = { itemId: string; model: string };

export type DevicesTable = {
  /** As printed on the device, in upper case (the device-ID rule in @repo/domain). */
  id: string;
  organisationId: string;
  name: string;
  model: string;
  firmwareVersion: string;
  tokenHash: string;
  lastSeenAt: string | null;
  createdAt: string;
  /** Test-mode entitlements are rolled out only to test devices. */
  isTestDevice: Generated<Flag>;
};

export type DeviceTagsTable = { deviceId: string; tag: string };

export type ReleasesTable = {
  id: string;
  itemId: string;
  version: string;
  minFirmware: string;
  publishedAt: string;
};

export type ReleaseCompatibleModelsTable = { releaseId: string; model: string };

export type HttpSessionsTable = {
  /** The SHA-256 of the session id, never the id itself. */
  sid: string;
  data: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
};

export type RateLimitsTable = {
  key: string;
  hits: number;
  /** Milliseconds since the epoch when the window ends. */
  resetAt: number;
};

export type AuditActorType = 'user' | 'api_key' | 'payment_link' | 'system';

export type AuditEntriesTable = {
  id: SerialId;
  organisationId: string | null;
  userId: string | null;
  /** Who acted; `actorId` is the user's, API key's or payment link's id, null for the system. */
  actorType: Generated<AuditActorType>;
  actorId: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  /** JSON, or null. */
  details: string | null;
  requestId: string | null;
  createdAt: string;
};

export type CheckoutSessionStatusColumn = 'open' | 'complete' | 'expired' | 'cancelled';
export type PaymentStatusColumn = 'unpaid' | 'paid' | 'no_payment_required';

export type CheckoutSessionsTable = {
  id: string;
  organisationId: string;
  instanceId: string;
  mode: Mode;
  status: CheckoutSessionStatusColumn;
  paymentStatus: PaymentStatusColumn;
  currency: string;
  amountSubtotal: number;
  platformFee: number;
  /** What was charged, after any discount. */
  amountTotal: number;
  amountDiscount: Generated<number>;
  /** What Stripe last reported refunded on the session's charge (cumulative). */
  amountRefunded: Generated<number>;
  successUrl: string;
  cancelUrl: string;
  expiresAt: string;
  idempotencyKey: string;
  requestHash: string;
  stripeSessionId: string | null;
  stripePaymentIntentId: string | null;
  stripePromotionCodeId: string | null;
  checkoutUrl: string | null;
  allowPromotionCodes: Flag;
  /** Where the session came from; the dashboard when both are null. */
  apiKeyId: string | null;
  paymentLinkId: string | null;
  createdBy: string;
  createdAt: string;
  fulfilledAt: string | null;
  paymentFailedAt: string | null;
};

export type CheckoutSessionLinesTable = {
  checkoutSessionId: string;
  itemId: string;
  deviceId: string;
  unitAmount: number;
};

export type CheckoutAttemptKindColumn =
  | 'created'
  | 'payment_failed'
  | 'payment_pending'
  | 'paid'
  | 'fulfilled'
  | 'expired'
  | 'cancelled'
  | 'refunded';

export type CheckoutAttemptsTable = {
  id: SerialId;
  checkoutSessionId: string;
  kind: CheckoutAttemptKindColumn;
  detail: string | null;
  stripeEventId: string | null;
  createdAt: string;
};

export type CheckoutHoldsTable = {
  organisationId: string;
  deviceId: string;
  itemId: string;
  mode: Mode;
  checkoutSessionId: string;
};

export type PurchasesTable = {
  id: string;
  organisationId: string;
  checkoutSessionId: string;
  deviceId: string;
  itemId: string;
  mode: Mode;
  /** What was paid for this purchase, after its share of any discount. */
  amount: number;
  amountDiscount: Generated<number>;
  currency: string;
  status: 'active' | 'refunded';
  createdAt: string;
  refundedAt: string | null;
};

/** How many purchases each organisation, UTC day, mode, status and item holds. */
export type PurchaseCountsTable = {
  organisationId: string;
  day: string;
  mode: Mode;
  status: 'active' | 'refunded';
  itemId: string;
  count: number;
};

/**
 * Per organisation, UTC day, mode, item and currency: the purchases made that day (and what they
 * were paid) and the refunds made that day (and what they gave back), whenever the purchase was.
 */
export type SalesDayTotalsTable = {
  organisationId: string;
  day: string;
  mode: Mode;
  itemId: string;
  currency: string;
  purchases: number;
  grossAmount: number;
  refunds: number;
  refundedAmount: number;
};

export type EntitlementsTable = {
  id: string;
  organisationId: string;
  deviceId: string;
  itemId: string;
  mode: Mode;
  purchaseId: string;
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt: string | null;
};

export type RefundsTable = {
  id: string;
  organisationId: string;
  purchaseId: string;
  amount: number;
  status: 'requested' | 'succeeded' | 'failed';
  stripeRefundId: string | null;
  stripeIdempotencyKey: string | null;
  /** Why a refund nobody asked for was made (a duplicate purchase). */
  reason: string | null;
  requestedBy: string | null;
  createdAt: string;
  completedAt: string | null;
};

export type WebhookEventsTable = {
  id: string;
  mode: Mode;
  type: string;
  receivedAt: string;
  processedAt: string | null;
  outcome: string;
  error: string | null;
};

export type InstallJobStatusColumn =
  'queued' | 'sent' | 'downloading' | 'installing' | 'succeeded' | 'failed' | 'cancelled';

export type InstallJobsTable = {
  id: string;
  organisationId: string;
  deviceId: string;
  itemId: string;
  releaseId: string;
  entitlementId: string;
  status: InstallJobStatusColumn;
  attempt: number;
  retryOf: string | null;
  progress: number | null;
  reason: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** The rollout that queued the job, if one did. */
  rolloutId: Generated<string | null>;
};

export type InstallJobEventsTable = {
  id: SerialId;
  jobId: string;
  /** The state the job moved to: only the state machine's statuses are written here. */
  status: InstallJobStatusColumn;
  progress: number | null;
  detail: string | null;
  actor: string;
  createdAt: string;
};

export type DeviceInstallationsTable = {
  deviceId: string;
  itemId: string;
  releaseId: string;
  version: string;
  installJobId: string;
  installedAt: string;
};

export type ApiKeysTable = {
  id: string;
  organisationId: string;
  mode: Mode;
  name: string;
  keyPrefix: string;
  keyHash: string;
  /** JSON array of origins that success and cancel URLs may use. */
  allowedOrigins: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
};

export type PaymentLinksTable = {
  id: string;
  organisationId: string;
  instanceId: string;
  mode: Mode;
  tokenHash: string;
  /** The token sealed with the secrets key, only so that the dashboard can show the link again. */
  tokenSealed: string;
  /** JSON arrays. */
  itemIds: string;
  deviceIds: string;
  allowPromotionCodes: Flag;
  maxUses: number;
  expiresAt: string;
  createdBy: string;
  createdAt: string;
  deactivatedAt: string | null;
};

export type WebhookEndpointsTable = {
  id: string;
  organisationId: string;
  mode: Mode;
  url: string;
  description: string | null;
  /** Sealed with the secrets key. */
  secret: string;
  createdBy: string;
  createdAt: string;
  disabledAt: string | null;
};

/** The events providers' endpoints may subscribe to (ProviderEventType in @repo/schemas). */
type ProviderEventTypeColumn =
  | 'purchase.activated'
  | 'purchase.refunded'
  | 'install.succeeded'
  | 'install.failed'
  | 'rollout.paused'
  | 'rollout.completed';

export type WebhookEndpointEventsTable = { endpointId: string; eventType: ProviderEventTypeColumn };

export type ProviderEventsTable = {
  id: string;
  organisationId: string;
  mode: Mode;
  type: ProviderEventTypeColumn;
  /** Exactly the JSON body every endpoint receives. */
  payload: string;
  createdAt: string;
};

export type WebhookDeliveriesTable = {
  id: string;
  organisationId: string;
  endpointId: string;
  eventId: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: Generated<number>;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
};

export type WebhookDeliveryAttemptsTable = {
  id: SerialId;
  deliveryId: string;
  attemptedAt: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
};

/**
 * The transactional outbox: work written in the same transaction as the change that causes it,
 * and done afterwards by a worker on any instance (db/outbox.ts).
 */
export type OutboxTable = {
  id: string;
  topic: string;
  /** At most one unclaimed message per key: enqueueing the same key again does nothing. */
  dedupeKey: string | null;
  /** JSON. */
  payload: string;
  status: 'pending' | 'done' | 'failed';
  attempts: Generated<number>;
  /** When a worker may take it next; a claim pushes it forward by the lease. */
  runAt: string;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
};

export type DeviceGroupsTable = {
  id: string;
  organisationId: string;
  name: string;
  kind: 'static' | 'dynamic';
  /** A dynamic group's saved filter (JSON); null for a static group. */
  filter: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
};

export type DeviceGroupMembersTable = { groupId: string; deviceId: string };

export type RolloutsTable = {
  id: string;
  organisationId: string;
  name: string;
  itemId: string;
  releaseId: string;
  mode: Mode;
  targetKind: 'group' | 'filter' | 'entitled';
  targetGroupId: string | null;
  /** The group's name when the rollout was created, kept after the group is deleted. */
  targetGroupName: string | null;
  /** JSON. */
  targetFilter: string | null;
  /** The phase plan (JSON). */
  phases: string;
  successThresholdBps: number;
  errorThresholdBps: number;
  windowStartHour: number | null;
  windowEndHour: number | null;
  status: 'draft' | 'running' | 'paused' | 'completed' | 'aborted';
  currentPhase: number;
  pauseReason: string | null;
  /** JSON: what the operator had seen at the last resume. */
  acknowledged: string | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
};

export type RolloutDevicesTable = {
  rolloutId: string;
  deviceId: string;
  phase: number;
  state: 'waiting' | 'active' | 'succeeded' | 'failed' | 'cancelled' | 'removed';
  installJobId: string | null;
  reason: string | null;
  joinedAt: string;
  updatedAt: string;
};

export type RolloutEventsTable = {
  id: SerialId;
  rolloutId: string;
  kind:
    | 'created'
    | 'started'
    | 'phase_started'
    | 'paused'
    | 'resumed'
    | 'retried'
    | 'aborted'
    | 'completed';
  detail: string | null;
  actor: string | null;
  createdAt: string;
};

export type DB = {
  settings: SettingsTable;
  marketplaceInstances: MarketplaceInstancesTable;
  organisations: OrganisationsTable;
  organisationInstances: OrganisationInstancesTable;
  users: UsersTable;
  marketplaceItems: MarketplaceItemsTable;
  itemCompatibleModels: ItemCompatibleModelsTable;
  devices: DevicesTable;
  deviceTags: DeviceTagsTable;
  releases: ReleasesTable;
  releaseCompatibleModels: ReleaseCompatibleModelsTable;
  httpSessions: HttpSessionsTable;
  rateLimits: RateLimitsTable;
  auditEntries: AuditEntriesTable;
  checkoutSessions: CheckoutSessionsTable;
  checkoutSessionLines: CheckoutSessionLinesTable;
  checkoutAttempts: CheckoutAttemptsTable;
  checkoutHolds: CheckoutHoldsTable;
  purchases: PurchasesTable;
  purchaseCounts: PurchaseCountsTable;
  salesDayTotals: SalesDayTotalsTable;
  entitlements: EntitlementsTable;
  refunds: RefundsTable;
  webhookEvents: WebhookEventsTable;
  installJobs: InstallJobsTable;
  installJobEvents: InstallJobEventsTable;
  deviceInstallations: DeviceInstallationsTable;
  apiKeys: ApiKeysTable;
  paymentLinks: PaymentLinksTable;
  webhookEndpoints: WebhookEndpointsTable;
  webhookEndpointEvents: WebhookEndpointEventsTable;
  providerEvents: ProviderEventsTable;
  webhookDeliveries: WebhookDeliveriesTable;
  webhookDeliveryAttempts: WebhookDeliveryAttemptsTable;
  outbox: OutboxTable;
  deviceGroups: DeviceGroupsTable;
  deviceGroupMembers: DeviceGroupMembersTable;
  rollouts: RolloutsTable;
  rolloutDevices: RolloutDevicesTable;
  rolloutEvents: RolloutEventsTable;
};

export type Row<T extends keyof DB> = Selectable<DB[T]>;
export type NewRow<T extends keyof DB> = Insertable<DB[T]>;
export type RowUpdate<T extends keyof DB> = Updateable<DB[T]>;
