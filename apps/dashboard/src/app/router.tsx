import type { QueryClient } from '@tanstack/react-query';
import {
  redirect,
  type LoaderFunction,
  type LoaderFunctionArgs,
  type RouteObject,
} from 'react-router';
import { NotFound } from './routes/not-found';
import { RouteError } from './routes/route-error';

/** A route module: a loader that prefetches its queries, and the page. */
export type RouteModule = {
  loader?: (queryClient: QueryClient) => LoaderFunction;
  Component: React.ComponentType;
  handle?: { title: string };
};

const lazyRoute = (queryClient: QueryClient, load: () => Promise<RouteModule>) => async () => {
  const { loader, Component, handle } = await load();
  return { loader: loader?.(queryClient), Component, handle };
};

/**
 * A page behind sign-in. React Router runs its loader beside the layout's, so it checks the
 * session too before it fetches anything: signed out, it redirects without a request that 401s.
 */
const signedInRoute = (queryClient: QueryClient, load: () => Promise<RouteModule>) => async () => {
  const [{ loader, Component, handle }, { requireSession }] = await Promise.all([
    load(),
    import('../features/auth/api/queries'),
  ]);
  const pageLoader = loader?.(queryClient);
  return {
    loader: async (args: LoaderFunctionArgs) => {
      await requireSession(queryClient, args.request);
      return pageLoader ? pageLoader(args) : null;
    },
    Component,
    handle,
  };
};

export function createRoutes(queryClient: QueryClient): RouteObject[] {
  const page = (path: string, load: () => Promise<RouteModule>): RouteObject => ({
    path,
    lazy: signedInRoute(queryClient, load),
  });
  return [
    {
      path: '/login',
      errorElement: <RouteError />,
      lazy: lazyRoute(queryClient, () => import('./routes/login')),
    },
    {
      path: '/',
      id: 'app',
      // Lazy too: the shell, the API client and its schemas load beside the first page's own code,
      // so the entry holds only what every screen needs to start.
      lazy: async () => {
        const { AppLayout, appLayoutLoader } = await import('./layouts/app-layout');
        return { loader: appLayoutLoader(queryClient), Component: AppLayout };
      },
      errorElement: <RouteError />,
      HydrateFallback: () => null,
      children: [
        {
          errorElement: <RouteError />,
          children: [
            { index: true, loader: () => redirect('/overview') },
            page('marketplaces', () => import('./routes/marketplaces')),
            page('marketplaces/:instanceId', () => import('./routes/marketplace')),
            page('marketplaces/:instanceId/store', () => import('./routes/store')),
            page('marketplaces/:instanceId/preview', () => import('./routes/store-preview')),
            page('marketplaces/:instanceId/checkout', () => import('./routes/checkout')),
            page('checkout/:sessionId', () => import('./routes/checkout-session')),
            page('checkout/:sessionId/cancelled', () => import('./routes/checkout-cancelled')),
            page('overview', () => import('./routes/overview')),
            page('devices', () => import('./routes/devices')),
            page('devices/:deviceId', () => import('./routes/device')),
            page('device-groups', () => import('./routes/device-groups')),
            page('device-groups/new', () => import('./routes/device-groups-new')),
            page('device-groups/:groupId', () => import('./routes/device-group')),
            page('purchases', () => import('./routes/purchases')),
            page('purchases/:purchaseId', () => import('./routes/purchase')),
            page('installs', () => import('./routes/installs')),
            page('rollouts', () => import('./routes/rollouts')),
            page('rollouts/new', () => import('./routes/rollouts-new')),
            page('rollouts/:rolloutId', () => import('./routes/rollout')),
            page('audit', () => import('./routes/audit')),
            { path: 'developers', loader: () => redirect('/developers/api-keys') },
            page('developers/api-keys', () => import('./routes/developers-api-keys')),
            page('developers/webhooks', () => import('./routes/developers-webhooks')),
            page('developers/webhooks/:endpointId', () => import('./routes/developers-webhook')),
            page('developers/payment-links', () => import('./routes/developers-payment-links')),
            page('developers/api-reference', () => import('./routes/developers-api-reference')),
            { path: '*', element: <NotFound /> },
          ],
        },
      ],
    },
  ];
}
