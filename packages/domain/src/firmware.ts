/**
 * Firmware versions are dotted numbers ("2.10.1"). They compare numerically part by part,
 * so "2.10.0" is newer than "2.9.3"; a missing part counts as 0.
 */
export function compareFirmware(a: string, b: string): number {
  const left = parseFirmware(a);
  const right = parseFirmware(b);
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i += 1) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

export function isFirmwareVersion(value: string): boolean {
  return /^\d+(\.\d+)*$/.test(value);
}

function parseFirmware(value: string): number[] {
  if (!isFirmwareVersion(value)) throw new RangeError(`Not a firmware version: "${value}"`);
  return value.split('.').map(Number);
}
