import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { meSchema } from '@repo/schemas';
import { acmeAdmin, authState } from '../../../testing/handlers/auth';
import { groupId } from '../../../testing/handlers/device-groups';
import { apiError } from '../../../testing/handlers/errors';
import {
  rolloutDetail,
  rolloutDevice,
  rolloutId,
  rolloutsState,
  storeRollout,
} from '../../../testing/handlers/rollouts';
import { renderRoute } from '../../../testing/render';
import { server } from '../../../testing/server';

const signInAs = (role: 'support' | 'operator') => {
  authState.me = meSchema.parse({
    ...acmeAdmin,
    user: { ...acmeAdmin.user, id: `usr_acme_${role}`, email: `${role}@acme.example`, role },
  });
};

const PAUSE_REASON =
  'Paused by itself: 2 of 3 finished installs of phase 1 failed (67 %), above the error threshold of 10 %.';

/** A rollout that tripped its error threshold in its first phase. */
function pausedRollout() {
  return storeRollout(
    rolloutDetail({
      id: rolloutId(1),
      status: 'paused',
      currentPhase: 0,
      pauseReason: PAUSE_REASON,
      startedAt: '2026-11-20T10:01:00.000Z',
      events: [
        {
          id: 1,
          kind: 'created',
          detail: null,
          actor: 'operator@acme.example',
          createdAt: '2026-11-20T10:00:00.000Z',
        },
        {
          id: 2,
          kind: 'started',
          detail: null,
          actor: 'operator@acme.example',
          createdAt: '2026-11-20T10:01:00.000Z',
        },
        {
          id: 3,
          kind: 'paused',
          detail: PAUSE_REASON,
          actor: null,
          createdAt: '2026-11-20T10:05:00.000Z',
        },
      ],
    }),
    [
      rolloutDevice({ deviceId: 'ACM-THE-0003', state: 'failed', reason: 'Checksum mismatch.' }),
      rolloutDevice({ deviceId: 'ACM-THE-0006', state: 'failed', reason: 'Not enough storage.' }),
      rolloutDevice({ deviceId: 'ACM-THE-0009', state: 'succeeded' }),
      rolloutDevice({ deviceId: 'ACM-THE-0012', state: 'waiting', phase: 1 }),
    ],
  );
}

function runningRollout() {
  return storeRollout(
    rolloutDetail({
      id: rolloutId(2),
      name: 'Eco Scheduler 1.0 to Lyon',
      status: 'running',
      currentPhase: 0,
      startedAt: '2026-11-20T10:01:00.000Z',
      sendingNow: true,
    }),
    [
      rolloutDevice({ deviceId: 'ACM-THE-0003', state: 'active' }),
      rolloutDevice({ deviceId: 'ACM-THE-0006', state: 'waiting', phase: 1 }),
    ],
  );
}

const actions = () => rolloutsState.requests.filter((r) => r.path !== '/api/rollouts/preview');

describe('Rollouts list', () => {
  it('lists each rollout with its release, status, progress and why a paused one stopped', async () => {
    pausedRollout();
    runningRollout();
    renderRoute('/rollouts');
    const table = await screen.findByRole('table', { name: 'Rollouts' });
    const paused = within(table).getByRole('row', {
      name: /^Eco Scheduler 1.0 to the thermostats/,
    });
    expect(within(paused).getByText('Paused')).toBeInTheDocument();
    expect(within(paused).getByText(PAUSE_REASON)).toBeInTheDocument();
    expect(within(paused).getByText('1 of 4 installed · 2 failed')).toBeInTheDocument();
    expect(within(paused).getByText('1 of 2')).toBeInTheDocument();
    expect(within(paused).getByRole('link')).toHaveAttribute('href', `/rollouts/${rolloutId(1)}`);
    const running = within(table).getByRole('row', { name: /^Eco Scheduler 1.0 to Lyon/ });
    expect(within(running).getByText('Running')).toBeInTheDocument();
    expect(within(running).getByText('0 of 2 installed · 1 on their way')).toBeInTheDocument();
  });

  it('filters by status, kept in the URL', async () => {
    pausedRollout();
    runningRollout();
    const { user, router } = renderRoute('/rollouts');
    await screen.findByRole('table', { name: 'Rollouts' });
    await user.selectOptions(screen.getByLabelText('Status'), 'Paused');
    await waitFor(() => expect(router.state.location.search).toBe('?status=paused'));
    await waitFor(() =>
      expect(screen.queryByRole('row', { name: /to Lyon/ })).not.toBeInTheDocument(),
    );
    expect(screen.getByText('Showing 1 of 1 rollout, newest first')).toBeInTheDocument();
  });

  it('says when there are no rollouts yet, and shows a failure with its request id', async () => {
    let down = true;
    server.use(
      http.get('/api/rollouts', () =>
        down ? apiError(500, 'INTERNAL', 'Something broke.', 'req-88') : undefined,
      ),
    );
    const { user } = renderRoute('/rollouts');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('req-88');
    down = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No rollouts yet')).toBeInTheDocument();
  });
});

