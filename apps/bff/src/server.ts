import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemoData } from './db/seed';
import { createLogger } from './logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const db = openDatabase(config.databasePath);
  const isNew = (db.prepare('SELECT count(*) FROM organisations').pluck().get() as number) === 0;
  if (config.seedDemoData) await seedDemoData(db);

  const app = createApp({ config, db, logger });
  const server = app.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);
    const lines = [
      '',
      `  Device marketplace dashboard is running: ${url}`,
      `  Database: ${config.databasePath}${isNew ? ' (created)' : ''}`,
    ];
    if (config.seedDemoData) {
      lines.push(
        `  Demo logins (password "${DEMO_PASSWORD}"):`,
        ...DEMO_LOGINS.map((email) => `    ${email}`),
      );
    }
    console.log(lines.join('\n') + '\n');
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    server.close(() => {
      db.close();
      clearTimeout(force);
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
