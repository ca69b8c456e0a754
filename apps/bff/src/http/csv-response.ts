import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Request, Response } from 'express';

/**
 * Streams CSV records to the client as a download named `<name>-<today>.csv`. The records are
 * read only as fast as the client takes them: pipeline waits on 'drain' when it reads slowly,
 * and stops reading if it leaves.
 */
export async function sendCsv(
  req: Request,
  res: Response,
  download: { name: string; columns: readonly string[]; records: Readable },
): Promise<void> {
  const day = new Date().toISOString().slice(0, 10);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${download.name}-${day}.csv"`);
  res.setHeader('Cache-Control', 'no-store');
  try {
    await pipeline(
      download.records,
      stringify({ header: true, columns: [...download.columns] }),
      res,
    );
  } catch (error) {
    if (!res.headersSent) {
      res.removeHeader('Content-Disposition');
      throw error;
    }
    // The client went away: nothing to answer. Anything else is logged, and the CSV is cut
    // short rather than ended cleanly, so that nobody takes a partial file for a whole one.
    if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE')
      req.log.error({ err: error }, `the ${download.name} export failed`);
    res.destroy();
  }
}
