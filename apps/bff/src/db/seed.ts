import { createHash } from 'node:crypto';
import type { Database } from './database';
import { hashToken } from '../security/tokens';

export const DEMO_PASSWORD = 'demo-password';
export const DEMO_INSTANCE_ID = 'mkt_eu';
const ROLES = ['admin', 'support', 'operator'] as const;

/**
 * Demo devices get tokens derived from their ID so that the device simulator can play them.
 * Only the seeded demo database uses this; real devices get random tokens.
 */
export function demoDeviceToken(deviceId: string): string {
  return `devtok_demo_${createHash('sha256').update(`demo-device:${deviceId}`).digest('base64url').slice(0, 32)}`;
}

type SeedItem = {
  id: string;
  name: string;
  description: string;
  price: number;
  listed: boolean;
  models: string[];
  releases: { version: string; minFirmware: string; models?: string[]; publishedAt: string }[];
};

type SeedOrg = {
  id: string;
  slug: string;
  name: string;
  connectedAccount: string | null;
  devicePrefix: string;
  deviceCount: number;
  sites: string[];
  items: SeedItem[];
};

/**
 * The demo organisation's connected account exists only on the embedded emulator: with real
 * Stripe keys it would name an account Stripe does not know (see stripe/connected-accounts.ts).
 */
export const DEMO_CONNECTED_ACCOUNTS: ReadonlySet<string> = new Set(['acct_demo_acme']);

const MODELS = [
  { model: 'thermo-x1', code: 'TX1', label: 'thermostat', firmware: ['1.8.0', '2.0.1', '2.4.0'] },
  { model: 'cam-c3', code: 'CC3', label: 'camera', firmware: ['3.1.0', '3.2.5', '4.0.0'] },
  { model: 'gateway-g3', code: 'GW3', label: 'gateway', firmware: ['5.0.0', '5.2.1'] },
  { model: 'meter-m2', code: 'MM2', label: 'meter', firmware: ['1.0.4', '1.1.0', '1.2.0'] },
] as const;

