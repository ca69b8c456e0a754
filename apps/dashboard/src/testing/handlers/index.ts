import { acmeAdmin, authHandlers, authState } from './auth';
import { checkoutHandlers, checkoutState } from './checkout';
import { developersHandlers, resetDevelopersState } from './developers';
import { deviceHandlers, deviceRequests } from './devices';
import { installHandlers, resetInstallsState } from './installs';
import { marketplaceHandlers } from './marketplaces';

export const handlers = [
  ...authHandlers,
  ...marketplaceHandlers,
  ...deviceHandlers,
  ...checkoutHandlers,
  ...installHandlers,
  ...developersHandlers,
];

export function resetMockState(): void {
  authState.signedIn = true;
  authState.me = acmeAdmin;
  deviceRequests.length = 0;
  checkoutState.createRequests.length = 0;
  checkoutState.sessions.clear();
  resetInstallsState();
  resetDevelopersState();
}
