import type { Role } from '@repo/schemas';

/** Admins and operators create, start, pause, resume, abort and retry rollouts; support reads. */
export const canManageRollouts = (role: Role | undefined) =>
  role === 'admin' || role === 'operator';
