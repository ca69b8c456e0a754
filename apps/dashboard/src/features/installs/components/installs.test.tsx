import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { meSchema, type InstallJob } from '@repo/schemas';
import { acmeAdmin, authState } from '../../../testing/handlers/auth';
import { apiError } from '../../../testing/handlers/errors';
import { installJob, installsState } from '../../../testing/handlers/installs';
import { renderRoute } from '../../../testing/render';
import { server } from '../../../testing/server';

const signInAs = (role: 'support' | 'operator') => {
  authState.me = meSchema.parse({
    ...acmeAdmin,
    user: { ...acmeAdmin.user, id: `usr_acme_${role}`, email: `${role}@acme.example`, role },
  });
};
const job = (n: number, overrides: Partial<InstallJob> = {}) =>
  installJob({ id: `inst_${String(n).padStart(32, '0')}`, deviceId: 'ACM-THE-0003', ...overrides });

describe('Device page', () => {
  it('shows which releases fit and why the others do not, and queues the one that fits', async () => {
    signInAs('operator');
    const { user } = renderRoute('/devices/ACM-THE-0003');
    const software = await screen.findByRole('region', { name: 'Eco Scheduler' });
    expect(within(software).getByText('Entitled')).toBeInTheDocument();
    expect(within(software).getByText('Not installed')).toBeInTheDocument();
    expect(
      within(software).getByText('Needs firmware 2.4.0 or newer; the device runs 2.0.1.', {
        exact: false,
      }),
    ).toBeInTheDocument();
    expect(
      within(software).queryByRole('button', { name: 'Install 2.0.0' }),
    ).not.toBeInTheDocument();

    await user.click(within(software).getByRole('button', { name: 'Install 1.0.0' }));
    expect(await within(software).findByText('Queued')).toBeInTheDocument();
    expect(installsState.requests).toEqual([
      {
        path: '/api/installs',
        body: { deviceId: 'ACM-THE-0003', releaseId: 'rel_eco_scheduler_1_0_0' },
      },
    ]);
    // One install at a time per item: the install buttons make way for Cancel.
    expect(within(software).queryByRole('button', { name: /^Install/ })).not.toBeInTheDocument();
    await user.click(
      within(software).getByRole('button', {
        name: 'Cancel install of Eco Scheduler 1.0.0 on ACM-THE-0003',
      }),
    );
    expect(
      await within(software).findByRole('button', { name: 'Install 1.0.0' }),
    ).toBeInTheDocument();
    const history = screen.getByRole('table', { name: 'Install history of ACM-THE-0003' });
    expect(within(history).getByText('Cancelled')).toBeInTheDocument();
  });

  it('shows an installed version and lets support read without install buttons', async () => {
    signInAs('support');
    installsState.jobs.push(job(1, { status: 'succeeded', progress: 100 }));
    renderRoute('/devices/ACM-THE-0003');
    const software = await screen.findByRole('region', { name: 'Eco Scheduler' });
    expect(within(software).getByText('1.0.0', { selector: 'strong' })).toBeInTheDocument();
    expect(within(software).queryByRole('button')).not.toBeInTheDocument();
  });

  it('shows every step the device reported in the job history, even those between two refreshes', async () => {
    signInAs('support');
    // The page last looked while the job was queued; since then the device did it all.
    const done = job(1, { status: 'succeeded', progress: 100 });
    installsState.jobs.push(done);
    const at = (second: number) => `2026-11-20T10:00:${String(second).padStart(2, '0')}.000Z`;
    installsState.events.set(done.id, [
      { status: 'queued', progress: null, detail: null, createdAt: at(0) },
      { status: 'sent', progress: null, detail: null, createdAt: at(1) },
      { status: 'downloading', progress: 30, detail: null, createdAt: at(2) },
      { status: 'downloading', progress: 60, detail: null, createdAt: at(3) },
      { status: 'installing', progress: null, detail: null, createdAt: at(4) },
      { status: 'succeeded', progress: null, detail: null, createdAt: at(5) },
    ]);
    const { user } = renderRoute('/devices/ACM-THE-0003');
    const history = await screen.findByRole('table', { name: 'Install history of ACM-THE-0003' });
    await user.click(within(history).getByText('History', { selector: 'summary' }));
    const timeline = await within(history).findByRole('list', {
      name: 'History of Eco Scheduler 1.0.0',
    });
    expect(
      within(timeline)
        .getAllByRole('listitem')
        .map((step) => step.textContent),
    ).toEqual([
      'Queued 10:00:00 UTC',
      'Sent to device 10:00:01 UTC',
      'Downloading 30 % 10:00:02 UTC',
      'Downloading 60 % 10:00:03 UTC',
      'Installing 10:00:04 UTC',
      'Succeeded 10:00:05 UTC',
    ]);
  });

  it('follows an install on its way step by step, with a failure and its reason', async () => {
    signInAs('operator');
    const working = job(1, { status: 'downloading', progress: 30 });
    installsState.jobs.push(working);
    installsState.events.set(working.id, [
      { status: 'queued', progress: null, detail: null, createdAt: '2026-11-20T10:00:00.000Z' },
      { status: 'sent', progress: null, detail: null, createdAt: '2026-11-20T10:00:01.000Z' },
      { status: 'downloading', progress: 30, detail: null, createdAt: '2026-11-20T10:00:02.000Z' },
      {
        status: 'failed',
        progress: null,
        detail: 'Checksum mismatch.',
        createdAt: '2026-11-20T10:00:03.000Z',
      },
    ]);
    renderRoute('/devices/ACM-THE-0003');
    const software = await screen.findByRole('region', { name: 'Eco Scheduler' });
    const timeline = await within(software).findByRole('list', {
      name: 'History of Eco Scheduler 1.0.0',
    });
    expect(within(timeline).getByText('Downloading 30 %')).toBeInTheDocument();
    expect(within(timeline).getByText('Failed: Checksum mismatch.')).toBeInTheDocument();
  });

  it('says plainly when nothing was bought for the device', async () => {
    renderRoute('/devices/ACM-CAM-0001');
    expect(await screen.findByText('Nothing bought for this device yet')).toBeInTheDocument();
  });
});

