import type { RequestHandler } from 'express';

/**
 * For answers that carry a secret (a new API key or webhook secret, a payment link's address, a
 * CSRF token): no browser, proxy or back/forward cache may keep a copy.
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