describe('New rollout', () => {
  it('shows who a group target reaches and who is left out, then creates the rollout as a draft', async () => {
    signInAs('operator');
    const { user, router } = renderRoute('/rollouts');
    await user.click(await screen.findByRole('link', { name: 'New rollout' }));
    const form = await screen.findByRole('form', { name: 'New rollout' });
    await user.type(within(form).getByLabelText('Name'), 'Eco Scheduler to the pilot');
    await user.selectOptions(within(form).getByLabelText('Item'), 'Eco Scheduler');
    await user.selectOptions(
      within(form).getByLabelText('Release'),
      '1.0.0 · thermo-x1 · firmware ≥ 1.8.0',
    );
    expect(within(form).getByRole('radio', { name: /Test mode/ })).toBeChecked();
    await user.click(within(form).getByRole('radio', { name: 'A device group' }));
    await user.selectOptions(
      within(form).getByLabelText('Device group'),
      'Berlin pilot (3 devices)',
    );

    const preview = screen.getByRole('region', { name: 'Who it reaches' });
    await waitFor(() =>
      expect(within(preview).getByRole('status')).toHaveTextContent(
        '1 device will get Eco Scheduler 1.0.0, of 3 devices the target names.',
      ),
    );
    expect(within(preview).getByRole('heading', { name: 'Left out: 2 devices' })).toBeVisible();
    expect(within(preview).getByText('Not entitled in this mode')).toBeInTheDocument();
    // The devices left out, one by one, behind a disclosure.
    await user.click(within(preview).getByText('Show the devices left out'));
    expect(within(preview).getByRole('link', { name: 'ACM-CAM-0001' })).toBeVisible();

    // Custom phases: the first a number of devices rather than a share.
    await user.click(within(form).getByRole('button', { name: '10 % · 100 %' }));
    expect(within(form).getByRole('button', { name: '10 % · 100 %' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await user.selectOptions(within(form).getByLabelText('Phase 1 counts'), 'devices');
    const size = within(form).getByLabelText('Phase 1 size');
    await user.clear(size);
    await user.type(size, '1');
    const errorThreshold = within(form).getByLabelText('Error threshold (%)');
    await user.clear(errorThreshold);
    await user.type(errorThreshold, '20');
    await user.click(
      within(form).getByRole('checkbox', {
        name: 'Send installs only between two hours of the day (UTC)',
      }),
    );
    await user.selectOptions(within(form).getByLabelText('Until (UTC)'), '05:00');

    await user.click(within(form).getByRole('button', { name: 'Create rollout' }));
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Eco Scheduler to the pilot' }),
    ).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/rollouts/${rolloutId(100)}`);
    expect(screen.getByRole('heading', { name: 'Draft' })).toBeInTheDocument();
    expect(actions()).toEqual([
      {
        path: '/api/rollouts',
        body: {
          name: 'Eco Scheduler to the pilot',
          releaseId: 'rel_eco_scheduler_1_0_0',
          mode: 'test',
          target: { kind: 'group', groupId: groupId(2) },
          phases: [
            { kind: 'count', value: 1 },
            { kind: 'percent', value: 100 },
          ],
          successThreshold: 0.95,
          errorThreshold: 0.2,
          maintenanceWindow: { startHour: 22, endHour: 5 },
        },
      },
    ]);
  });

  it('names each field that needs a look before creating anything', async () => {
    signInAs('operator');
    const { user } = renderRoute('/rollouts/new');
    const form = await screen.findByRole('form', { name: 'New rollout' });
    await user.click(within(form).getByRole('radio', { name: 'A device group' }));
    await user.click(within(form).getByRole('button', { name: 'Create rollout' }));
    expect(within(form).getByRole('alert')).toHaveTextContent(
      'Some fields need a look before the rollout can be created.',
    );
    expect(within(form).getByLabelText('Name')).toHaveAccessibleDescription(
      'Give the rollout a name.',
    );
    expect(within(form).getByLabelText('Release')).toHaveAccessibleDescription(
      'Choose the item and the release to roll out.',
    );
    expect(within(form).getByLabelText('Device group')).toHaveAccessibleDescription(
      'Choose a device group.',
    );
    expect(actions()).toEqual([]);
  });

  it('labels live mode clearly and asks to confirm it', async () => {
    signInAs('operator');
    const { user } = renderRoute('/rollouts/new');
    const form = await screen.findByRole('form', { name: 'New rollout' });
    await user.click(within(form).getByRole('radio', { name: /Live mode/ }));
    const confirm = within(form).getByRole('checkbox', {
      name: 'I understand that this rollout installs on live devices.',
    });
    expect(confirm).not.toBeChecked();
    await user.click(within(form).getByRole('button', { name: 'Create rollout' }));
    expect(confirm).toHaveAccessibleDescription(
      'Confirm that this rollout installs on live devices.',
    );
  });

  it('starts from the group named in the link', async () => {
    signInAs('operator');
    renderRoute(`/rollouts/new?groupId=${groupId(1)}`);
    const form = await screen.findByRole('form', { name: 'New rollout' });
    expect(
      within(form).getByRole('radio', { name: 'A saved filter (a dynamic group)' }),
    ).toBeChecked();
    expect(within(form).getByLabelText('Saved filter')).toHaveValue(groupId(1));
  });
});

describe('Rollout page', () => {
  it('shows a paused rollout with its reason first, its progress, failures and history, and resumes it', async () => {
    signInAs('operator');
    pausedRollout();
    const { user } = renderRoute(`/rollouts/${rolloutId(1)}`);
    const status = await screen.findByRole('region', { name: 'Paused in phase 1 of 2' });
    expect(within(status).getByText(PAUSE_REASON)).toBeInTheDocument();

    const chart = screen.getByRole('region', { name: 'Progress by phase' });
    expect(within(chart).getByText('Phase 1: 1 of 3 installed (2 failed).')).toBeInTheDocument();
    await user.click(within(chart).getByText('Show the numbers'));
    const numbers = within(chart).getByRole('table', { name: 'Devices of each phase, by state.' });
    expect(within(numbers).getByRole('row', { name: /^Phase 1 \(current\)/ })).toHaveTextContent(
      /Phase 1 \(current\).*1.*2.*0.*0/,
    );

    const failures = screen.getByRole('table', {
      name: 'Failed installs of Eco Scheduler 1.0 to the thermostats',
    });
    expect(within(failures).getByRole('row', { name: /ACM-THE-0003/ })).toHaveTextContent(
      'Checksum mismatch.',
    );
    expect(within(failures).getByRole('row', { name: /ACM-THE-0006/ })).toHaveTextContent(
      'Not enough storage.',
    );

    const history = screen.getByRole('list', { name: 'History' });
    expect(
      within(history)
        .getAllByRole('listitem')
        .map((li) => li.querySelector('strong')?.textContent),
    ).toEqual(['Created', 'Started', 'Paused']);
    expect(within(history).getAllByRole('listitem')[2]).toHaveTextContent(
      `Paused: ${PAUSE_REASON}by the rollout itself`,
    );

    await user.click(screen.getByRole('button', { name: 'Resume' }));
    expect(await screen.findByRole('region', { name: 'Running, phase 1 of 2' })).toBeVisible();
    expect(within(history).getAllByRole('listitem').at(-1)).toHaveTextContent(
      'Resumedby operator@acme.example',
    );
    expect(actions()).toEqual([{ path: `/api/rollouts/${rolloutId(1)}/resume`, body: null }]);
  });

  it('retries the failed devices', async () => {
    signInAs('operator');
    pausedRollout();
    const { user } = renderRoute(`/rollouts/${rolloutId(1)}`);
    await user.click(await screen.findByRole('button', { name: 'Retry 2 failed devices' }));
    expect(await screen.findByText('No install has failed')).toBeInTheDocument();
    expect(actions()).toEqual([{ path: `/api/rollouts/${rolloutId(1)}/retry-failed`, body: null }]);
  });

  it('pauses a running rollout with a reason', async () => {
    signInAs('operator');
    runningRollout();
    const { user } = renderRoute(`/rollouts/${rolloutId(2)}`);
    await user.click(await screen.findByRole('button', { name: 'Pause…' }));
    const pause = screen.getByRole('form', { name: 'Pause the rollout' });
    expect(within(pause).getByRole('textbox')).toHaveFocus();
    await user.keyboard('Support calls from Lyon{Enter}');
    const status = await screen.findByRole('region', { name: 'Paused in phase 1 of 2' });
    expect(status).toHaveTextContent('Paused by operator@acme.example: Support calls from Lyon');
  });

  it('aborts only once confirmed, and puts the focus back when that is cancelled', async () => {
    signInAs('operator');
    runningRollout();
    const { user } = renderRoute(`/rollouts/${rolloutId(2)}`);
    await user.click(await screen.findByRole('button', { name: 'Abort…' }));
    const dialog = screen.getByRole('alertdialog', { name: /Abort Eco Scheduler 1.0 to Lyon\?/ });
    expect(within(dialog).getByRole('button', { name: 'Keep it' })).toHaveFocus();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Abort…' })).toHaveFocus());
    expect(actions()).toEqual([]);

    await user.keyboard('{Enter}');
    await user.click(screen.getByRole('button', { name: 'Yes, abort' }));
    expect(await screen.findByRole('region', { name: 'Aborted' })).toBeVisible();
    expect(screen.queryByRole('button', { name: 'Abort…' })).not.toBeInTheDocument();
    expect(actions()).toEqual([{ path: `/api/rollouts/${rolloutId(2)}/abort`, body: null }]);
  });

  it('starts a live draft once confirmed', async () => {
    signInAs('operator');
    storeRollout(rolloutDetail({ id: rolloutId(3), mode: 'live' }));
    const { user } = renderRoute(`/rollouts/${rolloutId(3)}`);
    expect(await screen.findByRole('region', { name: 'Draft' })).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Start rollout' }));
    const dialog = screen.getByRole('alertdialog', { name: /Start this live rollout\?/ });
    await user.click(within(dialog).getByRole('button', { name: 'Yes, start on live devices' }));
    expect(await screen.findByRole('region', { name: 'Running, phase 1 of 2' })).toBeVisible();
    expect(actions()).toEqual([{ path: `/api/rollouts/${rolloutId(3)}/start`, body: null }]);
  });

  it('refreshes while running and stops once finished', async () => {
    const stored = runningRollout();
    let reads = 0;
    server.use(
      http.get('/api/rollouts/:id', () => {
        reads += 1;
        return undefined;
      }),
    );
    renderRoute(`/rollouts/${rolloutId(2)}`);
    expect(await screen.findByRole('region', { name: 'Running, phase 1 of 2' })).toBeVisible();
    for (const device of stored.devices) device.state = 'succeeded';
    Object.assign(stored.detail, {
      status: 'completed',
      finishedAt: '2026-11-20T10:30:00.000Z',
      sendingNow: false,
    });
    expect(await screen.findByRole('region', { name: 'Completed' })).toBeVisible();
    const readsWhenFinished = reads;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(reads).toBe(readsWhenFinished);
  });

  it('lets support follow a rollout without changing it', async () => {
    signInAs('support');
    pausedRollout();
    renderRoute(`/rollouts/${rolloutId(1)}`);
    expect(await screen.findByRole('region', { name: 'Paused in phase 1 of 2' })).toBeVisible();
    expect(
      screen.getByText('Your role can follow this rollout; it cannot change it.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Resume' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Abort/ })).not.toBeInTheDocument();
  });

  it('says plainly when the rollout is not there', async () => {
    renderRoute(`/rollouts/${rolloutId(9)}`);
    expect(
      await screen.findByRole('heading', { name: 'This rollout could not be loaded' }),
    ).toBeInTheDocument();
  });
});
