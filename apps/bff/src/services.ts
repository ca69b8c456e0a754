import type { Logger } from 'pino';
import type { Config } from './config';
import type { Database } from './db/database';
import { createApiKeysRepo } from './modules/api-keys/api-keys.repo';
import { createApiKeysService } from './modules/api-keys/api-keys.service';
import { createAuditRepo } from './modules/audit/audit.repo';
import { createAuditService } from './modules/audit/audit.service';
import { createUsersRepo } from './modules/auth/auth.repo';
import { createAuthService } from './modules/auth/auth.service';
import { createCheckoutRepo } from './modules/checkout/checkout.repo';
import { createCheckoutService } from './modules/checkout/checkout.service';
import { createCheckoutSync } from './modules/checkout/checkout-sync';
import { createFulfillment } from './modules/checkout/fulfillment';
import { createDeviceGroupsRepo } from './modules/device-groups/device-groups.repo';
import { createDeviceGroupsService } from './modules/device-groups/device-groups.service';
import { createDeviceSets } from './modules/device-groups/device-sets';
import { createDeviceSetsRepo } from './modules/device-groups/device-sets.repo';
import { createDeviceValidation } from './modules/devices/device-validation';
import { createDevicesRepo } from './modules/devices/devices.repo';
import { createDevicesService } from './modules/devices/devices.service';
import { createEntitlementsRepo } from './modules/entitlements/entitlements.repo';
import { createHealthService } from './modules/health/health.service';
import { createInstallsRepo } from './modules/installs/installs.repo';
import { createInstallsService } from './modules/installs/installs.service';
import { createReleasesRepo } from './modules/installs/releases.repo';
import { createMarketplacesRepo } from './modules/marketplaces/marketplaces.repo';
import { createMarketplacesService } from './modules/marketplaces/marketplaces.service';
import { createOverviewRepo } from './modules/overview/overview.repo';
import { createOverviewService } from './modules/overview/overview.service';
import { createPaymentLinksRepo } from './modules/payment-links/payment-links.repo';
import { createPaymentLinksService } from './modules/payment-links/payment-links.service';
import { createProviderEvents } from './modules/provider-webhooks/provider-events';
import { createWebhookEndpointsRepo } from './modules/provider-webhooks/webhook-endpoints.repo';
import { createWebhookEndpointsService } from './modules/provider-webhooks/webhook-endpoints.service';
import { createPurchasesRepo } from './modules/purchases/purchases.repo';
import { createPurchasesService } from './modules/purchases/purchases.service';
import { createRefundsService } from './modules/purchases/refunds.service';
import { createRolloutDevicesRepo } from './modules/rollouts/rollout-devices.repo';
import { createRolloutRunner, EVALUATE_ROLLOUT } from './modules/rollouts/rollout-runner';
import { createRolloutTargets } from './modules/rollouts/rollout-targets';
import {
  createRolloutTracking,
  DEVICE_ENTITLED,
  deviceEntitledSchema,
} from './modules/rollouts/rollout-tracking';
import { createRolloutsRepo } from './modules/rollouts/rollouts.repo';
import { createRolloutsService } from './modules/rollouts/rollouts.service';
import { createSearchRepo } from './modules/search/search.repo';
import { createSearchService } from './modules/search/search.service';
import type { SecretBox } from './security/secret-box';
import { createConnectedAccounts } from './stripe/connected-accounts';
import { createStripeEventsService } from './stripe/stripe-events.service';
import type { StripeGateway } from './stripe/stripe-gateway';

export type ServiceDeps = {
  config: Config;
  database: Database;
  logger: Logger;
  stripe: StripeGateway;
  /** From openSecretBox: seals what the server must read back, under a key kept out of the database. */
  secrets: SecretBox;
};

/**
 * Every repo and service, wired once. Routes get services; only services and repos get the
 * database. The HTTP app (app.ts) and the background workers (workers.ts) share what this makes.
 */
