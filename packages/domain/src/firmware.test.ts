import { describe, expect, it } from 'vitest';
import { compareFirmware, isFirmwareVersion } from './firmware';

describe('compareFirmware', () => {
  it('compares each part as a number, not as text', () => {
    expect(compareFirmware('2.10.0', '2.9.3')).toBe(1);
    expect(compareFirmware('2.9.3', '2.10.0')).toBe(-1);
  });

  it('treats missing parts as zero', () => {
    expect(compareFirmware('3', '3.0.0')).toBe(0);
    expect(compareFirmware('3.0.1', '3')).toBe(1);
  });

  it('rejects text that is not a version', () => {
    expect(() => compareFirmware('v1.2', '1.2')).toThrow(RangeError);
    expect(isFirmwareVersion('1.2.3')).toBe(true);
    expect(isFirmwareVersion('1..2')).toBe(false);
  });
});
