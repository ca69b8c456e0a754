import type { Request } from 'express';

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive. */
export function bearerToken(req: Request): string | undefined {
  const [scheme, token, ...rest] = (req.header('authorization') ?? '').trim().split(/\s+/);
  return scheme?.toLowerCase() === 'bearer' && token && rest.length === 0 ? token : undefined;
}
