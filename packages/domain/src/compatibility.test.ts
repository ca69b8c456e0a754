import { describe, expect, it } from 'vitest';
import { isItemCompatible, releaseIncompatibility } from './compatibility';

const release = { compatibleModels: ['thermo-x1', 'thermo-x2'], minFirmware: '2.4.0' };

describe('releaseIncompatibility', () => {
  it('accepts a listed model at exactly the minimum firmware', () => {
    expect(
      releaseIncompatibility({ model: 'thermo-x1', firmwareVersion: '2.4.0' }, release),
    ).toBeNull();
  });

  it('names the model when the release does not support it', () => {
    expect(releaseIncompatibility({ model: 'cam-c3', firmwareVersion: '9.0.0' }, release)).toEqual({
      reason: 'MODEL_NOT_SUPPORTED',
      model: 'cam-c3',
    });
  });

  it('names both versions when the firmware is too old', () => {
    expect(
      releaseIncompatibility({ model: 'thermo-x2', firmwareVersion: '2.3.9' }, release),
    ).toEqual({
      reason: 'FIRMWARE_TOO_OLD',
      firmwareVersion: '2.3.9',
      minFirmware: '2.4.0',
    });
  });
});

describe('isItemCompatible', () => {
  it('depends on the model only', () => {
    expect(isItemCompatible({ model: 'thermo-x2' }, release)).toBe(true);
    expect(isItemCompatible({ model: 'gateway-g3' }, release)).toBe(false);
  });
});