const ORGS: SeedOrg[] = [
  {
    id: 'org_acme',
    slug: 'acme',
    name: 'Acme Devices',
    connectedAccount: 'acct_demo_acme',
    devicePrefix: 'ACM',
    deviceCount: 40,
    sites: ['berlin', 'lyon', 'madrid'],
    items: [
      {
        id: 'item_eco_scheduler',
        name: 'Eco Scheduler',
        description: 'Learns occupancy and shifts heating to cheaper, greener hours.',
        price: 1499,
        listed: true,
        models: ['thermo-x1'],
        releases: [
          { version: '1.0.0', minFirmware: '1.8.0', publishedAt: '2026-03-02T09:00:00Z' },
          { version: '2.0.0', minFirmware: '2.4.0', publishedAt: '2026-09-14T09:00:00Z' },
        ],
      },
      {
        id: 'item_motion_ai',
        name: 'Motion AI',
        description: 'On-device person and vehicle detection with privacy zones.',
        price: 2999,
        listed: true,
        models: ['cam-c3'],
        releases: [
          { version: '1.2.0', minFirmware: '3.1.0', publishedAt: '2026-01-20T09:00:00Z' },
          { version: '2.0.0', minFirmware: '4.0.0', publishedAt: '2026-10-01T09:00:00Z' },
        ],
      },
      {
        id: 'item_vpn_pro',
        name: 'Gateway VPN Pro',
        description: 'WireGuard tunnels to your cloud, managed from the dashboard.',
        price: 4900,
        listed: true,
        models: ['gateway-g3'],
        releases: [{ version: '3.1.0', minFirmware: '5.2.1', publishedAt: '2026-06-11T09:00:00Z' }],
      },
      {
        id: 'item_tariff_sync',
        name: 'Tariff Sync',
        description: 'Keeps meters on the current energy tariff automatically.',
        price: 999,
        listed: true,
        models: ['meter-m2'],
        releases: [{ version: '1.4.2', minFirmware: '1.1.0', publishedAt: '2026-05-05T09:00:00Z' }],
      },
      {
        id: 'item_energy_insights',
        name: 'Energy Insights',
        description: 'Free daily energy reports for thermostats and meters.',
        price: 0,
        listed: true,
        models: ['thermo-x1', 'meter-m2'],
        releases: [{ version: '0.9.0', minFirmware: '1.0.4', publishedAt: '2026-02-01T09:00:00Z' }],
      },
      {
        id: 'item_fleet_diagnostics',
        name: 'Fleet Diagnostics',
        description: 'Free health checks and log upload for every device model.',
        price: 0,
        listed: true,
        models: ['thermo-x1', 'cam-c3', 'gateway-g3', 'meter-m2'],
        releases: [
          {
            version: '2.2.0',
            minFirmware: '1.0.0',
            models: ['thermo-x1', 'cam-c3', 'gateway-g3', 'meter-m2'],
            publishedAt: '2026-04-15T09:00:00Z',
          },
        ],
      },
      {
        id: 'item_night_vision',
        name: 'Night Vision Boost',
        description: 'Low-light enhancement for cameras. In private beta.',
        price: 1999,
        listed: false,
        models: ['cam-c3'],
        releases: [{ version: '0.3.0', minFirmware: '3.2.5', publishedAt: '2026-08-08T09:00:00Z' }],
      },
      {
        id: 'item_legacy_bridge',
        name: 'Legacy Protocol Bridge',
        description: 'Modbus and BACnet bridging for older gateways. Retired from sale.',
        price: 2500,
        listed: false,
        models: ['gateway-g3'],
        releases: [{ version: '1.0.0', minFirmware: '5.0.0', publishedAt: '2025-11-30T09:00:00Z' }],
      },
    ],
  },
  {
    id: 'org_globex',
    slug: 'globex',
    name: 'Globex Corporation',
    connectedAccount: null,
    devicePrefix: 'GLX',
    deviceCount: 20,
    sites: ['springfield', 'shelbyville'],
    items: [
      {
        id: 'item_globex_lock_sync',
        name: 'Smart Lock Sync',
        description: 'Keeps access lists in sync across gateways.',
        price: 1200,
        listed: true,
        models: ['gateway-g3'],
        releases: [{ version: '1.0.0', minFirmware: '5.0.0', publishedAt: '2026-07-07T09:00:00Z' }],
      },
      {
        id: 'item_globex_heat_map',
        name: 'Heat Map',
        description: 'Building heat maps from thermostat readings.',
        price: 800,
        listed: true,
        models: ['thermo-x1'],
        releases: [{ version: '1.1.0', minFirmware: '2.0.1', publishedAt: '2026-07-21T09:00:00Z' }],
      },
      {
        id: 'item_globex_watch',
        name: 'Perimeter Watch',
        description: 'Line-crossing alerts for cameras.',
        price: 2200,
        listed: true,
        models: ['cam-c3'],
        releases: [{ version: '0.8.0', minFirmware: '3.2.5', publishedAt: '2026-08-30T09:00:00Z' }],
      },
      {
        id: 'item_globex_free_logs',
        name: 'Log Shipper',
        description: 'Free log forwarding.',
        price: 0,
        listed: true,
        models: ['thermo-x1', 'cam-c3', 'gateway-g3', 'meter-m2'],
        releases: [{ version: '1.0.0', minFirmware: '1.0.0', publishedAt: '2026-03-03T09:00:00Z' }],
      },
    ],
  },
];

/**
 * The published demo password, hashed once ahead of time (at hashPassword's cost) for every demo
 * user: hashing it per user and per seeded database at the full scrypt cost would slow every
 * start and every test app. A salt shared by demo accounts reveals nothing the printed password
 * does not.
 */
export const DEMO_PASSWORD_HASH =
  'scrypt$131072$8$1$i2WvUHIMIy6lNeZ6zTNypw==$9o4YfFQaVk8OBZaNlWp+1ZJk2RD5fs1lAt6ZZxP/h9Q=';

function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * Fills the demo marketplace. Every row has a fixed ID and is inserted with OR IGNORE,
 * so running it again changes nothing.
 */
