import type { Role } from '@repo/schemas';

/** Operators and admins queue, cancel and retry installs; support only reads. */
export const canManageInstalls = (role: Role | undefined) =>
  role === 'admin' || role === 'operator';
