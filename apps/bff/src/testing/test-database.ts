import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type DatabaseTarget, type Dialect } from '../db/database';
import { seedDemoData } from '../db/seed';

/**
 * Which database the integration tests run on: SQLite unless TEST_DATABASE=postgres, which needs
 * TEST_POSTGRES_URL (a server the tests may create and drop databases on; `scripts/postgres.sh
 * run` starts one). CI runs the whole suite once on each.
 */
export const TEST_DIALECT: Dialect =
  process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

function postgresUrl(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) {
    throw new Error(
      'TEST_DATABASE=postgres needs TEST_POSTGRES_URL: run the tests through scripts/postgres.sh run.',
    );
  }
  return url;
}

const withDatabaseName = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

export type TestDatabase = {
  target: DatabaseTarget;
  /** The environment that points the app's configuration at it. */
  env: Record<string, string>;
  /** A folder of its own, for the SQLite file, its key file and anything else a test writes. */
  dir: string;
  drop(): Promise<void>;
};

/**
 * A migrated and seeded template, made once per test process and copied for each test app:
 * a copy costs milliseconds, a migration and seed far more. On PostgreSQL it is a database that
 * CREATE DATABASE … TEMPLATE copies; on SQLite a file.
 */
let template: Promise<string> | undefined;

async function makeTemplate(): Promise<string> {
  const name = `tpl_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (TEST_DIALECT === 'postgres') {
    await admin(async (client) => client.query(`CREATE DATABASE ${name}`));
    const database = await openDatabase({ postgresUrl: withDatabaseName(postgresUrl(), name) });
    await seedDemoData(database);
    await database.close();
    return name;
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bff-template-')), `${name}.sqlite`);
  const database = await openDatabase({ sqlitePath: file });
  await seedDemoData(database);
  await database.close();
  return file;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A database of its own for one test app, seeded with the demo data, on the dialect under test;
 * `empty`: one that nothing has touched yet, as on a first start.
 */
export async function createTestDatabase({ empty = false } = {}): Promise<TestDatabase> {
  template ??= makeTemplate();
  const source = await template;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bff-test-'));
  if (TEST_DIALECT === 'postgres') {
    const name = `t_${process.pid}_${randomBytes(6).toString('hex')}`;
    await admin((client) =>
      client.query(`CREATE DATABASE ${name}${empty ? '' : ` TEMPLATE ${source}`}`),
    );
    const url = withDatabaseName(postgresUrl(), name);
    return {
      target: { postgresUrl: url, poolSize: 5 },
      env: { DATABASE_URL: url, DATABASE_POOL_SIZE: '5' },
      dir,
      async drop() {
        await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const file = path.join(dir, 'test.sqlite');
  if (!empty) {
    fs.copyFileSync(source, file);
    fs.chmodSync(file, 0o600);
  }
  return {
    target: { sqlitePath: file },
    env: { DATABASE_PATH: file },
    dir,
    async drop() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
