import type { Role } from '@repo/schemas';

/** Admins and operators shape device groups; support reads them. */
export const canEditDeviceGroups = (role: Role | undefined) =>
  role === 'admin' || role === 'operator';