export function createServices({ config, database, logger, stripe, secrets }: ServiceDeps) {
  const audit = createAuditRepo(database);
  const auth = createAuthService({ users: createUsersRepo(database), audit });
  const marketplaces = createMarketplacesService({
    marketplaces: createMarketplacesRepo(database),
  });

  const checkout = createCheckoutRepo(database);
  const purchasesRepo = createPurchasesRepo(database);
  const entitlements = createEntitlementsRepo(database);
  // Events for providers' webhook endpoints, recorded in the transactions of what they report.
  const providerEvents = createProviderEvents(database, purchasesRepo.storefrontPurchases);
  const installs = createInstallsRepo(database);
  const releases = createReleasesRepo(database);
  const deviceGroupsRepo = createDeviceGroupsRepo(database);
  const deviceSets = createDeviceSets(createDeviceSetsRepo(database));
  // Rollouts follow what installs, refunds, disputes and purchases do to their devices.
  const rolloutsRepo = createRolloutsRepo(database);
  const rolloutDevices = createRolloutDevicesRepo(database);
  const rolloutTargets = createRolloutTargets({
    members: rolloutDevices,
    groups: deviceGroupsRepo,
    deviceSets,
  });
  const rolloutRunner = createRolloutRunner({
    database,
    rollouts: rolloutsRepo,
    members: rolloutDevices,
    installs,
    providerEvents,
  });
  const rolloutTracking = createRolloutTracking({
    database,
    rollouts: rolloutsRepo,
    members: rolloutDevices,
    installs,
    releases,
    targets: rolloutTargets,
    runner: rolloutRunner,
  });
  // Fulfillment hands duplicates to the refunds service, which itself fulfills a session whose
  // refund arrives first: the service is bound here and called only once both exist.
  const fulfill = createFulfillment({
    database,
    checkout,
    purchases: purchasesRepo,
    entitlements,
    providerEvents,
    duplicates: { record: (duplicate) => refunds.recordDuplicate(duplicate) },
    audit,
    rollouts: rolloutTracking,
  });
  const sync = createCheckoutSync(database, checkout, fulfill);
  const connectedAccount = createConnectedAccounts(database, stripe);
  const validateBasket = createDeviceValidation(database, connectedAccount);
  const installsService = createInstallsService({
    database,
    installs,
    releases,
    audit,
    providerEvents,
    rollouts: rolloutTracking,
  });
  const devicesRepo = createDevicesRepo(database);
  const deviceGroups = createDeviceGroupsService({
    database,
    groups: deviceGroupsRepo,
    deviceSets,
    devices: devicesRepo,
    audit,
  });
  const devices = createDevicesService({
    devices: devicesRepo,
    installs,
    releases,
    validateBasket,
    groupSet: deviceGroups.deviceSet,
  });
  const refunds = createRefundsService({
    database,
    checkout,
    purchases: purchasesRepo,
    entitlements,
    providerEvents,
    fulfill,
    stripe,
    audit,
    installs,
    rollouts: rolloutTracking,
    logger,
  });
  const checkoutService = createCheckoutService({
    database,
    checkout,
    sync,
    fulfill,
    validateBasket,
    stripe,
    audit,
    publicUrl: config.publicUrl,
    logger,
    sendAutomaticRefunds: refunds.sendAutomaticRefunds,
    connectedAccount,
  });

  return {
    config,
    database,
    audit,
    auth,
    health: createHealthService(database),
    marketplaces,
    devices,
    deviceGroups,
    rollouts: createRolloutsService({
      database,
      rollouts: rolloutsRepo,
      members: rolloutDevices,
      groups: deviceGroupsRepo,
      deviceSets,
      targets: rolloutTargets,
      runner: rolloutRunner,
      releases,
      audit,
    }),
    validateBasket,
    checkout: checkoutService,
    sync,
    refunds,
    stripeEvents: createStripeEventsService({ database, sync, refunds }),
    purchases: createPurchasesService({ purchases: purchasesRepo, installs }),
    search: createSearchService({ search: createSearchRepo(database) }),
    overview: createOverviewService({ overview: createOverviewRepo(database) }),
    auditLog: createAuditService({ audit }),
    installs: installsService,
    apiKeys: createApiKeysService({ database, apiKeys: createApiKeysRepo(database), audit }),
    webhookEndpoints: createWebhookEndpointsService({
      database,
      endpoints: createWebhookEndpointsRepo(database, secrets),
      audit,
      allowPrivateAddresses: config.webhooksAllowPrivateAddresses,
    }),
    providerEvents,
    paymentLinks: createPaymentLinksService({
      database,
      paymentLinks: createPaymentLinksRepo(database, secrets),
      validateBasket,
      checkout: checkoutService,
      stripe,
      audit,
      publicUrl: config.publicUrl,
    }),
    secrets,
    stripe,
    /** The outbox worker's handlers, by topic (db/outbox.ts). */
    outboxHandlers: {
      'refunds.send-automatic': (payload: Record<string, unknown>) =>
        refunds.sendAutomaticRefunds(String(payload.checkoutSessionId)),
      [EVALUATE_ROLLOUT]: (payload: Record<string, unknown>) =>
        rolloutRunner.evaluate(String(payload.rolloutId)),
      [DEVICE_ENTITLED]: (payload: Record<string, unknown>) =>
        rolloutTracking.deviceEntitled(deviceEntitledSchema.parse(payload)),
    },
  };
}
export type Services = ReturnType<typeof createServices>;
