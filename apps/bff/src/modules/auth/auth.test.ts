import supertest from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SESSION_COOKIE } from '../../http/auth';
import { READ_CACHE_MS } from '../../http/read-cache';
import { CSRF_COOKIE } from '../../http/csrf';
import { verifyPassword } from '../../security/passwords';
import { legacyPasswordHash } from '../../testing/legacy-password-hash';
import {
  anonymousClient,
  createAnotherInstance,
  createTestApp,
  signIn,
  type TestApp,
} from '../../testing/test-app';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

const cookieNamed = (name: string, setCookie: string[] | string | undefined) =>
  [setCookie ?? []].flat().find((c) => c.startsWith(`${name}=`));
const sessionCookie = (setCookie: string[] | string | undefined) =>
  cookieNamed(SESSION_COOKIE, setCookie);

/**
 * For tests that make many failed sign-ins: each refused guess costs a full-cost scrypt, which
 * takes over a second while other tests share the machine's two cores.
 */
const manyGuesses = { timeout: 60_000 };

const countOf = async (query: Promise<unknown[]>) => (await query).length;
const storedSessions = () => countOf(t.db.selectFrom('httpSessions').select('sid').execute());

describe('login', () => {
  it('signs in with the right password and returns the user, organisation and a fresh CSRF token', async () => {
    const { agent, csrfToken } = await anonymousClient(t.app);
    const res = await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', csrfToken)
      .send({ email: 'Admin@Acme.example', password: 'demo-password' })
      .expect(200);
    expect(res.body.user).toMatchObject({ email: 'admin@acme.example', role: 'admin' });
    expect(res.body.organisation).toMatchObject({ slug: 'acme' });
    expect(res.body.csrfToken).not.toBe(csrfToken);

    const cookie = sessionCookie(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);

    const me = await agent.get('/api/me').expect(200);
    expect(me.body.user.email).toBe('admin@acme.example');
  });

  it('renews the session id at login, so an id known before it no longer signs anyone in', async () => {
    // Anonymous visitors hold no session, so the id to renew is the one of an earlier sign-in.
    const { agent, csrfToken } = await anonymousClient(t.app);
    const first = await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', csrfToken)
      .send({ email: 'support@acme.example', password: 'demo-password' })
      .expect(200);
    const firstCookie = sessionCookie(first.headers['set-cookie'])?.split(';')[0];
    expect(firstCookie).toBeDefined();
    const { body } = await agent.get('/api/auth/csrf').expect(200);
    const second = await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', body.csrfToken)
      .send({ email: 'admin@acme.example', password: 'demo-password' })
      .expect(200);
    const secondCookie = sessionCookie(second.headers['set-cookie'])?.split(';')[0];
    expect(secondCookie).toBeDefined();
    expect(secondCookie).not.toBe(firstCookie);
    await supertest(t.app).get('/api/me').set('Cookie', firstCookie!).expect(401);
    const me = await supertest(t.app).get('/api/me').set('Cookie', secondCookie!).expect(200);
    expect(me.body.user.email).toBe('admin@acme.example');
  });

  it('marks the cookie Secure when the dashboard is served over https', async () => {
    const secureApp = await createTestApp({ PUBLIC_URL: 'https://dashboard.example' });
    try {
      // Behind a TLS-terminating proxy on the same host.
      const agent = supertest.agent(secureApp.app);
      const csrf = await agent.get('/api/auth/csrf').set('X-Forwarded-Proto', 'https').expect(200);
      expect(cookieNamed(CSRF_COOKIE, csrf.headers['set-cookie'])).toMatch(/; Secure/);
      const login = await agent
        .post('/api/auth/login')
        .set('X-Forwarded-Proto', 'https')
        .set('X-CSRF-Token', csrf.body.csrfToken)
        // supertest's agent keeps no Secure cookie over plain http: send the CSRF cookie as a browser would.
        .set('Cookie', cookieNamed(CSRF_COOKIE, csrf.headers['set-cookie'])!.split(';')[0]!)
        .send({ email: 'admin@acme.example', password: 'demo-password' })
        .expect(200);
      expect(sessionCookie(login.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await secureApp.close();
    }
  });

  it('refuses a wrong password with 401 and no session', async () => {
    const { agent, csrfToken } = await anonymousClient(t.app);
    const res = await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', csrfToken)
      .send({ email: 'admin@acme.example', password: 'wrong' })
      .expect(401);
    expect(res.body.error).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(res.body.error.requestId).toEqual(expect.any(String));
    await agent.get('/api/me').expect(401);
  });

  it('answers an unknown email exactly as a wrong password', async () => {
    const { agent, csrfToken } = await anonymousClient(t.app);
    const res = await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', csrfToken)
      .send({ email: 'nobody@acme.example', password: 'demo-password' })
      .expect(401);
    expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('rejects a malformed body with 400 and details per field', async () => {
    const { agent, csrfToken } = await anonymousClient(t.app);
    const res = await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', csrfToken)
      .send({ email: 'not-an-email', password: 42 })
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'email',
      'password',
    ]);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const { agent, csrfToken } = await anonymousClient(t.app);
    const res = await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', csrfToken)
      .set('Content-Type', 'application/json')
      .send('{"email":')
      .expect(400);
    expect(res.body.error.code).toBe('MALFORMED_JSON');
  });

  it('rejects a body over the size limit with 413', async () => {
    const { agent, csrfToken } = await anonymousClient(t.app);
    const res = await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', csrfToken)
      .send({ email: 'admin@acme.example', password: 'x'.repeat(200_000) })
      .expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('limits failed sign-ins from one address', manyGuesses, async () => {
    const { agent, csrfToken } = await anonymousClient(t.app);
    const attempt = () =>
      agent
        .post('/api/auth/login')
        .set('X-CSRF-Token', csrfToken)
        .send({ email: 'admin@acme.example', password: 'guess' });
    for (let i = 0; i < 10; i += 1) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('TOO_MANY_ATTEMPTS');
  });

  it('limits failed sign-ins to one account spread over many addresses', manyGuesses, async () => {
    // A small limit of its own: every refused guess costs a full-cost scrypt.
    const small = await createTestApp({ LOGIN_ATTEMPTS_PER_ACCOUNT: '4' });
    try {
      // The app trusts X-Forwarded-For from a proxy on this machine, which is where supertest connects from.
      const attempt = async (email: string, password: string, n: number) => {
        const { agent, csrfToken } = await anonymousClient(small.app);
        return agent
          .post('/api/auth/login')
          .set('X-Forwarded-For', `203.0.113.${n}`)
          .set('X-CSRF-Token', csrfToken)
          .send({ email, password });
      };
      // One guess from each address: far below the per-address limit.
      for (let n = 0; n < 4; n += 1) {
        expect((await attempt('admin@acme.example', `guess-${n}`, n)).status).toBe(401);
      }
      const limited = await attempt('Admin@Acme.example', 'guess', 99);
      expect(limited.status).toBe(429);
      expect(limited.body.error).toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
      expect(limited.body.error.message).toMatch(/this account/);
      // Even the right password waits, or the limit would tell a guesser when they are right.
      expect((await attempt('admin@acme.example', 'demo-password', 98)).status).toBe(429);
      // Other accounts, from the same addresses, are not affected.
      expect((await attempt('support@acme.example', 'demo-password', 1)).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it(
    'holds the per-account limit across instances sharing the database, and across a restart',
    manyGuesses,
    async () => {
      // Two failed sign-ins per account: every refused guess costs a full-cost scrypt.
      const small = await createTestApp({ LOGIN_ATTEMPTS_PER_ACCOUNT: '2' });
      const second = await createAnotherInstance(small);
      const instances = [small.app, second.app];
      let restarted: Awaited<ReturnType<typeof createAnotherInstance>> | undefined;
      try {
        const attempt = async (app: TestApp['app'], password: string, n: number) => {
          const { agent, csrfToken } = await anonymousClient(app);
          return agent
            .post('/api/auth/login')
            .set('X-Forwarded-For', `198.51.100.${n}`)
            .set('X-CSRF-Token', csrfToken)
            .send({ email: 'admin@acme.example', password });
        };
        // One guess on each instance: each stays below the limit on its own.
        for (const [n, app] of instances.entries()) {
          expect((await attempt(app, `guess-${n}`, n)).status).toBe(401);
        }
        for (const app of instances) {
          const limited = await attempt(app, 'demo-password', 50);
          expect(limited.status).toBe(429);
          expect(limited.body.error.message).toMatch(/this account/);
        }
        // A new instance (a restart) starts with the counts the database kept.
        restarted = await createAnotherInstance(small);
        expect((await attempt(restarted.app, 'demo-password', 60)).status).toBe(429);
      } finally {
        await restarted?.close();
        await second.close();
        await small.close();
      }
    },
  );
});

describe('password hashes at sign-in', () => {
  it('upgrades a hash made at the old cost on the next successful sign-in', async () => {
    const hashOf = async () =>
      (
        await t.db
          .selectFrom('users')
          .select('passwordHash')
          .where('email', '=', 'operator@acme.example')
          .executeTakeFirstOrThrow()
      ).passwordHash;
    await t.db
      .updateTable('users')
      .set({ passwordHash: legacyPasswordHash('demo-password') })
      .where('email', '=', 'operator@acme.example')
      .execute();
    const { agent, csrfToken } = await anonymousClient(t.app);
    const login = (password: string) =>
      agent
        .post('/api/auth/login')
        .set('X-CSRF-Token', csrfToken)
        .send({ email: 'operator@acme.example', password });
    // A wrong password changes nothing.
    const before = await hashOf();
    expect((await login('wrong')).status).toBe(401);
    expect(await hashOf()).toBe(before);

    expect((await login('demo-password')).status).toBe(200);
    const upgraded = await hashOf();
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('demo-password', upgraded)).toBe(true);
  });
});

describe('CSRF', () => {
  it('gives anonymous visitors a token without storing a session for each', async () => {
    for (let i = 0; i < 50; i += 1) await supertest(t.app).get('/api/auth/csrf').expect(200);
    expect(await storedSessions()).toBe(0);
    // The token still works for signing in, and only with the cookie it came with.
    const first = await supertest(t.app).get('/api/auth/csrf').expect(200);
    const cookie = cookieNamed(CSRF_COOKIE, first.headers['set-cookie'])!.split(';')[0]!;
    const login = (token: string, cookies: string) =>
      supertest(t.app)
        .post('/api/auth/login')
        .set('Cookie', cookies)
        .set('X-CSRF-Token', token)
        .send({ email: 'admin@acme.example', password: 'demo-password' });
    const other = await supertest(t.app).get('/api/auth/csrf').expect(200);
    expect((await login(other.body.csrfToken, cookie)).status).toBe(403);
    expect(
      (await login(first.body.csrfToken, `${CSRF_COOKIE}=${first.body.csrfToken}.forged`)).status,
    ).toBe(403);
    expect((await login(first.body.csrfToken, cookie)).status).toBe(200);
    expect(await storedSessions()).toBe(1);
  });

  it('refuses a login without the CSRF token with 403 and creates no session', async () => {
    const { agent } = await anonymousClient(t.app);
    const res = await agent
      .post('/api/auth/login')
      .send({ email: 'admin@acme.example', password: 'demo-password' })
      .expect(403);
    expect(res.body.error.code).toBe('CSRF_INVALID');
    await agent.get('/api/me').expect(401);
    const logins = await countOf(
      t.db.selectFrom('auditEntries').select('id').where('action', '=', 'auth.login').execute(),
    );
    expect(logins).toBe(0);
  });

  it('refuses a logout with a wrong token and keeps the session', async () => {
    const { agent } = await signIn(t.app, 'admin@acme.example');
    await agent.post('/api/auth/logout').set('X-CSRF-Token', 'forged').expect(403);
    await agent.get('/api/me').expect(200);
  });

  it('does not accept the token from before sign-in after it', async () => {
    const { agent, csrfToken } = await anonymousClient(t.app);
    await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', csrfToken)
      .send({ email: 'admin@acme.example', password: 'demo-password' })
      .expect(200);
    await agent.post('/api/auth/logout').set('X-CSRF-Token', csrfToken).expect(403);
  });
});

describe('session lifetime', () => {
  const HOUR_MS = 60 * 60 * 1000;
  const expiryOf = async (sid: string) =>
    (
      await t.db
        .selectFrom('httpSessions')
        .select('expiresAt')
        .where('sid', '=', sid)
        .executeTakeFirstOrThrow()
    ).expiresAt;
  const onlySession = async () =>
    (await t.db.selectFrom('httpSessions').select('sid').executeTakeFirstOrThrow()).sid;

  afterEach(() => vi.useRealTimers());

  it('answers signed-in reads without a cookie: the session id is set once, at sign-in', async () => {
    const { agent } = await signIn(t.app, 'support@acme.example');
    const res = await agent.get('/api/purchases').expect(200);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('keeps a session in use alive, and ends one after 8 idle hours', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { agent } = await signIn(t.app, 'support@acme.example');
    const sid = await onlySession();
    const signedInUntil = await expiryOf(sid);
    expect(signedInUntil).toBe(Date.now() + 8 * HOUR_MS);

    // Reads within a minute write nothing; a read later moves the end to 8 hours after it.
    vi.setSystemTime(Date.now() + 30_000);
    await agent.get('/api/me').expect(200);
    expect(await expiryOf(sid)).toBe(signedInUntil);
    vi.setSystemTime(Date.now() + 7 * HOUR_MS);
    await agent.get('/api/me').expect(200);
    expect(await expiryOf(sid)).toBe(Date.now() + 8 * HOUR_MS);

    // Fifteen hours after sign-in the session still works, because it was used at hour seven.
    vi.setSystemTime(Date.now() + 8 * HOUR_MS - 1000);
    await agent.get('/api/me').expect(200);
    vi.setSystemTime(Date.now() + 8 * HOUR_MS + 1);
    await agent.get('/api/me').expect(401);
  });
});

describe('what a read may take from the last second', () => {
  afterEach(() => vi.useRealTimers());

  it('refuses a changed role at once for writes, and within READ_CACHE_MS for reads', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { agent, csrfToken } = await signIn(t.app, 'admin@acme.example');
    await agent.get('/api/api-keys').expect(200);
    await t.db
      .updateTable('users')
      .set({ role: 'support' })
      .where('email', '=', 'admin@acme.example')
      .execute();

    // A read in the same second may still act as the admin this instance loaded a moment ago.
    await agent.get('/api/api-keys').expect(200);
    vi.setSystemTime(Date.now() + READ_CACHE_MS + 1);
    await agent.get('/api/api-keys').expect(403);
    await t.db
      .updateTable('users')
      .set({ role: 'admin' })
      .where('email', '=', 'admin@acme.example')
      .execute();
    await agent.get('/api/api-keys').expect(403);
    await t.db
      .updateTable('users')
      .set({ role: 'support' })
      .where('email', '=', 'admin@acme.example')
      .execute();
    // A write never acts on what a read remembered.
    await agent
      .post('/api/api-keys')
      .set('X-CSRF-Token', csrfToken)
      .send({ name: 'ci' })
      .expect(403);
  });

  it('ends a session deleted by another instance at once for writes, within READ_CACHE_MS for reads', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { agent, csrfToken } = await signIn(t.app, 'admin@acme.example');
    const other = await createAnotherInstance(t);
    try {
      await agent.get('/api/me').expect(200);
      // Another instance ends the session: its row is gone from the shared table.
      await other.database.db.deleteFrom('httpSessions').execute();

      await agent.get('/api/me').expect(200);
      const write = await agent
        .post('/api/api-keys')
        .set('X-CSRF-Token', csrfToken)
        .send({ name: 'ci' });
      expect([401, 403]).toContain(write.status);
      vi.setSystemTime(Date.now() + READ_CACHE_MS + 1);
      await agent.get('/api/me').expect(401);
    } finally {
      await other.close();
    }
  });
});

describe('logout', () => {
  it('destroys the session on the server', async () => {
    const { agent, csrfToken } = await signIn(t.app, 'operator@globex.example');
    const sessionsBefore = await storedSessions();
    await agent.post('/api/auth/logout').set('X-CSRF-Token', csrfToken).expect(204);
    await agent.get('/api/me').expect(401);
    expect(await storedSessions()).toBe(sessionsBefore - 1);
  });
});

describe('session', () => {
  it('says who is signed in, or nobody, without a 401', async () => {
    const { agent, csrfToken } = await anonymousClient(t.app);
    const before = await agent.get('/api/auth/session').expect(200);
    expect(before.body).toEqual({ me: null });

    await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', csrfToken)
      .send({ email: 'support@acme.example', password: 'demo-password' })
      .expect(200);
    const after = await agent.get('/api/auth/session').expect(200);
    expect(after.body.me.user).toMatchObject({ email: 'support@acme.example', role: 'support' });
    expect(after.body.me.organisation).toMatchObject({ slug: 'acme' });
  });
});
