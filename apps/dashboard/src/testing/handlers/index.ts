import { acmeAdmin, authHandlers, authState } from './auth';
import { deviceHandlers, deviceRequests } from './devices';
import { marketplaceHandlers } from './marketplaces';

export const handlers = [...authHandlers, ...marketplaceHandlers, ...deviceHandlers];

export function resetMockState(): void {
  authState.signedIn = true;
  authState.me = acmeAdmin;
  deviceRequests.length = 0;
}
