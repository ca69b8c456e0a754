import { Router } from 'express';
import { z } from 'zod';
import { createApiKeyRequestSchema, type CreatedApiKey } from '@repo/schemas';
import type { Database } from '../../db/database';
import { actorOf, requireRole } from '../../http/auth';
import { noStore } from '../../http/no-store';
import { notFound } from '../../http/errors';
import { parseBody, parseParams } from '../../http/validate';
import { newId } from '../../ids';
import { hashToken, newToken } from '../../security/tokens';
import type { AuditRepo } from '../audit/audit.repo';
import type { ApiKeysRepo } from './api-keys.repo';

const keyParamsSchema = z.object({
  id: z.string().regex(/^key_[a-f0-9]{32}$/, 'not an API key id'),
});

/** How much of the secret is kept in clear, to tell keys apart: `mk_test_` and four characters. */
const shownPrefix = (secret: string) => secret.slice(0, secret.indexOf('_', 3) + 5);

/** The dashboard's admin routes for API keys; the secret leaves the server once, on create. */
export function apiKeysRoutes({
  db,
  apiKeys,
  audit,
}: {
  db: Database;
  apiKeys: ApiKeysRepo;
  audit: AuditRepo;
}): Router {
  const router = Router();

  router.get('/api-keys', requireRole('admin'), (req, res) => {
    res.json({ items: apiKeys.list(actorOf(req).organisationId) });
  });

  router.post('/api-keys', requireRole('admin'), noStore, (req, res) => {
    const body = parseBody(createApiKeyRequestSchema, req);
    const actor = actorOf(req);
    const secret = newToken(`mk_${body.mode}`, 24);
    const id = newId('key');
    db.transaction(() => {
      apiKeys.insert({
        id,
        organisationId: actor.organisationId,
        mode: body.mode,
        name: body.name,
        prefix: shownPrefix(secret),
        hash: hashToken(secret),
        allowedOrigins: body.allowedOrigins,
        createdBy: actor.userId,
        createdAt: new Date().toISOString(),
      });
      audit.record({
        organisationId: actor.organisationId,
        userId: actor.userId,
        action: 'api_key.create',
        objectType: 'api_key',
        objectId: id,
        details: { name: body.name, mode: body.mode, allowedOrigins: body.allowedOrigins },
        requestId: String(req.id),
      });
    })();
    const created: CreatedApiKey = { ...apiKeys.find(actor.organisationId, id)!, secret };
    res.status(201).json(created);
  });

  router.post('/api-keys/:id/revoke', requireRole('admin'), (req, res) => {
    const { id } = parseParams(keyParamsSchema, req);
    const actor = actorOf(req);
    const key = apiKeys.find(actor.organisationId, id);
    if (!key) throw notFound('API key');
    db.transaction(() => {
      if (!apiKeys.revoke(actor.organisationId, id, actor.userId)) return;
      audit.record({
        organisationId: actor.organisationId,
        userId: actor.userId,
        action: 'api_key.revoke',
        objectType: 'api_key',
        objectId: id,
        requestId: String(req.id),
      });
    })();
    res.json(apiKeys.find(actor.organisationId, id));
  });

  return router;
}
