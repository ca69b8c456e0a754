import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { deviceRequests } from '../../../testing/handlers/devices';
import { apiError } from '../../../testing/handlers/errors';
import { renderRoute } from '../../../testing/render';
import { server } from '../../../testing/server';

const rows = () => within(screen.getByRole('table')).getAllByRole('row').slice(1);

describe('Devices page', () => {
  it('lists the first page with the total and loads more on request', async () => {
    const { user } = renderRoute('/devices');
    expect(await screen.findByText('Showing 25 of 30 devices')).toBeInTheDocument();
    expect(rows()).toHaveLength(25);
    await user.click(screen.getByRole('button', { name: 'Show more devices' }));
    expect(await screen.findByText('Showing 30 of 30 devices')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Show more devices' })).not.toBeInTheDocument();
  });

  it('searches after typing stops and keeps the search in the URL', async () => {
    const { user, router } = renderRoute('/devices');
    await screen.findByRole('table');
    await user.type(screen.getByRole('searchbox'), 'ACM-CAM');
    await waitFor(() => expect(router.state.location.search).toBe('?q=ACM-CAM'));
    await waitFor(() =>
      expect(rows().every((row) => row.textContent?.includes('cam-c3'))).toBe(true),
    );
    // Debounced: one request for the whole word, not one per key.
    expect(deviceRequests.filter((url) => url.searchParams.has('q'))).toHaveLength(1);
  });

  it('applies filters from the URL on load and from the selects', async () => {
    const { user, router } = renderRoute('/devices?tag=site%3Alyon');
    await screen.findByRole('table');
    expect(rows().every((row) => row.textContent?.includes('site:lyon'))).toBe(true);
    await user.selectOptions(screen.getByLabelText('Model'), 'gateway-g3');
    await waitFor(() =>
      expect(router.state.location.search).toBe('?tag=site%3Alyon&model=gateway-g3'),
    );
    await waitFor(() =>
      expect(
        rows().every(
          (row) => row.textContent?.includes('gateway-g3') && row.textContent.includes('site:lyon'),
        ),
      ).toBe(true),
    );
  });

  it('says when nothing matches and clears the filters', async () => {
    const { user, router } = renderRoute('/devices?q=zzz');
    expect(await screen.findByText('No devices match these filters')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
    expect(await screen.findByText('Showing 25 of 30 devices')).toBeInTheDocument();
    expect(screen.getByRole('searchbox')).toHaveValue('');
  });

  it('shows a failure with its request id and recovers on retry', async () => {
    let serverDown = true;
    // Falls through to the normal handler once the server is back.
    server.use(
      http.get('/api/devices', () =>
        serverDown
          ? apiError(500, 'INTERNAL', 'Something went wrong on our side.', 'req-42')
          : undefined,
      ),
    );
    const { user } = renderRoute('/devices');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Something went wrong on our side.');
    expect(alert).toHaveTextContent('req-42');
    serverDown = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Showing 25 of 30 devices')).toBeInTheDocument();
  });

  it('focuses the search box on "/"', async () => {
    const { user } = renderRoute('/devices');
    await screen.findByRole('table');
    await user.keyboard('/');
    expect(screen.getByRole('searchbox')).toHaveFocus();
  });
});
