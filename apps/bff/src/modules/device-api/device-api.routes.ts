import express, { Router, type RequestHandler } from 'express';
import { deviceJobReportSchema } from '@repo/schemas';
import { bearerToken } from '../../http/bearer';
import { AppError } from '../../http/errors';
import { parseBody, parseParams } from '../../http/validate';
import { hashToken } from '../../security/tokens';
import { installParamsSchema } from '../installs/installs.routes';
import type { InstallDevice, InstallsService } from '../installs/installs.service';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own extension point
  namespace Express {
    interface Request {
      device?: InstallDevice;
    }
  }
}

/** A device proves who it is with its own token; nothing else opens this API. */
function requireDevice(installs: InstallsService): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req);
    const device = token ? await installs.authenticateDevice(hashToken(token)) : undefined;
    if (!device) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="device-api"');
      throw new AppError(
        401,
        'DEVICE_UNAUTHENTICATED',
        'Send the device token as "Authorization: Bearer <token>".',
      );
    }
    req.device = device;
    next();
  };
}

function deviceOf(req: { device?: InstallDevice }): InstallDevice {
  if (!req.device) throw new AppError(401, 'DEVICE_UNAUTHENTICATED', 'No device token.');
  return req.device;
}

/** The device API: no session and no CSRF; a bearer token is not sent by browsers on its own. */
export function deviceApiRoutes({ installs }: { installs: InstallsService }): Router {
  const router = Router();
  router.use(express.json({ limit: '10kb' }));
  router.use(requireDevice(installs));

  router.get('/jobs/next', async (req, res) => {
    const job = await installs.nextJob(deviceOf(req));
    if (!job) res.status(204).end();
    else res.json(job);
  });

  router.post('/jobs/:id/status', async (req, res) => {
    const { id } = parseParams(installParamsSchema, req);
    const report = parseBody(deviceJobReportSchema, req);
    res.json(await installs.report(deviceOf(req), id, report));
  });

  return router;
}
