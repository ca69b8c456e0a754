import { acmeAdmin, authHandlers, authState } from './auth';
import { checkoutHandlers, checkoutState } from './checkout';
import { deviceHandlers, deviceRequests } from './devices';
import { marketplaceHandlers } from './marketplaces';
import { purchaseHandlers, purchaseState } from './purchases';

export const handlers = [
  ...authHandlers,
  ...marketplaceHandlers,
  ...deviceHandlers,
  ...checkoutHandlers,
  ...purchaseHandlers,
];

export function resetMockState(): void {
  authState.signedIn = true;
  authState.me = acmeAdmin;
  deviceRequests.length = 0;
  checkoutState.createRequests.length = 0;
  checkoutState.sessions.clear();
  purchaseState.listRequests.length = 0;
  purchaseState.refundRequests.length = 0;
  purchaseState.details.clear();
}
