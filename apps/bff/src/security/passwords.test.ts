import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PASSWORD_HASH } from '../db/seed';
import { legacyPasswordHash } from '../testing/legacy-password-hash';
import { hashPassword, needsRehash, verifyPassword } from './passwords';

describe('password hashes', () => {
  it("hash at OWASP's minimum cost for scrypt (N=2^17, r=8, p=1)", async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('wrong horse', hash)).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it('still verify a hash made at the old cost, and mark it for an upgrade', async () => {
    const old = legacyPasswordHash('correct horse');
    expect(await verifyPassword('correct horse', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
  });

  it("include the demo users' one, made ahead of time at the current cost", async () => {
    expect(needsRehash(DEMO_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword(DEMO_PASSWORD, DEMO_PASSWORD_HASH)).toBe(true);
  });

  it('leave the event loop free while hashing', async () => {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    await hashPassword('correct horse');
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
  });
});
