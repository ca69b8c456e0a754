import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { meSchema } from '@repo/schemas';
import { acmeAdmin, authState } from '../../../testing/handlers/auth';
import { deviceGroupsState, groupId } from '../../../testing/handlers/device-groups';
import { apiError } from '../../../testing/handlers/errors';
import { renderRoute } from '../../../testing/render';
import { server } from '../../../testing/server';

const signInAs = (role: 'support' | 'operator') => {
  authState.me = meSchema.parse({
    ...acmeAdmin,
    user: { ...acmeAdmin.user, id: `usr_acme_${role}`, email: `${role}@acme.example`, role },
  });
};
const rowOf = (name: string) => screen.getByRole('row', { name: new RegExp(`^${name}`) });
const posted = () => deviceGroupsState.requests.filter((r) => r.path !== '/preview');

describe('Device groups page', () => {
  it('lists each group with its kind, its criteria in words and how many devices it holds', async () => {
    renderRoute('/device-groups');
    await screen.findByRole('table', { name: 'Device groups' });
    const lyon = rowOf('Lyon thermostats');
    expect(within(lyon).getByText('Dynamic')).toBeInTheDocument();
    expect(within(lyon).getByText('Model thermo-x1 · At site lyon')).toBeInTheDocument();
    expect(
      within(lyon).getByRole('link', { name: '5 devices in Lyon thermostats' }),
    ).toHaveAttribute('href', `/devices?groupId=${groupId(1)}`);
    const pilot = rowOf('Berlin pilot');
    expect(within(pilot).getByText('Static')).toBeInTheDocument();
    expect(within(pilot).getByText('Listed devices')).toBeInTheDocument();
    expect(
      within(pilot).getByRole('link', { name: '3 devices in Berlin pilot' }),
    ).toBeInTheDocument();
  });

  it('creates a dynamic group from criteria, counting the devices they match as they change', async () => {
    signInAs('operator');
    const { user, router } = renderRoute('/device-groups');
    await user.click(await screen.findByRole('link', { name: 'New group' }));
    // The list's search field is called Name too: wait for the form's page.
    await screen.findByRole('heading', { name: 'New device group' });
    await user.type(screen.getByLabelText('Name'), 'Berlin thermostats');
    expect(screen.getByRole('radio', { name: /Dynamic/ })).toBeChecked();
    const preview = await screen.findByText(/^Matches 30 devices now/);

    await user.click(screen.getByRole('checkbox', { name: 'thermo-x1' }));
    await waitFor(() => expect(preview).toHaveTextContent('Matches 10 devices now.'));
    // From the keyboard: the site's box is one Tab stop among the others.
    screen.getByRole('checkbox', { name: 'berlin' }).focus();
    await user.keyboard(' ');
    await waitFor(() => expect(preview).toHaveTextContent('Matches 5 devices now.'));

    const from = screen.getByLabelText('From (inclusive)');
    await user.type(from, '2.x');
    expect(from).toHaveAccessibleDescription('Write a version such as 2.4.0.');
    expect(preview).toHaveTextContent('Fix the criteria above to see how many devices match.');
    await user.clear(from);
    await user.type(from, '2.0.0');
    await waitFor(() => expect(preview).toHaveTextContent('Matches 5 devices now.'));

    await user.click(screen.getByRole('button', { name: 'Create group' }));
    expect(await screen.findByRole('heading', { name: 'Berlin thermostats' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/device-groups/${groupId(100)}`);
    expect(posted()).toEqual([
      {
        method: 'POST',
        path: '',
        body: {
          name: 'Berlin thermostats',
          kind: 'dynamic',
          filter: { models: ['thermo-x1'], sites: ['berlin'], firmwareMin: '2.0.0' },
        },
      },
    ]);
    const criteria = screen.getByRole('region', { name: 'Criteria' });
    expect(
      within(criteria)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Model thermo-x1', 'Firmware 2.0.0 or newer', 'At site berlin']);
    expect(screen.getByText('Showing 5 of 5 devices')).toBeInTheDocument();
  });

  it('creates a static group from typed IDs and names the ones that are not your devices', async () => {
    const { user } = renderRoute('/device-groups/new');
    await user.type(await screen.findByLabelText('Name'), 'Lab bench');
    await user.click(screen.getByRole('radio', { name: /Static/ }));
    await user.click(screen.getByRole('button', { name: 'Create group' }));
    expect(screen.getByLabelText('Device IDs')).toHaveAccessibleDescription(
      /Add at least one device ID\./,
    );
    expect(posted()).toEqual([]);

    await user.type(screen.getByLabelText('Device IDs'), 'acm-the-0003, ACM-NOPE-0001');
    await user.click(screen.getByRole('button', { name: 'Create group' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The group was not saved.');
    expect(alert).toHaveTextContent('ACM-NOPE-0001 not a device of your organisation');

    await user.clear(screen.getByLabelText('Device IDs'));
    await user.type(screen.getByLabelText('Device IDs'), 'acm-the-0003{Enter}ACM-THE-0006');
    await user.click(screen.getByRole('button', { name: 'Create group' }));
    expect(await screen.findByRole('heading', { name: 'Lab bench' })).toBeInTheDocument();
    expect(posted().at(-1)?.body).toEqual({
      name: 'Lab bench',
      kind: 'static',
      deviceIds: ['ACM-THE-0003', 'ACM-THE-0006'],
    });
  });

  it('deletes a group once confirmed, and says plainly why one in use stays', async () => {
    const { user } = renderRoute('/device-groups');
    await screen.findByRole('table', { name: 'Device groups' });

    // Keyboard only: the confirmation takes the focus, Enter confirms.
    within(rowOf('Berlin pilot')).getByRole('button', { name: 'Delete Berlin pilot' }).focus();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('button', { name: 'Delete Berlin pilot' })).toHaveFocus();
    await user.keyboard('{Enter}');
    const refusal = await within(rowOf('Berlin pilot')).findByRole('alert');
    expect(refusal).toHaveTextContent(
      'Berlin pilot was not deleted. Berlin pilot is the target of 1 draft, running or paused rollout; delete it once they end.',
    );
    expect(within(refusal).getByRole('link', { name: 'See the rollouts' })).toHaveAttribute(
      'href',
      '/rollouts',
    );
    await user.click(screen.getByRole('button', { name: 'Close' }));

    await user.click(screen.getByRole('button', { name: 'Delete Lyon thermostats' }));
    await user.click(screen.getByRole('button', { name: 'Delete Lyon thermostats' }));
    await waitFor(() =>
      expect(screen.queryByRole('row', { name: /^Lyon thermostats/ })).not.toBeInTheDocument(),
    );
    expect(rowOf('Berlin pilot')).toBeInTheDocument();
  });

  it('renames a group and changes its criteria', async () => {
    const { user } = renderRoute(`/device-groups/${groupId(1)}`);
    const name = await screen.findByLabelText('Name');
    await user.clear(name);
    await user.type(name, 'Lyon and Berlin thermostats');
    await user.click(screen.getByRole('checkbox', { name: 'berlin' }));
    expect(await screen.findByText('Matches 10 devices now.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(
      await screen.findByRole('heading', { name: 'Lyon and Berlin thermostats' }),
    ).toBeInTheDocument();
    expect(screen.getByText('Saved.')).toBeInTheDocument();
    expect(posted()).toEqual([
      {
        method: 'PATCH',
        path: `/${groupId(1)}`,
        body: {
          name: 'Lyon and Berlin thermostats',
          filter: { models: ['thermo-x1'], sites: ['lyon', 'berlin'] },
        },
      },
    ]);
    expect(await screen.findByText('Showing 10 of 10 devices')).toBeInTheDocument();
  });

  it('edits the devices of a static group', async () => {
    const { user } = renderRoute(`/device-groups/${groupId(2)}`);
    const ids = await screen.findByLabelText('Device IDs');
    expect(ids).toHaveValue('ACM-CAM-0001\nACM-THE-0003\nACM-THE-0009');
    await user.type(ids, '{Enter}ACM-THE-0006');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Showing 4 of 4 devices')).toBeInTheDocument();
    expect(posted()[0]?.body).toEqual({
      name: 'Berlin pilot',
      deviceIds: ['ACM-CAM-0001', 'ACM-THE-0003', 'ACM-THE-0009', 'ACM-THE-0006'],
    });
  });

  it('lets support read groups and their devices without changing them', async () => {
    signInAs('support');
    renderRoute('/device-groups');
    await screen.findByRole('table', { name: 'Device groups' });
    expect(screen.queryByRole('link', { name: 'New group' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Delete/ })).not.toBeInTheDocument();
  });

  it('shows a group read-only to support', async () => {
    signInAs('support');
    renderRoute(`/device-groups/${groupId(1)}`);
    expect(await screen.findByRole('heading', { name: 'Lyon thermostats' })).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Devices in Lyon thermostats' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Name')).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Roll out to this group' })).not.toBeInTheDocument();
  });

  it('says when there are no groups yet', async () => {
    deviceGroupsState.groups = [];
    renderRoute('/device-groups');
    expect(await screen.findByText('No device groups yet')).toBeInTheDocument();
  });

  it('shows a failure with its request id and recovers on retry', async () => {
    let down = true;
    server.use(
      http.get('/api/device-groups', () =>
        down ? apiError(500, 'INTERNAL', 'Something broke.', 'req-77') : undefined,
      ),
    );
    const { user } = renderRoute('/device-groups');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('req-77');
    down = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: 'Device groups' })).toBeInTheDocument();
  });
});

describe('device groups on the Devices page', () => {
  it('filters the devices by a group kept in the URL', async () => {
    const { user, router } = renderRoute(`/devices?groupId=${groupId(2)}`);
    expect(await screen.findByText('Showing 3 of 3 devices')).toBeInTheDocument();
    expect(screen.getByLabelText('Group')).toHaveValue(groupId(2));
    await user.selectOptions(screen.getByLabelText('Group'), 'Lyon thermostats (dynamic, 5)');
    await waitFor(() => expect(router.state.location.search).toBe(`?groupId=${groupId(1)}`));
    expect(await screen.findByText('Showing 5 of 5 devices')).toBeInTheDocument();
  });

  it('saves the selected devices as a static group', async () => {
    signInAs('operator');
    const { user } = renderRoute('/devices?model=thermo-x1');
    await screen.findByRole('table');
    await user.click(screen.getByRole('checkbox', { name: 'Select ACM-THE-0003' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select ACM-THE-0006' }));
    const panel = screen.getByRole('region', { name: 'Save 2 devices as a group' });
    await user.type(within(panel).getByLabelText('Group name'), 'Two thermostats{Enter}');
    const saved = await within(panel).findByRole('status');
    expect(saved).toHaveTextContent('Saved Two thermostats with 2 devices.');
    expect(within(saved).getByRole('link', { name: 'Two thermostats' })).toHaveAttribute(
      'href',
      `/device-groups/${groupId(100)}`,
    );
    expect(posted()[0]?.body).toEqual({
      name: 'Two thermostats',
      kind: 'static',
      deviceIds: ['ACM-THE-0003', 'ACM-THE-0006'],
    });
  });

  it('selects every device of a group, beyond the page shown, for one bulk install', async () => {
    deviceGroupsState.groups.push({
      id: groupId(50),
      name: 'Whole fleet',
      kind: 'dynamic',
      filter: {},
      deviceIds: [],
      activeRolloutCount: 0,
      updatedAt: '2026-11-19T09:00:00.000Z',
    });
    const { user } = renderRoute(`/devices?groupId=${groupId(50)}`);
    expect(await screen.findByText('Showing 25 of 30 devices')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Select all 30 matching' }));
    expect(
      await screen.findByRole('region', { name: 'Queue an install on 30 devices' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Save 30 devices as a group' })).toBeInTheDocument();
  });
});
