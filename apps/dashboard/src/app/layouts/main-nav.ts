import type { Me, MarketplaceInstance } from '@repo/schemas';

export type NavEntry = { to: string; label: string; end?: boolean };
export type NavSection = { label: string; entries: NavEntry[] };

/**
 * The main navigation, in one place: the side navigation on a wide screen and the menu on a
 * phone both render this list, so a new page needs one entry here.
 */
export function mainNavSections(me: Me, instance: MarketplaceInstance | undefined): NavSection[] {
  const sections: NavSection[] = [
    {
      label: 'Marketplace',
      entries: [
        { to: '/marketplaces', label: 'All marketplaces', end: true },
        ...(instance
          ? [{ to: `/marketplaces/${instance.id}`, label: instance.name, end: true }]
          : []),
      ],
    },
  ];
  if (instance) {
    sections.push({
      label: `Provider · ${me.organisation.name}`,
      entries: [
        { to: `/marketplaces/${instance.id}/store`, label: 'Store' },
        { to: `/marketplaces/${instance.id}/preview`, label: 'Store Preview' },
      ],
    });
  }
  sections.push({
    label: 'Fleet',
    entries: [
      { to: '/overview', label: 'Overview' },
      { to: '/devices', label: 'Devices' },
      { to: '/device-groups', label: 'Device groups' },
      { to: '/purchases', label: 'Purchases' },
      { to: '/installs', label: 'Installs' },
      { to: '/rollouts', label: 'Rollouts' },
    ],
  });
  if (me.user.role === 'admin') {
    sections.push({
      label: 'Organisation',
      entries: [{ to: '/audit', label: 'Audit log' }],
    });
    sections.push({
      label: 'Developers',
      entries: [
        { to: '/developers/api-keys', label: 'API keys' },
        { to: '/developers/webhooks', label: 'Webhooks' },
        { to: '/developers/payment-links', label: 'Payment links' },
        { to: '/developers/api-reference', label: 'API reference' },
      ],
    });
  }
  return sections;
}
