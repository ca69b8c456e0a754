import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceIdSchema } from '@repo/schemas';
import { normaliseDeviceId } from './device-ids';

describe('normaliseDeviceId', () => {
  it('trims the spaces around an ID and upper-cases it', () => {
    expect(normaliseDeviceId('  acm-tx1-0004 ')).toBe('ACM-TX1-0004');
    expect(normaliseDeviceId('Acm-Tx1-0004')).toBe('ACM-TX1-0004');
    expect(normaliseDeviceId('sn_1.2-x')).toBe('SN_1.2-X');
  });

  it('leaves a canonical ID as it is, so applying it twice changes nothing', () => {
    expect(normaliseDeviceId('ACM-TX1-0004')).toBe('ACM-TX1-0004');
    fc.assert(
      fc.property(fc.string(), (input) => {
        const once = normaliseDeviceId(input);
        expect(normaliseDeviceId(once)).toBe(once);
      }),
    );
  });

  it('changes the case of ASCII letters only, as the databases do', () => {
    expect(normaliseDeviceId('straße-é')).toBe('STRAßE-é');
  });

  it('gives the same ID as the shared schema for every well-formed input', () => {
    const typed = fc
      .tuple(
        fc.constantFrom(' ', '', '\t'),
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
        fc.constantFrom(' ', '', '  '),
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(typed, (input) => {
        expect(deviceIdSchema.parse(input)).toBe(normaliseDeviceId(input));
      }),
    );
  });
});
