import { compareFirmware } from './firmware';

export type DeviceTraits = { model: string; firmwareVersion: string };
export type ReleaseRequirements = { compatibleModels: readonly string[]; minFirmware: string };

export type Incompatibility =
  | { reason: 'MODEL_NOT_SUPPORTED'; model: string }
  | { reason: 'FIRMWARE_TOO_OLD'; firmwareVersion: string; minFirmware: string };

/** Why a release cannot run on a device, or null when it can. */
export function releaseIncompatibility(
  device: DeviceTraits,
  release: ReleaseRequirements,
): Incompatibility | null {
  if (!release.compatibleModels.includes(device.model)) {
    return { reason: 'MODEL_NOT_SUPPORTED', model: device.model };
  }
  if (compareFirmware(device.firmwareVersion, release.minFirmware) < 0) {
    return {
      reason: 'FIRMWARE_TOO_OLD',
      firmwareVersion: device.firmwareVersion,
      minFirmware: release.minFirmware,
    };
  }
  return null;
}

export function isReleaseCompatible(device: DeviceTraits, release: ReleaseRequirements): boolean {
  return releaseIncompatibility(device, release) === null;
}

/** An item can be bought for a device whose model the item lists. */
export function isItemCompatible(
  device: Pick<DeviceTraits, 'model'>,
  item: { compatibleModels: readonly string[] },
): boolean {
  return item.compatibleModels.includes(device.model);
}

/** The reason in words, as operators read it beside the release. */
export function describeIncompatibility(incompatibility: Incompatibility): string {
  return incompatibility.reason === 'MODEL_NOT_SUPPORTED'
    ? `Not made for the ${incompatibility.model} model.`
    : `Needs firmware ${incompatibility.minFirmware} or newer; the device runs ${incompatibility.firmwareVersion}.`;
}
