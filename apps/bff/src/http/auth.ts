import type { RequestHandler } from 'express';
import type { Role } from '@repo/schemas';
import type { AuthService } from '../modules/auth/auth.service';
import { forbidden, unauthenticated } from './errors';

export const SESSION_COOKIE = 'mp.sid';

export type Actor = {
  userId: string;
  email: string;
  role: Role;
  organisationId: string;
};

declare module 'express-session' {
  interface SessionData {
    userId?: string;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own extension point
  namespace Express {
    interface Request {
      actor?: Actor;
    }
  }
}

/** Requests that change nothing: they may act on a session and user read a moment ago. */
export const isRead = (method: string) => method === 'GET' || method === 'HEAD';

/**
 * Loads the signed-in user on every request: from the database for anything that changes state,
 * so that a deleted user or changed role takes effect at once; as loaded within the last second
 * for reads (AuthService.recentActor).
 */
export function loadActor(auth: AuthService): RequestHandler {
  return async (req, _res, next) => {
    const userId = req.session?.userId;
    if (userId) req.actor = await (isRead(req.method) ? auth.recentActor : auth.actor)(userId);
    next();
  };
}

/** Signed in with one of these roles, or a 401/403. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.actor) return next(unauthenticated());
    if (roles.length > 0 && !roles.includes(req.actor.role)) return next(forbidden());
    next();
  };
}

export const requireSignedIn = requireRole();

/** The actor of a route that has passed requireRole. */
export function actorOf(req: { actor?: Actor }): Actor {
  if (!req.actor) throw unauthenticated();
  return req.actor;
}
