import { describe, expect, it } from 'vitest';
import { planOpenLoop } from './open-loop-plan';

describe('planOpenLoop', () => {
  it('schedules rate × warm-up and rate × duration requests', () => {
    const plan = planOpenLoop({
      url: 'http://127.0.0.1:3000/api/devices?page=2',
      rate: 250,
      durationMs: 2_000,
      warmupMs: 400,
    });
    expect(plan.warmupCount).toBe(100);
    expect(plan.measuredCount).toBe(500);
    expect(plan.origins).toEqual(['http://127.0.0.1:3000']);
    expect(plan.requests).toEqual([{ method: 'GET', path: '/api/devices?page=2', headers: {} }]);
  });

  it('calls a request function for every index from the first warm-up request, storing each distinct request once', () => {
    const indices: number[] = [];
    const plan = planOpenLoop({
      baseUrl: 'http://127.0.0.1:3000/api/',
      headers: { cookie: 'sid=1', accept: 'application/json' },
      requests: (index) => {
        indices.push(index);
        return { path: `/devices/${index % 3}`, headers: { accept: 'text/csv' } };
      },
      rate: 10,
      durationMs: 1_000,
      warmupMs: 500,
    });
    expect(indices).toEqual(Array.from({ length: 15 }, (_, index) => index));
    expect(plan.requests.map((request) => request.path)).toEqual([
      '/api/devices/0',
      '/api/devices/1',
      '/api/devices/2',
    ]);
    expect(plan.requests[0]!.headers).toEqual({ cookie: 'sid=1', accept: 'text/csv' });
    expect(Array.from(plan.order!)).toEqual(indices.map((index) => index % 3));
  });

  it('lists every problem with the options at once', () => {
    const problems = () =>
      planOpenLoop({
        url: 'ftp://example.test/',
        requests: [{ path: 'no-slash' }],
        rate: 10,
        durationMs: 1,
        connections: 0,
      });
    expect(problems).toThrow(/http:\/\/ or https:\/\//);
    expect(problems).toThrow(/must start with \/\n.*requests\[0\]\.path/);
    expect(problems).toThrow(/>=1\n.*connections/);
    expect(problems).toThrow(/at least one request\n.*durationMs/);
    expect(problems).toThrow(/exactly one of `url` and `requests`/);
  });

  it('refuses base URLs whose paths differ, and several base URLs for a single url', () => {
    const plan = (baseUrl: string[]) => () =>
      planOpenLoop({ baseUrl, requests: [{ path: '/x' }], rate: 10, durationMs: 1_000 });
    expect(plan(['http://127.0.0.1:1/api', 'http://127.0.0.1:2/api/'])()).toMatchObject({
      origins: ['http://127.0.0.1:1', 'http://127.0.0.1:2'],
      requests: [{ path: '/api/x' }],
    });
    expect(plan(['http://127.0.0.1:1/api', 'http://127.0.0.1:2/other'])).toThrow(/same path/);
  });

  it('refuses a request function that returns an invalid request, naming its index', () => {
    expect(() =>
      planOpenLoop({
        baseUrl: 'http://127.0.0.1:3000',
        requests: (index) => ({ path: index === 3 ? 'relative' : '/ok' }),
        rate: 10,
        durationMs: 1_000,
      }),
    ).toThrow(/request 3/);
  });
});
