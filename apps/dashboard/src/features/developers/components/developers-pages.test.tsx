import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { authState } from '../../../testing/handlers/auth';
import { developersState, webhookDeliveryFixture } from '../../../testing/handlers/developers';
import { renderRoute } from '../../../testing/render';

describe('API keys', () => {
  it('creates a key and shows its secret once, with a copy button', async () => {
    const { user } = renderRoute('/developers/api-keys');
    expect(await screen.findByText('No API keys yet')).toBeInTheDocument();

    await user.type(screen.getByLabelText('Name'), 'Web shop');
    await user.click(screen.getByLabelText('Test mode'));
    await user.type(screen.getByLabelText('Allowed return origins'), 'https://shop.example.com/');
    await user.click(screen.getByRole('button', { name: 'Create API key' }));

    const secretPanel = await screen.findByRole('region', { name: 'API key "Web shop" created' });
    const secret = within(secretPanel).getByLabelText('Secret key');
    expect((secret as HTMLInputElement).value).toMatch(/^mk_test_/);
    expect(secretPanel).toHaveTextContent('shown only this once');
    await user.click(within(secretPanel).getByRole('button', { name: 'Copy' }));
    expect(await navigator.clipboard.readText()).toBe((secret as HTMLInputElement).value);
    expect(within(secretPanel).getByRole('status')).toHaveTextContent('Copied');
    expect(developersState.apiKeys[0]?.allowedOrigins).toEqual(['https://shop.example.com']);

    await user.click(within(secretPanel).getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByLabelText('Secret key')).not.toBeInTheDocument();
    const row = await screen.findByRole('row', { name: /Web shop/ });
    expect(row).toHaveTextContent('mk_test_ssss…');
    expect(row).not.toHaveTextContent((secret as HTMLInputElement).value);
  });

  it('revokes a key only after confirming, by keyboard too', async () => {
    const { user } = renderRoute('/developers/api-keys');
    await user.type(await screen.findByLabelText('Name'), 'Old shop');
    await user.click(screen.getByRole('button', { name: 'Create API key' }));
    await user.click(await screen.findByRole('button', { name: 'I have copied it' }));

    await user.click(await screen.findByRole('button', { name: 'Revoke Old shop' }));
    const confirm = screen.getByRole('group', { name: 'Confirm revoking Old shop' });
    expect(within(confirm).getByRole('button', { name: 'Revoke Old shop' })).toHaveFocus();
    await user.click(within(confirm).getByRole('button', { name: 'Keep it' }));
    expect(developersState.apiKeys[0]?.revokedAt).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Revoke Old shop' }));
    await user.keyboard('{Enter}');
    expect(await screen.findByText(/^Revoked/)).toBeInTheDocument();
    expect(developersState.apiKeys[0]?.revokedAt).not.toBeNull();
  });

  it('keeps non-admins out of the Developers pages and their navigation', async () => {
    authState.me = { ...authState.me, user: { ...authState.me.user, role: 'support' } };
    const { router } = renderRoute('/developers/api-keys');
    await screen.findByRole('navigation', { name: 'Main' });
    expect(router.state.location.pathname).toBe('/marketplaces');
    expect(screen.queryByRole('link', { name: 'API keys' })).not.toBeInTheDocument();
  });
});

describe('webhooks', () => {
  it('registers an endpoint and shows its signing secret once', async () => {
    const { user } = renderRoute('/developers/webhooks');
    await user.type(await screen.findByLabelText('Endpoint URL'), 'https://shop.example.com/hooks');
    await user.click(screen.getByRole('checkbox', { name: /install\.failed/ }));
    await user.click(screen.getByRole('button', { name: 'Register endpoint' }));
    const panel = await screen.findByRole('region', { name: 'Endpoint registered' });
    expect(within(panel).getByLabelText('Signing secret')).toHaveValue('mkwhsec_test_secret_0001');
    expect(developersState.endpoints[0]?.eventTypes).toEqual([
      'purchase.activated',
      'purchase.refunded',
      'install.succeeded',
      'rollout.paused',
      'rollout.completed',
    ]);
    await user.click(within(panel).getByRole('button', { name: 'I have copied it' }));
    expect(
      await screen.findByRole('link', { name: 'https://shop.example.com/hooks' }),
    ).toBeInTheDocument();
  });

  it('shows a live endpoint without https refused, with the reason', async () => {
    const { user } = renderRoute('/developers/webhooks');
    await user.type(await screen.findByLabelText('Endpoint URL'), 'http://shop.example.com/hooks');
    await user.selectOptions(screen.getByLabelText('Mode'), 'live');
    await user.click(screen.getByRole('button', { name: 'Register endpoint' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('live endpoints must use https');
  });

  it('lists deliveries with their outcome and resends a failed one', async () => {
    const endpointId = `whe_${'1'.padStart(32, '0')}`;
    developersState.endpoints.push({
      id: endpointId,
      url: 'https://shop.example.com/hooks',
      description: null,
      mode: 'test',
      eventTypes: ['purchase.activated'],
      createdAt: '2026-11-21T14:00:00.000Z',
      disabledAt: null,
    });
    const failed = webhookDeliveryFixture({
      endpointId,
      status: 'failed',
      attempts: 7,
      lastStatusCode: 503,
      lastError: 'The endpoint answered 503.',
    });
    developersState.deliveries.push(webhookDeliveryFixture({ endpointId }), failed);

    const { user } = renderRoute(`/developers/webhooks/${endpointId}`);
    const table = await screen.findByRole('region', { name: 'Deliveries' });
    expect(within(table).getByText('Delivered')).toBeInTheDocument();
    const failedRow = within(table).getByRole('row', { name: /Failed/ });
    expect(failedRow).toHaveTextContent('HTTP 503');
    expect(failedRow).toHaveTextContent('The endpoint answered 503.');
    expect(within(table).getAllByRole('button', { name: /Resend/ })).toHaveLength(1);

    await user.click(within(failedRow).getByRole('button', { name: /Resend/ }));
    expect(await within(table).findByText('Retrying')).toBeInTheDocument();
    expect(developersState.resent).toEqual([failed.id]);
  });

  it('shows an empty state when nothing was delivered yet', async () => {
    const endpointId = `whe_${'2'.padStart(32, '0')}`;
    developersState.endpoints.push({
      id: endpointId,
      url: 'https://shop.example.com/quiet',
      description: null,
      mode: 'test',
      eventTypes: ['purchase.activated'],
      createdAt: '2026-11-21T14:00:00.000Z',
      disabledAt: null,
    });
    renderRoute(`/developers/webhooks/${endpointId}`);
    expect(await screen.findByText('No deliveries yet')).toBeInTheDocument();
  });
});

describe('API reference', () => {
  it('renders operations, parameters, bodies and webhook events from the OpenAPI document', async () => {
    renderRoute('/developers/api-reference');
    const operation = await screen.findByRole('article', { name: 'POST /checkout-sessions' });
    expect(operation).toHaveTextContent('Start a hosted checkout');
    expect(within(operation).getByRole('table', { name: 'Parameters' })).toHaveTextContent(
      'Idempotency-Key',
    );
    expect(operation).toHaveTextContent(/successUrl\s*string, required, uri/);
    expect(operation).toHaveTextContent(/checkoutUrl\s*string or null/);
    expect(screen.getByRole('article', { name: 'Event purchase.activated' })).toBeInTheDocument();
  });
});
