import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../db/database';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
/** Marks a sealed value, so that it is told apart from anything else. */
const PREFIX = 'sealed:v1:';
const KEY_CHECK = 'secrets_key_check';

export class SecretsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsKeyError';
  }
}

/**
 * Encrypts the secrets the server must read back (the cookie-signing secret, webhook signing
 * secrets, payment-link tokens) with AES-256-GCM under a key that is not in the database, so a
 * copy of the SQLite file alone signs nothing. `context` is bound to each value as associated
 * data: a sealed value moved to another row or column does not open.
 */
export type SecretBox = {
  seal: (value: string, context: string) => string;
  open: (sealed: string, context: string) => string;
};

export const isSealed = (value: string) => value.startsWith(PREFIX);

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES)
    throw new SecretsKeyError(`The secrets key must be ${KEY_BYTES} bytes.`);
  return {
    seal(value, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, key, iv).setAAD(Buffer.from(context));
      const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      return PREFIX + [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
    },
    open(sealed, context) {
      if (!isSealed(sealed)) throw new SecretsKeyError('The value is not sealed.');
      const [iv, tag, data] = sealed
        .slice(PREFIX.length)
        .split('.')
        .map((part) => Buffer.from(part, 'base64url'));
      const decipher = createDecipheriv(ALGORITHM, key, iv!).setAAD(Buffer.from(context));
      decipher.setAuthTag(tag!);
      return Buffer.concat([decipher.update(data!), decipher.final()]).toString('utf8');
    },
  };
}

/** `SECRETS_KEY` when set; otherwise the key file beside the database, made (0600) on first start. */
export function loadSecretsKey(configured: Buffer | undefined, databasePath: string): Buffer {
  if (configured) return configured;
  const file = secretsKeyFile(databasePath);
  try {
    // `wx`: never overwrite a key that appeared meanwhile; the mode applies only when creating.
    fs.writeFileSync(file, randomBytes(KEY_BYTES).toString('base64url') + '\n', {
      flag: 'wx',
      mode: 0o600,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // A key file left readable by others (copied, restored from a backup) is narrowed like the database.
  fs.chmodSync(file, 0o600);
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
  if (key.length !== KEY_BYTES)
    throw new SecretsKeyError(`${file} does not hold a ${KEY_BYTES}-byte base64url key.`);
  return key;
}

export const secretsKeyFile = (databasePath: string) =>
  path.join(path.dirname(databasePath), `${path.basename(databasePath)}.key`);

/**
 * The secret box for this database: checks that the key is the one its secrets were sealed with,
 * failing the start clearly rather than every request later.
 */
export async function openSecretBox(database: Database, key: Buffer): Promise<SecretBox> {
  const box = createSecretBox(key);
  const context = `settings:${KEY_CHECK}`;
  // Several instances may start at once: the first writes the check, the others read it.
  await database.db
    .insertInto('settings')
    .values({ key: KEY_CHECK, value: box.seal(KEY_CHECK, context) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const check = await database.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', KEY_CHECK)
    .executeTakeFirstOrThrow();
  try {
    box.open(check.value, context);
  } catch {
    throw new SecretsKeyError(
      'The secrets key does not open this database: SECRETS_KEY (or the key file beside the database) is not the key its secrets were sealed with.',
    );
  }
  return box;
}

export const webhookSecretContext = (endpointId: string) =>
  `webhook_endpoints.secret:${endpointId}`;
export const paymentLinkTokenContext = (linkId: string) => `payment_links.token:${linkId}`;
