import { describe, expect, it } from 'vitest';
import { auditEntrySchema, auditQuerySchema } from './audit';

describe('auditQuerySchema', () => {
  it('takes every filter, a cursor and a limit from the query string', () => {
    const query = auditQuerySchema.parse({
      actor: ' admin@acme.example ',
      action: 'purchase.refund',
      objectType: 'purchase',
      objectId: 'pur_1',
      from: '2026-11-01',
      to: '2026-11-30',
      cursor: 'abc',
      limit: '50',
    });
    expect(query).toMatchObject({ actor: 'admin@acme.example', limit: 50 });
    expect(auditQuerySchema.parse({}).limit).toBe(25);
  });

  it('refuses a misspelt filter, a malformed action and bounds out of order', () => {
    expect(auditQuerySchema.safeParse({ actions: 'auth.login' }).success).toBe(false);
    expect(auditQuerySchema.safeParse({ action: 'DROP TABLE' }).success).toBe(false);
    const backwards = auditQuerySchema.safeParse({ from: '2026-11-02', to: '2026-11-01' });
    expect(backwards.error?.issues[0]?.path).toEqual(['to']);
  });
});

describe('auditEntrySchema', () => {
  it('says who acted: a user, an API key, a payment link or the marketplace itself', () => {
    const entry = (actor: unknown) =>
      auditEntrySchema.safeParse({
        id: 1,
        actor,
        action: 'checkout.create',
        objectType: 'checkout_session',
        objectId: 'chk_1',
        details: { apiKeyId: 'key_1', itemIds: ['item_eco_scheduler'] },
        requestId: null,
        createdAt: '2026-11-20T10:00:00.000Z',
      }).success;
    expect(entry({ type: 'user', userId: 'usr_1', email: 'admin@acme.example' })).toBe(true);
    expect(entry({ type: 'api_key', apiKeyId: 'key_1', name: null, prefix: null })).toBe(true);
    expect(entry({ type: 'payment_link', paymentLinkId: 'plink_1' })).toBe(true);
    expect(entry({ type: 'system' })).toBe(true);
    expect(entry({ type: 'robot' })).toBe(false);
  });
});
