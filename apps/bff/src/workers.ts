import type { Logger } from 'pino';
import type { Database } from './db/database';
import { createOutboxWorker, type OutboxWorkerOptions } from './db/outbox';
import {
  createProviderWebhookDispatcher,
  type DispatcherOptions,
} from './modules/provider-webhooks/dispatcher';
import type { Services } from './services';

export type WorkerOptions = {
  providerWebhooks?: DispatcherOptions;
  outbox?: Omit<OutboxWorkerOptions, 'handlers'>;
};

/**
 * What runs beside the request path on every instance: the outbox worker, which does the work
 * transactions leave behind them, and the dispatcher of providers' webhooks. Each claims its rows
 * so that two instances never do the same work at once.
 */
export function createWorkers(
  { database, logger, services }: { database: Database; logger: Logger; services: Services },
  options: WorkerOptions = {},
) {
  const outbox = createOutboxWorker(database, logger, {
    ...options.outbox,
    handlers: services.outboxHandlers,
  });
  const providerWebhooks = createProviderWebhookDispatcher(database, logger, services.secrets, {
    allowPrivateAddresses: services.config.webhooksAllowPrivateAddresses,
    ...options.providerWebhooks,
  });
  return {
    outbox,
    providerWebhooks,
    start() {
      outbox.start();
      providerWebhooks.start();
    },
    async stop() {
      await Promise.all([outbox.stop(), providerWebhooks.stop()]);
    },
    /** Resolves once neither has anything due: for tests. */
    async idle() {
      await Promise.all([outbox.idle(), providerWebhooks.idle()]);
    },
  };
}
export type Workers = ReturnType<typeof createWorkers>;
