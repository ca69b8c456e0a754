import { Router } from 'express';
import { auditFiltersSchema, auditQuerySchema } from '@repo/schemas';
import { actorOf, requireRole } from '../../http/auth';
import { sendCsv } from '../../http/csv-response';
import { parseQuery } from '../../http/validate';
import { AUDIT_CSV_COLUMNS, type AuditService } from './audit.service';

/** The audit log: admins only, as the whole organisation's doings are in it. */
export function auditRoutes({ audit }: { audit: AuditService }): Router {
  const router = Router();
  const adminOnly = requireRole('admin');

  router.get('/audit', adminOnly, async (req, res) => {
    res.json(await audit.list(actorOf(req), parseQuery(auditQuerySchema, req)));
  });

  router.get('/audit/export.csv', adminOnly, async (req, res) => {
    const filters = parseQuery(auditFiltersSchema, req);
    await sendCsv(req, res, {
      name: 'audit-log',
      columns: AUDIT_CSV_COLUMNS,
      records: audit.exportRows(actorOf(req), filters),
    });
  });

  return router;
}
