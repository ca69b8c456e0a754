import type { Me } from '@repo/schemas';
import type { Actor } from '../../http/auth';
import { AppError } from '../../http/errors';
import { readCache } from '../../http/read-cache';
import {
  dummyPasswordHash,
  hashPassword,
  needsRehash,
  verifyPassword,
} from '../../security/passwords';
import type { AuditRepo } from '../audit/audit.repo';
import type { UserRow, UsersRepo } from './auth.repo';

export function toMe(user: UserRow): Me {
  return {
    user: { id: user.id, email: user.email, role: user.role },
    organisation: {
      id: user.organisationId,
      slug: user.organisationSlug,
      name: user.organisationName,
    },
  };
}

const toActor = (user: UserRow | undefined): Actor | undefined =>
  user && {
    userId: user.id,
    email: user.email,
    role: user.role,
    organisationId: user.organisationId,
  };

export function createAuthService({ users, audit }: { users: UsersRepo; audit: AuditRepo }) {
  // A deleted user is remembered too, without an actor.
  const recentActors = readCache<{ actor: Actor | undefined }>();

  async function loadActor(userId: string): Promise<Actor | undefined> {
    const actor = toActor(await users.findById(userId));
    recentActors.set(userId, { actor });
    return actor;
  }

  return {
    /** The user whose email and password these are, or INVALID_CREDENTIALS either way. */
    async verifyCredentials(email: string, password: string): Promise<UserRow> {
      const user = await users.findByEmail(email);
      // Spent on unknown emails too, so that the time taken does not tell which emails exist.
      const valid = await verifyPassword(
        password,
        user?.passwordHash ?? (await dummyPasswordHash()),
      );
      if (!user || !valid) {
        throw new AppError(401, 'INVALID_CREDENTIALS', 'The email or password is wrong.');
      }
      if (needsRehash(user.passwordHash))
        await users.setPasswordHash(user.id, await hashPassword(password));
      return user;
    },

    recordLogin: (user: UserRow, requestId: string) =>
      audit.record({
        organisationId: user.organisationId,
        userId: user.id,
        action: 'auth.login',
        objectType: 'user',
        objectId: user.id,
        requestId,
      }),

    recordLogout: (actor: Actor, requestId: string) =>
      audit.record({
        organisationId: actor.organisationId,
        userId: actor.userId,
        action: 'auth.logout',
        objectType: 'user',
        objectId: actor.userId,
        requestId,
      }),

    /**
     * The user as the database has them now: loaded for every request that changes state, so that
     * a deleted user or a changed role takes effect at once.
     */
    actor: loadActor,

    /**
     * For reads (GET, HEAD): the user as this instance loaded them less than READ_CACHE_MS ago,
     * or now. A role changed or a user deleted reaches reads within that second: what they
     * may still read meanwhile is what they could read a moment before.
     */
    recentActor: async (userId: string): Promise<Actor | undefined> => {
      const recent = recentActors.get(userId);
      return recent ? recent.actor : loadActor(userId);
    },

    async me(userId: string): Promise<Me | null> {
      const user = await users.findById(userId);
      return user ? toMe(user) : null;
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