describe('Installs page', () => {
  it('lists installs with their progress and keeps the filters in the URL', async () => {
    installsState.jobs.push(
      job(1, { status: 'downloading', progress: 40 }),
      job(2, { status: 'failed', deviceId: 'ACM-THE-0006', reason: 'Checksum mismatch.' }),
    );
    const { user, router } = renderRoute('/installs');
    expect(await screen.findByText('Downloading 40 %')).toBeInTheDocument();
    expect(screen.getByText('Showing 2 of 2 installs, newest first')).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText('Status'), 'failed');
    await waitFor(() => expect(router.state.location.search).toBe('?status=failed'));
    expect(await screen.findByText('Showing 1 of 1 install, newest first')).toBeInTheDocument();
    expect(screen.getByText('Checksum mismatch.')).toBeInTheDocument();

    await user.type(screen.getByLabelText('Device ID'), 'ACM-THE-0003');
    await waitFor(() =>
      expect(router.state.location.search).toBe('?status=failed&deviceId=ACM-THE-0003'),
    );
    expect(await screen.findByText('No installs match these filters')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
    await waitFor(() => expect(screen.getByLabelText('Device ID')).toHaveValue(''));
  });

  it('applies filters from a shared link and retries a failed install', async () => {
    installsState.jobs.push(job(2, { status: 'failed', reason: 'Checksum mismatch.' }));
    const { user } = renderRoute('/installs?status=failed&itemId=item_eco_scheduler');
    await screen.findByText('Checksum mismatch.');
    expect(screen.getByLabelText('Status')).toHaveValue('failed');
    expect(screen.getByLabelText('Item')).toHaveValue('item_eco_scheduler');
    await user.click(
      screen.getByRole('button', { name: 'Retry install of Eco Scheduler 1.0.0 on ACM-THE-0003' }),
    );
    await waitFor(() =>
      expect(installsState.requests.map((r) => r.path)).toEqual([
        `/api/installs/${job(2).id}/retry`,
      ]),
    );
    expect(installsState.jobs[0]).toMatchObject({ attempt: 2, status: 'queued' });
  });

  it('shows an error with the request id, and an empty state', async () => {
    server.use(
      http.get('/api/installs', () => apiError(500, 'INTERNAL', 'Something broke.', 'req-9')),
    );
    renderRoute('/installs');
    expect(await screen.findByRole('alert')).toHaveTextContent('req-9');
    server.resetHandlers();
  });

  it('says when there are no installs yet', async () => {
    renderRoute('/installs');
    expect(await screen.findByText('No installs yet')).toBeInTheDocument();
  });
});

describe('bulk install from the devices list', () => {
  it('queues one release on the selected devices and lists the refused ones with their reason', async () => {
    signInAs('operator');
    const { user } = renderRoute('/devices?model=thermo-x1');
    await screen.findByRole('table');
    await user.click(screen.getByRole('checkbox', { name: 'Select ACM-THE-0003' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select ACM-THE-0009' }));
    const panel = screen.getByRole('region', { name: 'Queue an install on 2 devices' });
    await user.selectOptions(within(panel).getByLabelText('Release'), 'rel_eco_scheduler_1_0_0');
    await user.click(within(panel).getByRole('button', { name: 'Queue on 2 devices' }));
    const result = await within(panel).findByRole('status');
    expect(result).toHaveTextContent('Queued on 1 device. Not queued on 1:');
    expect(result).toHaveTextContent(
      'ACM-THE-0009: ACM-THE-0009 has no active entitlement to Eco Scheduler.',
    );
  });

  it('offers no selection to support', async () => {
    signInAs('support');
    renderRoute('/devices');
    await screen.findByRole('table');
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
  });
});
