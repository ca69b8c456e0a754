import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config';

/** To stdout; `destination` lets a test read what the log keeps. */
export function createLogger(level: Config['logLevel'], destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * A request's URL as the request log may keep it: a payment link's token is the whole of its
 * protection (whoever holds the link may pay), so it never reaches the log; nor does more of an
 * API key pasted into the search box than the prefix the key list shows.
 */
export const loggableUrl = (url: string) =>
  url
    .replace(/^\/pay\/[^/?#]+/i, '/pay/[redacted]')
    .replace(/(mk_(?:test|live)_[\w-]{4})[\w-]+/g, '$1[redacted]');
