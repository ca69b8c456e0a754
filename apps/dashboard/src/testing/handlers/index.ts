import { acmeAdmin, authHandlers, authState } from './auth';
import { auditHandlers, resetAuditState } from './audit';
import { checkoutHandlers, checkoutState } from './checkout';
import { developersHandlers, resetDevelopersState } from './developers';
import { deviceGroupHandlers, resetDeviceGroupsState } from './device-groups';
import { deviceHandlers, deviceRequests } from './devices';
import { installHandlers, resetInstallsState } from './installs';
import { marketplaceHandlers } from './marketplaces';
import { overviewHandlers, resetOverviewState } from './overview';
import { purchaseHandlers, purchaseState } from './purchases';
import { resetRolloutsState, rolloutHandlers } from './rollouts';
import { resetSearchState, searchHandlers } from './search';

export const handlers = [
  ...authHandlers,
  ...marketplaceHandlers,
  ...deviceHandlers,
  ...deviceGroupHandlers,
  ...checkoutHandlers,
  ...installHandlers,
  ...developersHandlers,
  ...purchaseHandlers,
  ...searchHandlers,
  ...overviewHandlers,
  ...auditHandlers,
  ...rolloutHandlers,
];

export function resetMockState(): void {
  authState.signedIn = true;
  authState.me = acmeAdmin;
  deviceRequests.length = 0;
  checkoutState.createRequests.length = 0;
  checkoutState.sessions.clear();
  resetInstallsState();
  resetDevelopersState();
  purchaseState.listRequests.length = 0;
  purchaseState.refundRequests.length = 0;
  purchaseState.details.clear();
  resetSearchState();
  resetOverviewState();
  resetAuditState();
  resetDeviceGroupsState();
  resetRolloutsState();
}
