import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { auditEntries, auditState } from '../../../testing/handlers/audit';
import { authState } from '../../../testing/handlers/auth';
import { apiError } from '../../../testing/handlers/errors';
import { renderRoute } from '../../../testing/render';
import { server } from '../../../testing/server';

const rows = () =>
  within(screen.getByRole('table'))
    .getAllByRole('row')
    .filter((row) => !row.hidden && row.querySelector('td button'));
const listParams = () => auditState.listRequests.map((url) => url.searchParams);

describe('Audit log', () => {
  it('lists the newest entries first, saying who acted, and loads more', async () => {
    const { user } = renderRoute('/audit');
    expect(await screen.findByText('Showing 50 of 60 entries, newest first')).toBeInTheDocument();
    const [refund, apiKeyCheckout, queued, checkout] = rows();
    expect(refund).toHaveTextContent('System automatic');
    expect(refund).toHaveTextContent('Purchase refunded purchase.refund');
    expect(within(refund!).getByRole('link', { name: auditEntries[0]!.objectId! })).toHaveAttribute(
      'href',
      `/purchases/${auditEntries[0]!.objectId}`,
    );
    expect(refund).toHaveTextContent('21 Nov 2026, 14:00 UTC');
    expect(apiKeyCheckout).toHaveTextContent('API key “Web shop” mk_live_Ab12…');
    expect(apiKeyCheckout).toHaveTextContent('Checkout created checkout.create');
    expect(queued).toHaveTextContent('operator@acme.example');
    expect(within(queued!).getByRole('link', { name: /^inst_/ })).toHaveAttribute(
      'href',
      '/devices/ACM-THE-0003',
    );
    expect(checkout).toHaveTextContent('admin@acme.example');

    await user.click(screen.getByRole('button', { name: 'Show more entries' }));
    expect(await screen.findByText('Showing 60 of 60 entries, newest first')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Show more entries' })).not.toBeInTheDocument();
  });

  it('opens and closes an entry’s details from the keyboard', async () => {
    const { user } = renderRoute('/audit');
    const newest = auditEntries[0]!;
    const toggle = await screen.findByRole('button', {
      name: `Show details of entry ${newest.id}`,
    });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    toggle.focus();
    await user.keyboard('{Enter}');
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(toggle).toHaveAccessibleName(`Hide details of entry ${newest.id}`);
    const panel = document.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(panel).toBeVisible();
    expect(within(panel).getByText(newest.requestId!)).toBeInTheDocument();
    const json = within(panel).getByLabelText(`Details of entry ${newest.id}`);
    expect(JSON.parse(json.textContent!)).toEqual(newest.details);
    expect(json).toHaveTextContent('"automatic": true');

    await user.keyboard(' ');
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(panel).not.toBeVisible();
  });

  it('applies the filters of a shared link, shows them in the form, and exports the same', async () => {
    renderRoute(
      '/audit?actor=admin%40acme.example&action=purchase.refund&objectType=purchase&from=2026-11-15&to=2026-11-21',
    );
    await screen.findByRole('table');
    const request = listParams().at(-1)!;
    expect(Object.fromEntries(request)).toEqual({
      actor: 'admin@acme.example',
      action: 'purchase.refund',
      objectType: 'purchase',
      from: '2026-11-15',
      to: '2026-11-21',
      limit: '50',
    });
    expect(screen.getByLabelText('Who')).toHaveValue('admin@acme.example');
    expect(screen.getByLabelText('Action')).toHaveValue('purchase.refund');
    expect(screen.getByLabelText('Object type')).toHaveValue('purchase');
    expect(screen.getByLabelText('From (UTC)')).toHaveValue('2026-11-15');
    expect(
      rows().every((row) => /admin@acme\.example.*Purchase refunded/.test(row.textContent!)),
    ).toBe(true);
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute(
      'href',
      '/api/audit/export.csv?actor=admin%40acme.example&action=purchase.refund&objectType=purchase&from=2026-11-15&to=2026-11-21',
    );
  });

  it('finds what the marketplace did by itself once typing stops, keeping it in the URL', async () => {
    const { user, router } = renderRoute('/audit');
    await screen.findByRole('table');
    await user.type(screen.getByLabelText('Who'), 'system');
    await waitFor(() => expect(router.state.location.search).toBe('?actor=system'));
    await waitFor(() =>
      expect(rows()).toHaveLength(auditEntries.filter((e) => e.actor.type === 'system').length),
    );
    expect(rows().every((row) => row.textContent?.includes('System'))).toBe(true);
    // Debounced: one request for the whole word.
    expect(listParams().filter((p) => p.has('actor'))).toHaveLength(1);
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute(
      'href',
      '/api/audit/export.csv?actor=system',
    );
  });

  it('says when nothing matches and clears the filters', async () => {
    const { user, router } = renderRoute('/audit?objectId=pur_nothing');
    expect(await screen.findByText('No entries match these filters')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
    expect(await screen.findByText('Showing 50 of 60 entries, newest first')).toBeInTheDocument();
    expect(screen.getByLabelText('Object ID')).toHaveValue('');
  });

  it('shows a failure with its request id and recovers on retry', async () => {
    let down = true;
    server.use(
      http.get('/api/audit', () =>
        down
          ? apiError(503, 'UNAVAILABLE', 'The audit log is unavailable.', 'req-audit-9')
          : undefined,
      ),
    );
    const { user } = renderRoute('/audit');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The audit log is unavailable.');
    expect(alert).toHaveTextContent('req-audit-9');
    down = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Showing 50 of 60 entries, newest first')).toBeInTheDocument();
  });

  it('is for admins only: others are sent away and see no entry for it', async () => {
    authState.me = { ...authState.me, user: { ...authState.me.user, role: 'support' } };
    const { router } = renderRoute('/audit');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(router.state.location.pathname).toBe('/marketplaces');
    expect(within(nav).queryByRole('link', { name: 'Audit log' })).not.toBeInTheDocument();
    expect(auditState.listRequests).toHaveLength(0);
  });

  it('is in the navigation of an admin', async () => {
    renderRoute('/marketplaces');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Audit log' })).toHaveAttribute('href', '/audit');
  });
});
