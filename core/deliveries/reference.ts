/**
 * A delivery's reference (the ITAD's order or delivery number, e.g. `ORD-123`) and the hash the transfer carries:
 * `keccak256(utf8(reference))`, the 32 bytes of the ERC-1155 `data` argument of the delivery's
 * `safeTransferFrom` / `safeBatchTransferFrom` (docs/deliveries.md). The text itself stays off the chain (it is kept
 * by the registry and shown to the ITAD and the customer); the hash binds the transfer to it.
 */
import { keccak256Utf8 } from "../calc/keccak.ts";
import { CodedError } from "../../sdk/src/errors.ts";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The longest reference taken (characters). */
export const MAX_REFERENCE_LENGTH = 128;

/** A reference, customer or device list a delivery cannot be made of. */
export class DeliveryInputError extends CodedError<"DELIVERY_INVALID"> {
  constructor(message: string) {
    super("DELIVERY_INVALID", message);
  }
}

/**
 * The reference as stored and hashed: trimmed; 1 to 128 characters of printable text (no control characters, no
 * lone surrogate). The hash is over exactly these characters, so `ORD-123` and ` ORD-123 ` are one reference.
 * @throws DeliveryInputError
 */
export function normaliseReference(reference: string): string {
  const text = reference.trim();
  if (text.length === 0 || text.length > MAX_REFERENCE_LENGTH) {
    throw new DeliveryInputError(`a delivery reference is 1 to ${MAX_REFERENCE_LENGTH} characters, got ${text.length}`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text) || LONE_SURROGATE.test(text)) {
    throw new DeliveryInputError("a delivery reference is printable text (no control characters or lone surrogates)");
  }
  return text;
}

/** `keccak256(utf8(reference))` of the normalised reference: `0x` + 64 lower-case hex, the transfer's `data`. */
export function deliveryReferenceHash(reference: string): string {
  return keccak256Utf8(normaliseReference(reference));
}
