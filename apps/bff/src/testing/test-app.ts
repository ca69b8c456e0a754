import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import supertest from 'supertest';
import { createApp } from '../app';
import { loadConfig, type Config } from '../config';
import { openDatabase, type Database } from '../db/database';
import { DEMO_PASSWORD, seedDemoData } from '../db/seed';

export type TestApp = {
  app: ReturnType<typeof createApp>;
  db: Database;
  config: Config;
  close: () => void;
};

/** The real app over a real SQLite file in a fresh temporary folder, seeded with the demo data. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bff-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_PATH: path.join(dir, 'test.sqlite'),
    DASHBOARD_DIST: path.join(dir, 'no-dashboard'),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const db = openDatabase(config.databasePath);
  await seedDemoData(db);
  const app = createApp({ config, db, logger: pino({ level: 'silent' }) });
  return {
    app,
    db,
    config,
    close: () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A cookie-keeping client with a CSRF token, as the dashboard is after loading. */
export async function anonymousClient(app: TestApp['app']) {
  const agent = supertest.agent(app);
  const { body } = await agent.get('/api/auth/csrf').expect(200);
  return { agent, csrfToken: body.csrfToken as string };
}

/** Signs in as a demo user, e.g. signIn(app, 'support@acme.example'). */
export async function signIn(app: TestApp['app'], email: string) {
  const { agent, csrfToken } = await anonymousClient(app);
  const res = await agent
    .post('/api/auth/login')
    .set('X-CSRF-Token', csrfToken)
    .send({ email, password: DEMO_PASSWORD })
    .expect(200);
  return { agent, csrfToken: res.body.csrfToken as string };
}
