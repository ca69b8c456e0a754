import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../security/tokens';
import { createApiKey } from '../../testing/storefront';
import {
  createTestApp,
  signIn,
  withAuditWritesFailing,
  type TestApp,
} from '../../testing/test-app';

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;

beforeAll(async () => {
  t = await createTestApp();
  admin = await signIn(t.app, 'admin@acme.example');
});
afterAll(() => t.close());

describe('API keys in the dashboard', () => {
  it('shows the secret once, keeps only its hash, and lists the key without it', async () => {
    const created = await createApiKey(admin, { name: 'Web shop', mode: 'test' });
    expect(created.secret).toMatch(/^mk_test_[A-Za-z0-9_-]{32}$/);
    expect(created.prefix).toBe(created.secret.slice(0, 12));
    expect(created).toMatchObject({
      name: 'Web shop',
      mode: 'test',
      allowedOrigins: ['https://shop.example.com'],
      createdBy: 'admin@acme.example',
      revokedAt: null,
    });
    const stored = await t.db
      .selectFrom('apiKeys')
      .select(['keyHash', 'keyPrefix'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(stored.keyHash).toBe(hashToken(created.secret));
    expect(JSON.stringify(await t.db.selectFrom('apiKeys').selectAll().execute())).not.toContain(
      created.secret,
    );

    const { body } = await admin.agent.get('/api/api-keys').expect(200);
    const listed = body.items.find((k: { id: string }) => k.id === created.id);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('secret');
    expect(JSON.stringify(body)).not.toContain(created.secret);
  });

  it('makes live keys that say so', async () => {
    const created = await createApiKey(admin, { mode: 'live' });
    expect(created.secret).toMatch(/^mk_live_/);
  });

  it('refuses a body that is not valid, with details', async () => {
    const res = await admin.agent
      .post('/api/api-keys')
      .set('X-CSRF-Token', admin.csrfToken)
      .send({
        name: '',
        mode: 'staging',
        allowedOrigins: ['http://shop.example.com', 'https://shop.example.com/path'],
      })
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'allowedOrigins.0',
      'allowedOrigins.1',
      'mode',
      'name',
    ]);
  });

  it('revokes a key once, and records who made and revoked it', async () => {
    const created = await createApiKey(admin);
    const res = await admin.agent
      .post(`/api/api-keys/${created.id}/revoke`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    expect(res.body.revokedAt).not.toBeNull();
    await admin.agent
      .post(`/api/api-keys/${created.id}/revoke`)
      .set('X-CSRF-Token', admin.csrfToken)
      .expect(200);
    const actions = await t.db
      .selectFrom('auditEntries')
      .select(['action', 'userId'])
      .where('objectId', '=', created.id)
      .orderBy('id')
      .execute();
    expect(actions).toEqual([
      { action: 'api_key.create', userId: 'usr_acme_admin' },
      { action: 'api_key.revoke', userId: 'usr_acme_admin' },
    ]);
  });

  it('changes no key when its audit entry cannot be written', async () => {
    const kept = await createApiKey(admin);
    const keys = async () =>
      (
        await t.db
          .selectFrom('apiKeys')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .executeTakeFirstOrThrow()
      ).count;
    const keysBefore = await keys();
    await withAuditWritesFailing(t.database, async () => {
      await admin.agent
        .post('/api/api-keys')
        .set('X-CSRF-Token', admin.csrfToken)
        .send({ name: 'Unaudited', mode: 'test', allowedOrigins: [] })
        .expect(500);
      expect(await keys()).toBe(keysBefore);
      await admin.agent
        .post(`/api/api-keys/${kept.id}/revoke`)
        .set('X-CSRF-Token', admin.csrfToken)
        .expect(500);
    });
    const { body } = await admin.agent.get('/api/api-keys').expect(200);
    expect(body.items.find((k: { id: string }) => k.id === kept.id).revokedAt).toBeNull();
  });

  it("answers 404 for another organisation's key", async () => {
    const created = await createApiKey(admin);
    const globex = await signIn(t.app, 'admin@globex.example');
    await globex.agent
      .post(`/api/api-keys/${created.id}/revoke`)
      .set('X-CSRF-Token', globex.csrfToken)
      .expect(404);
    const { body } = await globex.agent.get('/api/api-keys').expect(200);
    expect(body.items.map((k: { id: string }) => k.id)).not.toContain(created.id);
  });

  it('lets only admins see or make keys', async () => {
    const support = await signIn(t.app, 'support@acme.example');
    await support.agent.get('/api/api-keys').expect(403);
    await support.agent
      .post('/api/api-keys')
      .set('X-CSRF-Token', support.csrfToken)
      .send({ name: 'x', mode: 'test', allowedOrigins: [] })
      .expect(403);
  });
});
