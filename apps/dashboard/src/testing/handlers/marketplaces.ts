import { http, HttpResponse } from 'msw';
import {
  marketplaceInstancesSchema,
  marketplaceItemsSchema,
  type MarketplaceItem,
} from '@repo/schemas';
import { apiError } from './errors';

export const instances = marketplaceInstancesSchema.parse({
  items: [
    { id: 'mkt_eu', name: 'Device Marketplace Europe', currency: 'eur', platformFeeBps: 500 },
  ],
});

export const items: MarketplaceItem[] = marketplaceItemsSchema.parse({
  items: [
    {
      id: 'item_eco_scheduler',
      instanceId: 'mkt_eu',
      name: 'Eco Scheduler',
      description: 'Learns occupancy.',
      price: { amount: 1499, currency: 'eur' },
      listed: true,
      compatibleModels: ['thermo-x1'],
    },
    {
      id: 'item_fleet_diagnostics',
      instanceId: 'mkt_eu',
      name: 'Fleet Diagnostics',
      description: 'Free health checks.',
      price: { amount: 0, currency: 'eur' },
      listed: true,
      compatibleModels: ['thermo-x1', 'cam-c3'],
    },
    {
      id: 'item_night_vision',
      instanceId: 'mkt_eu',
      name: 'Night Vision Boost',
      description: 'In private beta.',
      price: { amount: 1999, currency: 'eur' },
      listed: false,
      compatibleModels: ['cam-c3'],
    },
  ],
}).items;

export const marketplaceHandlers = [
  http.get('/api/marketplaces', () => HttpResponse.json(instances)),
  http.get('/api/marketplaces/:instanceId/items', ({ params, request }) => {
    if (params.instanceId !== 'mkt_eu')
      return apiError(404, 'NOT_FOUND', 'Marketplace was not found.');
    const listed = new URL(request.url).searchParams.get('listed');
    return HttpResponse.json(
      marketplaceItemsSchema.parse({
        items: listed === 'true' ? items.filter((i) => i.listed) : items,
      }),
    );
  }),
];
