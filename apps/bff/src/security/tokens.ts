import { createHash, randomBytes } from 'node:crypto';

/** High-entropy tokens need no slow hash: a SHA-256 digest is enough to store them safely. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(prefix: string, bytes = 24): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}