export async function seedDemoData(db: Database, now = new Date()): Promise<void> {
  const createdAt = now.toISOString();
  const passwordHash = DEMO_PASSWORD_HASH;

  db.transaction(() => {
    db.prepare(
      `INSERT OR IGNORE INTO marketplace_instances (id, name, currency, platform_fee_bps, created_at)
       VALUES (?, ?, ?, ?, ?)`,
    ).run(DEMO_INSTANCE_ID, 'Device Marketplace Europe', 'eur', 500, createdAt);

    const insertOrg = db.prepare(
      `INSERT OR IGNORE INTO organisations (id, slug, name, stripe_connected_account, created_at)
       VALUES (?, ?, ?, ?, ?)`,
    );
    const linkOrg = db.prepare(
      'INSERT OR IGNORE INTO organisation_instances (organisation_id, instance_id) VALUES (?, ?)',
    );
    const insertUser = db.prepare(
      `INSERT OR IGNORE INTO users (id, organisation_id, email, password_hash, role, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const insertItem = db.prepare(
      `INSERT OR IGNORE INTO marketplace_items
         (id, instance_id, organisation_id, name, description, price_amount, currency, listed, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'eur', ?, ?)`,
    );
    const insertItemModel = db.prepare(
      'INSERT OR IGNORE INTO item_compatible_models (item_id, model) VALUES (?, ?)',
    );
    const insertRelease = db.prepare(
      `INSERT OR IGNORE INTO releases (id, item_id, version, min_firmware, published_at)
       VALUES (?, ?, ?, ?, ?)`,
    );
    const insertReleaseModel = db.prepare(
      'INSERT OR IGNORE INTO release_compatible_models (release_id, model) VALUES (?, ?)',
    );
    const insertDevice = db.prepare(
      `INSERT OR IGNORE INTO devices
         (id, organisation_id, name, model, firmware_version, token_hash, last_seen_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertTag = db.prepare(
      'INSERT OR IGNORE INTO device_tags (device_id, tag) VALUES (?, ?)',
    );

    for (const org of ORGS) {
      insertOrg.run(org.id, org.slug, org.name, org.connectedAccount, createdAt);
      linkOrg.run(org.id, DEMO_INSTANCE_ID);
      for (const role of ROLES) {
        const email = `${role}@${org.slug}.example`;
        insertUser.run(`usr_${org.slug}_${role}`, org.id, email, passwordHash, role, createdAt);
      }
      for (const item of org.items) {
        insertItem.run(
          item.id,
          DEMO_INSTANCE_ID,
          org.id,
          item.name,
          item.description,
          item.price,
          item.listed ? 1 : 0,
          createdAt,
        );
        for (const model of item.models) insertItemModel.run(item.id, model);
        for (const release of item.releases) {
          const releaseId = `rel_${item.id.replace(/^item_/, '')}_${release.version.replaceAll('.', '_')}`;
          insertRelease.run(
            releaseId,
            item.id,
            release.version,
            release.minFirmware,
            release.publishedAt,
          );
          for (const model of release.models ?? item.models)
            insertReleaseModel.run(releaseId, model);
        }
      }
      for (let n = 1; n <= org.deviceCount; n += 1) {
        const spec = MODELS[n % MODELS.length]!;
        const site = org.sites[n % org.sites.length]!;
        const id = demoDeviceId(org, n);
        const firmware = spec.firmware[Math.floor(n / MODELS.length) % spec.firmware.length]!;
        const lastSeen = new Date(now.getTime() - n * 37 * 60_000).toISOString();
        insertDevice.run(
          id,
          org.id,
          `${titleCase(site)} ${spec.label} ${n}`,
          spec.model,
          firmware,
          hashToken(demoDeviceToken(id)),
          lastSeen,
          createdAt,
        );
        insertTag.run(id, `site:${site}`);
        insertTag.run(id, n % 5 === 0 ? 'env:lab' : 'env:production');
      }
    }
  })();
}

function demoDeviceId(org: SeedOrg, n: number): string {
  return `${org.devicePrefix}-${MODELS[n % MODELS.length]!.code}-${String(n).padStart(4, '0')}`;
}

/** The seeded fleet's device IDs, of one organisation (by slug) or of all. */
export function demoDeviceIds(slug?: string): string[] {
  return ORGS.filter((org) => !slug || org.slug === slug).flatMap((org) =>
    Array.from({ length: org.deviceCount }, (_, i) => demoDeviceId(org, i + 1)),
  );
}

export const DEMO_LOGINS = ORGS.flatMap((org) =>
  ROLES.map((role) => `${role}@${org.slug}.example`),
);
