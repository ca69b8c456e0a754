import { Router, type Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import { loginRequestSchema, type LoginResponse, type Session } from '@repo/schemas';
import type { Database } from '../../db/database';
import { AppError, unauthenticated } from '../../http/errors';
import { actorOf, requireSignedIn, SESSION_COOKIE } from '../../http/auth';
import { noStore } from '../../http/no-store';
import { parseBody } from '../../http/validate';
import {
  dummyPasswordHash,
  hashPassword,
  needsRehash,
  verifyPassword,
} from '../../security/passwords';
import type { AuditRepo } from '../audit/audit.repo';
import { createAuthRepo, toMe } from './auth.repo';

type Deps = {
  db: Database;
  audit: AuditRepo;
  generateCsrfToken: (req: Request, overwrite?: boolean) => string;
  /** Failed sign-ins one address may make in a window. */
  loginAttemptsPerAddress: number;
  /** Failed sign-ins one account may receive in a window, from any number of addresses. */
  loginAttemptsPerAccount: number;
};

const LOGIN_WINDOW_MS = 15 * 60 * 1000;

const promisify = (fn: (cb: (err?: unknown) => void) => void) => () =>
  new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

export function authRoutes({
  db,
  audit,
  generateCsrfToken,
  loginAttemptsPerAddress,
  loginAttemptsPerAccount,
}: Deps): Router {
  const users = createAuthRepo(db);
  const router = Router();

  router.get('/auth/csrf', noStore, (req, res) => {
    res.json({ csrfToken: generateCsrfToken(req) });
  });

  const tooMany = (message: string) => new AppError(429, 'TOO_MANY_ATTEMPTS', message);
  const addressLimiter = rateLimit({
    windowMs: LOGIN_WINDOW_MS,
    limit: loginAttemptsPerAddress,
    // Only failed attempts count, so a team behind one address can still sign in all day.
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) =>
      next(tooMany('Too many failed sign-ins. Wait a few minutes and try again.')),
  });
  // Guessing one account's password from many addresses passes the per-address limit; this one
  // counts per email, whether or not an account has it, so the answer reveals nothing.
  const accountLimiter = rateLimit({
    windowMs: LOGIN_WINDOW_MS,
    limit: loginAttemptsPerAccount,
    skipSuccessfulRequests: true,
    skip: (req) => typeof (req.body as { email?: unknown } | undefined)?.email !== 'string',
    keyGenerator: (req) =>
      `email:${String((req.body as { email: string }).email)
        .trim()
        .toLowerCase()}`,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) =>
      next(
        tooMany(
          'Too many failed sign-ins for this account. Wait 15 minutes and try again, or ask an admin of your organisation for help.',
        ),
      ),
  });

  router.post('/auth/login', addressLimiter, accountLimiter, noStore, async (req, res) => {
    const { email, password } = parseBody(loginRequestSchema, req);
    const user = users.findByEmail(email);
    const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !valid) {
      throw new AppError(401, 'INVALID_CREDENTIALS', 'The email or password is wrong.');
    }
    if (needsRehash(user.passwordHash))
      users.setPasswordHash(user.id, await hashPassword(password));
    // A fresh session id at login, so that an id planted before sign-in is worthless.
    await promisify((cb) => req.session.regenerate(cb))();
    req.session.userId = user.id;
    const csrfToken = generateCsrfToken(req, true);
    await promisify((cb) => req.session.save(cb))();
    audit.record({
      organisationId: user.organisationId,
      userId: user.id,
      action: 'auth.login',
      objectType: 'user',
      objectId: user.id,
      requestId: String(req.id),
    });
    const body: LoginResponse = { ...toMe(user), csrfToken };
    res.json(body);
  });

  router.post('/auth/logout', requireSignedIn, async (req, res) => {
    const actor = actorOf(req);
    await promisify((cb) => req.session.destroy(cb))();
    audit.record({
      organisationId: actor.organisationId,
      userId: actor.userId,
      action: 'auth.logout',
      objectType: 'user',
      objectId: actor.userId,
      requestId: String(req.id),
    });
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  // Answers 200 either way: the SPA asks this first, so a signed-out visit logs no 401.
  router.get('/auth/session', (req, res) => {
    const user = req.actor && users.findById(req.actor.userId);
    const body: Session = { me: user ? toMe(user) : null };
    res.json(body);
  });

  router.get('/me', (req, res) => {
    const user = req.actor && users.findById(req.actor.userId);
    if (!user) throw unauthenticated();
    res.json(toMe(user));
  });

  return router;
}
