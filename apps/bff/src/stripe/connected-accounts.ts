import type { CheckoutMode } from '@repo/schemas';
import type { Database } from '../db/database';
import { DEMO_CONNECTED_ACCOUNTS } from '../db/seed';
import type { StripeGateway } from './stripe-gateway';

/**
 * The account an organisation's payments go to, for a mode: none when the organisation has none,
 * and none for a demo account when the mode talks to a Stripe other than the embedded emulator,
 * which is the only place demo accounts exist.
 */
export function createConnectedAccounts(database: Database, stripe: StripeGateway) {
  return async function connectedAccount(
    organisationId: string,
    mode: CheckoutMode,
  ): Promise<string | null> {
    const row = await database.db
      .selectFrom('organisations')
      .select('stripeConnectedAccount')
      .where('id', '=', organisationId)
      .executeTakeFirst();
    const account = row?.stripeConnectedAccount ?? null;
    if (account && DEMO_CONNECTED_ACCOUNTS.has(account) && !stripe.runsOnEmbeddedEmulator(mode))
      return null;
    return account;
  };
}
export type ConnectedAccounts = ReturnType<typeof createConnectedAccounts>;
