import type { CheckoutMode } from '@repo/schemas';
import type { Database } from '../db/database';
import { DEMO_CONNECTED_ACCOUNTS } from '../db/seed';
import type { StripeGateway } from './stripe-gateway';

/**
 * The account an organisation's payments go to, for a mode: none when the organisation has none,
 * and none for a demo account when the mode talks to a Stripe other than the embedded emulator,
 * which is the only place demo accounts exist.
 */
export function createConnectedAccounts(db: Database, stripe: StripeGateway) {
  const stored = db
    .prepare('SELECT stripe_connected_account FROM organisations WHERE id = ?')
    .pluck();
  return function connectedAccount(organisationId: string, mode: CheckoutMode): string | null {
    const account = (stored.get(organisationId) as string | null | undefined) ?? null;
    if (account && DEMO_CONNECTED_ACCOUNTS.has(account) && !stripe.runsOnEmbeddedEmulator(mode))
      return null;
    return account;
  };
}
export type ConnectedAccounts = ReturnType<typeof createConnectedAccounts>;
