import { Router, type Request } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { loginRequestSchema, type LoginResponse, type Session } from '@repo/schemas';
import { AppError, unauthenticated } from '../../http/errors';
import { actorOf, requireSignedIn, SESSION_COOKIE } from '../../http/auth';
import { noStore } from '../../http/no-store';
import { parseBody } from '../../http/validate';
import { toMe, type AuthService } from './auth.service';

type Deps = {
  auth: AuthService;
  /** Where a limit counts, by name: shared by every instance. */
  rateLimitStore: (name: string) => Store;
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
  auth,
  rateLimitStore,
  generateCsrfToken,
  loginAttemptsPerAddress,
  loginAttemptsPerAccount,
}: Deps): Router {
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
    store: rateLimitStore('login-address'),
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
    store: rateLimitStore('login-account'),
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
    const user = await auth.verifyCredentials(email, password);
    // A fresh session id at login, so that an id planted before sign-in is worthless.
    await promisify((cb) => req.session.regenerate(cb))();
    req.session.userId = user.id;
    const csrfToken = generateCsrfToken(req, true);
    await promisify((cb) => req.session.save(cb))();
    await auth.recordLogin(user, String(req.id));
    const body: LoginResponse = { ...toMe(user), csrfToken };
    res.json(body);
  });

  router.post('/auth/logout', requireSignedIn, async (req, res) => {
    const actor = actorOf(req);
    await promisify((cb) => req.session.destroy(cb))();
    await auth.recordLogout(actor, String(req.id));
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  // Answers 200 either way: the SPA asks this first, so a signed-out visit logs no 401.
  router.get('/auth/session', async (req, res) => {
    const body: Session = { me: req.actor ? await auth.me(req.actor.userId) : null };
    res.json(body);
  });

  router.get('/me', async (req, res) => {
    const me = req.actor && (await auth.me(req.actor.userId));
    if (!me) throw unauthenticated();
    res.json(me);
  });

  return router;
}
