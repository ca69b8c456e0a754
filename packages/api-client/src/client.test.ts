import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-error';
import { createApiClient } from './client';

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

describe('createApiClient', () => {
  it('turns an error answer into a typed ApiError', async () => {
    const fetch = vi.fn(async () =>
      jsonResponse(404, {
        error: { code: 'NOT_FOUND', message: 'Device X was not found.', requestId: 'req-1' },
      }),
    );
    const api = createApiClient({ fetch });
    const error = await api.devices.get('X').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND', requestId: 'req-1' });
  });

  it('fetches a CSRF token before the first unsafe request and sends it', async () => {
    const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      if (String(url).endsWith('/api/auth/csrf')) return jsonResponse(200, { csrfToken: 'tok-1' });
      expect(new Headers(init?.headers).get('X-CSRF-Token')).toBe('tok-1');
      return new Response(null, { status: 204 });
    });
    await createApiClient({ fetch }).auth.logout();
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('refreshes a stale CSRF token once and retries', async () => {
    let tokens = 0;
    const seen: (string | null)[] = [];
    const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      if (String(url).endsWith('/api/auth/csrf'))
        return jsonResponse(200, { csrfToken: `tok-${++tokens}` });
      const token = new Headers(init?.headers).get('X-CSRF-Token');
      seen.push(token);
      return token === 'tok-2'
        ? new Response(null, { status: 204 })
        : jsonResponse(403, { error: { code: 'CSRF_INVALID', message: 'stale' } });
    });
    await createApiClient({ fetch }).auth.logout();
    expect(seen).toEqual(['tok-1', 'tok-2']);
  });

  it('rejects an answer that does not match the schema', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, { status: 'fine' }));
    await expect(createApiClient({ fetch }).health()).rejects.toThrow();
  });

  it('drops empty filters from the query string', async () => {
    const fetch = vi.fn(async (_url: string | URL | Request) =>
      jsonResponse(200, { items: [], nextCursor: null, total: 0 }),
    );
    await createApiClient({ fetch }).devices.list({ q: '', model: 'cam-c3', limit: 10 });
    expect(String(fetch.mock.calls[0]?.[0])).toBe('/api/devices?model=cam-c3&limit=10');
  });

  it('sends the search box text as q, encoded', async () => {
    const fetch = vi.fn(async (_url: string | URL | Request) =>
      jsonResponse(200, { query: 'ACM-TX1-0004 eco', results: [] }),
    );
    const answer = await createApiClient({ fetch }).search('ACM-TX1-0004 eco');
    expect(String(fetch.mock.calls[0]?.[0])).toBe('/api/search?q=ACM-TX1-0004+eco');
    expect(answer.results).toEqual([]);
  });

  it('asks for the overview of a range and mode', async () => {
    const fetch = vi.fn(async (_url: string | URL | Request) =>
      jsonResponse(200, {
        from: '2026-11-01',
        to: '2026-11-07',
        mode: 'live',
        currencies: [],
        sales: [],
        items: [],
        installs: { days: [], failures: [] },
      }),
    );
    await createApiClient({ fetch }).overview.get({
      from: '2026-11-01',
      to: '2026-11-07',
      mode: 'live',
    });
    expect(String(fetch.mock.calls[0]?.[0])).toBe(
      '/api/overview?from=2026-11-01&to=2026-11-07&mode=live',
    );
  });

  it('links the audit export with the same filters as the list, without cursor or limit', () => {
    const api = createApiClient();
    expect(api.audit.exportUrl({ actor: 'admin@acme.example', action: 'purchase.refund' })).toBe(
      '/api/audit/export.csv?actor=admin%40acme.example&action=purchase.refund',
    );
    expect(api.audit.exportUrl()).toBe('/api/audit/export.csv');
  });
});
