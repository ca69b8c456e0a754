import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INSTALL_EVENTS,
  INSTALL_STATUSES,
  eventForReport,
  isInstallActive,
  isInstallCancellable,
  nextInstallStatus,
  type InstallEvent,
  type InstallStatus,
} from './install-jobs';

/** The lifecycle as the product describes it, written out independently of the implementation. */
const ALLOWED: ReadonlyArray<[InstallStatus, InstallEvent, InstallStatus]> = [
  ['queued', 'send', 'sent'],
  ['queued', 'cancel', 'cancelled'],
  ['sent', 'cancel', 'cancelled'],
  ['sent', 'download', 'downloading'],
  ['sent', 'fail', 'failed'],
  ['downloading', 'progress', 'downloading'],
  ['downloading', 'install', 'installing'],
  ['downloading', 'fail', 'failed'],
  ['installing', 'progress', 'installing'],
  ['installing', 'succeed', 'succeeded'],
  ['installing', 'fail', 'failed'],
];
const allowed = (status: InstallStatus, event: InstallEvent) =>
  ALLOWED.find(([from, on]) => from === status && on === event)?.[2] ?? null;

const statuses = fc.constantFrom(...INSTALL_STATUSES);
const events = fc.constantFrom(...INSTALL_EVENTS);

describe('install job state machine', () => {
  it('from every state, every event moves to the allowed state or is refused, and nothing else', () => {
    fc.assert(
      fc.property(statuses, events, (status, event) => {
        expect(nextInstallStatus(status, event)).toBe(allowed(status, event));
      }),
    );
  });

  it('any sequence of events only ever walks the lifecycle forward', () => {
    const order: InstallStatus[] = ['queued', 'sent', 'downloading', 'installing'];
    fc.assert(
      fc.property(fc.array(events, { maxLength: 30 }), (sequence) => {
        let status: InstallStatus = 'queued';
        for (const event of sequence) {
          const next = nextInstallStatus(status, event);
          if (next === null) continue;
          if (isInstallActive(next))
            expect(order.indexOf(next)).toBeGreaterThanOrEqual(order.indexOf(status));
          else expect(isInstallActive(status)).toBe(true);
          status = next;
        }
      }),
    );
  });

  it('finished jobs never change again', () => {
    for (const status of ['succeeded', 'failed', 'cancelled'] as const) {
      for (const event of INSTALL_EVENTS) expect(nextInstallStatus(status, event)).toBeNull();
    }
  });

  it('only jobs the device has not started can be cancelled', () => {
    expect(INSTALL_STATUSES.filter(isInstallCancellable)).toEqual(['queued', 'sent']);
  });

  it('reads a repeated report of the current step as progress', () => {
    expect(eventForReport('downloading', 'downloading')).toBe('progress');
    expect(eventForReport('sent', 'downloading')).toBe('download');
    expect(eventForReport('installing', 'installing')).toBe('progress');
    expect(eventForReport('downloading', 'succeeded')).toBe('succeed');
    expect(nextInstallStatus('downloading', eventForReport('downloading', 'succeeded'))).toBeNull();
  });
});
