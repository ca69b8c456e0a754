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
 * Fills the demo marketplace. Every row has a fixed ID and is inserted only when missing, so
 * running it again, or on two instances starting at once, changes nothing.
 */
export async function seedDemoData(database: Database, now = new Date()): Promise<void> {
  const createdAt = now.toISOString();
  const instances = [
    {
      id: DEMO_INSTANCE_ID,
      name: 'Device Marketplace Europe',
      currency: 'eur',
      platformFeeBps: 500,
      createdAt,
    },
  ];
  const organisations = ORGS.map((org) => ({
    id: org.id,
    slug: org.slug,
    name: org.name,
    stripeConnectedAccount: org.connectedAccount,
    createdAt,
  }));
  const organisationInstances = ORGS.map((org) => ({
    organisationId: org.id,
    instanceId: DEMO_INSTANCE_ID,
  }));
  const users = ORGS.flatMap((org) =>
    ROLES.map((role) => ({
      id: `usr_${org.slug}_${role}`,
      organisationId: org.id,
      email: `${role}@${org.slug}.example`,
      passwordHash: DEMO_PASSWORD_HASH,
      role,
      createdAt,
    })),
  );
  const items = ORGS.flatMap((org) =>
    org.items.map((item) => ({
      id: item.id,
      instanceId: DEMO_INSTANCE_ID,
      organisationId: org.id,
      name: item.name,
      description: item.description,
      priceAmount: item.price,
      currency: 'eur',
      listed: item.listed ? (1 as const) : (0 as const),
      createdAt,
    })),
  );
  const allItems = ORGS.flatMap((org) => org.items);
  const itemModels = allItems.flatMap((item) =>
    item.models.map((model) => ({ itemId: item.id, model })),
  );
  const releaseId = (item: SeedItem, version: string) =>
    `rel_${item.id.replace(/^item_/, '')}_${version.replaceAll('.', '_')}`;
  const releases = allItems.flatMap((item) =>
    item.releases.map((release) => ({
      id: releaseId(item, release.version),
      itemId: item.id,
      version: release.version,
      minFirmware: release.minFirmware,
      publishedAt: release.publishedAt,
    })),
  );
  const releaseModels = allItems.flatMap((item) =>
    item.releases.flatMap((release) =>
      (release.models ?? item.models).map((model) => ({
        releaseId: releaseId(item, release.version),
        model,
      })),
    ),
  );
  const devices = ORGS.flatMap((org) =>
    Array.from({ length: org.deviceCount }, (_, i) => {
      const n = i + 1;
      const spec = MODELS[n % MODELS.length]!;
      const site = org.sites[n % org.sites.length]!;
      const id = demoDeviceId(org, n);
      return {
        id,
        organisationId: org.id,
        name: `${titleCase(site)} ${spec.label} ${n}`,
        model: spec.model,
        firmwareVersion: spec.firmware[Math.floor(n / MODELS.length) % spec.firmware.length]!,
        tokenHash: hashToken(demoDeviceToken(id)),
        lastSeenAt: new Date(now.getTime() - n * 37 * 60_000).toISOString(),
        createdAt,
        tags: [`site:${site}`, n % 5 === 0 ? 'env:lab' : 'env:production'],
        // Test-mode rollouts install on test devices only: the lab's, and acme's thermostats,
        // so that the README's rollout walkthrough has a model to roll out to in test mode.
        isTestDevice:
          n % 5 === 0 || (org.slug === 'acme' && spec.code === 'TX1') ? (1 as const) : (0 as const),
      };
    }),
  );

  await database.transaction(async () => {
    const { db } = database;
    await db
      .insertInto('marketplaceInstances')
      .values(instances)
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .insertInto('organisations')
      .values(organisations)
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .insertInto('organisationInstances')
      .values(organisationInstances)
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .insertInto('users')
      .values(users)
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .insertInto('marketplaceItems')
      .values(items)
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .insertInto('itemCompatibleModels')
      .values(itemModels)
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .insertInto('releases')
      .values(releases)
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .insertInto('releaseCompatibleModels')
      .values(releaseModels)
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .insertInto('devices')
      .values(devices.map(({ tags: _tags, ...device }) => device))
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .insertInto('deviceTags')
      .values(devices.flatMap((d) => d.tags.map((tag) => ({ deviceId: d.id, tag }))))
      .onConflict((oc) => oc.doNothing())
      .execute();
  });
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
