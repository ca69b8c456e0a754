import { z } from 'zod';
import { compareFirmware } from '@repo/domain';
import type { Device, DeviceFacets, DeviceIds, DevicesPage, DevicesQuery } from '@repo/schemas';
import type { Database } from '../../db/database';
import { decodeCursor, keysetPage, likeLiteral } from '../../http/cursor';

type DeviceRow = {
  id: string;
  name: string;
  model: string;
  firmwareVersion: string;
  tags: string | null;
  lastSeenAt: string | null;
};

const deviceCursorSchema = z.object({ id: z.string() });

const DEVICE_COLUMNS = `d.id, d.name, d.model, d.firmware_version AS firmwareVersion,
  d.last_seen_at AS lastSeenAt,
  (SELECT json_group_array(tag) FROM (SELECT tag FROM device_tags WHERE device_id = d.id ORDER BY tag)) AS tags`;

function toDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    name: row.name,
    model: row.model,
    firmwareVersion: row.firmwareVersion,
    tags: row.tags ? (JSON.parse(row.tags) as string[]) : [],
    lastSeenAt: row.lastSeenAt,
  };
}

export type DeviceFilters = Omit<DevicesQuery, 'cursor' | 'limit'>;

export function createDevicesRepo(db: Database) {
  const byId = db.prepare(
    `SELECT ${DEVICE_COLUMNS} FROM devices d WHERE d.organisation_id = ? AND d.id = ?`,
  );
  const facets = {
    models: db
      .prepare('SELECT DISTINCT model FROM devices WHERE organisation_id = ? ORDER BY model')
      .pluck(),
    firmware: db
      .prepare('SELECT DISTINCT firmware_version FROM devices WHERE organisation_id = ?')
      .pluck(),
    tags: db
      .prepare(
        `SELECT DISTINCT t.tag FROM device_tags t JOIN devices d ON d.id = t.device_id
         WHERE d.organisation_id = ? ORDER BY t.tag`,
      )
      .pluck(),
  };

  function where(organisationId: string, filters: DeviceFilters) {
    const clauses = ['d.organisation_id = @organisationId'];
    const params: Record<string, string> = { organisationId };
    if (filters.q) {
      clauses.push(`(d.id LIKE @idPrefix ESCAPE '\\' OR d.name LIKE @nameMatch ESCAPE '\\')`);
      params.idPrefix = `${likeLiteral(filters.q)}%`;
      params.nameMatch = `%${likeLiteral(filters.q)}%`;
    }
    if (filters.model) {
      clauses.push('d.model = @model');
      params.model = filters.model;
    }
    if (filters.firmware) {
      clauses.push('d.firmware_version = @firmware');
      params.firmware = filters.firmware;
    }
    if (filters.tag) {
      clauses.push(
        'EXISTS (SELECT 1 FROM device_tags t WHERE t.device_id = d.id AND t.tag = @tag)',
      );
      params.tag = filters.tag;
    }
    if (filters.entitlement) {
      clauses.push(
        `${filters.entitlement === 'none' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM entitlements e
           WHERE e.device_id = d.id AND e.status = 'active')`,
      );
    }
    return { sql: clauses.join(' AND '), params };
  }

  const countMatching = (filter: ReturnType<typeof where>) =>
    db
      .prepare(`SELECT count(*) FROM devices d WHERE ${filter.sql}`)
      .pluck()
      .get(filter.params) as number;

  return {
    list(
      organisationId: string,
      query: DeviceFilters & { cursor?: string; limit: number },
    ): DevicesPage {
      const after = decodeCursor(deviceCursorSchema, query.cursor);
      const filter = where(organisationId, query);
      const total = countMatching(filter);
      const rows = db
        .prepare(
          `SELECT ${DEVICE_COLUMNS} FROM devices d
           WHERE ${filter.sql} ${after ? 'AND d.id > @afterId' : ''}
           ORDER BY d.id LIMIT @limit`,
        )
        .all({
          ...filter.params,
          ...(after ? { afterId: after.id } : {}),
          limit: query.limit + 1,
        }) as DeviceRow[];
      return {
        ...keysetPage(rows, query.limit, toDevice, (last) => ({ id: last.id })),
        total,
      };
    },

    /** Every matching ID, up to a cap: for "select all that match" in the device picker. */
    ids(organisationId: string, filters: DeviceFilters, cap: number): DeviceIds {
      const filter = where(organisationId, filters);
      const ids = db
        .prepare(`SELECT d.id FROM devices d WHERE ${filter.sql} ORDER BY d.id LIMIT @cap`)
        .pluck()
        .all({ ...filter.params, cap: cap + 1 }) as string[];
      const total = countMatching(filter);
      return { ids: ids.slice(0, cap), total, truncated: ids.length > cap };
    },

    find(organisationId: string, deviceId: string): Device | undefined {
      const row = byId.get(organisationId, deviceId) as DeviceRow | undefined;
      return row && toDevice(row);
    },

    facets(organisationId: string): DeviceFacets {
      return {
        models: facets.models.all(organisationId) as string[],
        firmwareVersions: (facets.firmware.all(organisationId) as string[]).sort(compareFirmware),
        tags: facets.tags.all(organisationId) as string[],
      };
    },
  };
}
export type DevicesRepo = ReturnType<typeof createDevicesRepo>;
