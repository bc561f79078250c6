/** Device ids (docs/methodology.md §8.1). */
import { keccak256Utf8 } from "./keccak.ts";
import { normaliseName, normaliseSerial } from "./normalise.ts";

/**
 * `deviceId = keccak256(utf8(lower(normalised manufacturer) + "|" + upper(serial without spaces)))`, as `0x` +
 * 64 lower-case hex digits. Accepts raw or already-normalised text (normalisation is idempotent).
 */
export function deviceId(manufacturer: string, serial: string): string {
  return keccak256Utf8(`${normaliseName(manufacturer)}|${normaliseSerial(serial)}`);
}
