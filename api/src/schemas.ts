/**
 * Wire schemas shared by routes: uint256 and decimals are strings, addresses checksummed, times ISO-8601 UTC.
 *
 * Every schema here admits only values the code behind it can use as they are: an integer that fits the
 * on-chain type it is sent as, a date that exists, an id that is exact as a JavaScript number. A value that
 * passes is never refused later by an encoder (a 500); it is refused here, with a pointer to the field (a 422).
 */
import { getAddress, isAddress } from "ethers";
import { z } from "zod";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export const address = z
  .string()
  .regex(ADDRESS, "expected a 0x-prefixed 20-byte Ethereum address")
  .refine(
    (v) => !ADDRESS.test(v) || isAddress(v),
    "expected a valid EIP-55 checksum (or the address in all lower or all upper case)",
  )
  .transform((v) => getAddress(v))
  .meta({
    id: "Address",
    description: "Ethereum address (EIP-55 checksummed on output)",
    example: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  });

/** Largest value of an unsigned integer of `bits` bits. */
export const maxUint = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

/**
 * A `uint<bits>` as a decimal string: digits only, no sign or leading zero, at most 2^bits − 1 — so it encodes
 * as that ABI type. The output stays the string (ethers encodes decimal strings).
 */
export function uintStringOf(bits: number, meta: { id: string; example: string }) {
  const max = maxUint(bits);
  const digits = new RegExp(`^(0|[1-9][0-9]{0,${max.toString().length - 1}})$`);
  return z
    .string()
    .regex(digits, "expected a non-negative integer as a decimal string")
    .refine(
      (v) => !digits.test(v) || BigInt(v) <= max,
      `expected an integer at most 2^${bits}−1${bits <= 64 ? ` (${max})` : ""}`,
    )
    .meta({ id: meta.id, description: `uint${bits} as a decimal string (0 to 2^${bits}−1)`, example: meta.example });
}

/** uint256 (ERC-1155 ids and amounts, `RetirementRequest.batchId`). */
export const uintString = uintStringOf(256, { id: "UintString", example: "12" });
/** uint32 (certificate counts: `RetirementRequest.amount`, `Attestation.certificates`). */
export const uint32String = uintStringOf(32, { id: "Uint32String", example: "12" });

const ID = /^[1-9][0-9]{0,15}$/;
const idString = () =>
  z
    .string()
    .regex(ID, "expected a positive integer id")
    .refine(
      (v) => !ID.test(v) || Number(v) <= Number.MAX_SAFE_INTEGER,
      `expected a positive integer id at most ${Number.MAX_SAFE_INTEGER}`,
    );

/**
 * A sequential on-chain id (batch, retirement), 1 to 2^53 − 1: exact as a JavaScript number and in the event
 * index (batch ids are uint40 on chain, retirement ids a counter). Output: bigint, for chain calls.
 */
export const positiveId = idString().transform((v) => BigInt(v));
/** The same id, kept as its decimal string (query filters handed to the event index). */
export const positiveIdString = idString();

export const hash32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 0x-prefixed 32-byte hex value");
/** Largest hex payload taken (signatures, signed transactions): 128 KiB, a node's transaction size limit. */
export const MAX_HEX_BYTES = 128 * 1024;
export const hexData = z
  .string()
  .max(2 + 2 * MAX_HEX_BYTES, `expected at most ${MAX_HEX_BYTES} bytes`)
  .regex(/^0x([0-9a-fA-F]{2})*$/, "expected 0x-prefixed hex bytes");

/** Text that has a UTF-8 encoding (no lone UTF-16 surrogate, which ethers cannot encode for the chain). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const isWellFormedText = (v: string): boolean => !LONE_SURROGATE.test(v);
/** A text field bound for the chain or a signature: `min`–`max` characters of well-formed Unicode. */
export const wellFormedText = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine(isWellFormedText, "expected well-formed Unicode text (a lone UTF-16 surrogate has no UTF-8 encoding)");

export const lotId = z.string().regex(/^L[1-9][0-9]{0,9}$/, "expected a lot id like L12");
export const batchJobId = z
  .string()
  .regex(
    /^L[1-9][0-9]{0,9}-(laptop|desktop|monitor|smartphone|tablet|server)$/,
    "expected a batch job id like L12-laptop",
  );

// ---------------------------------------------------------------------------------------------------------------
// Calendar dates
// ---------------------------------------------------------------------------------------------------------------

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The first and last day taken: on chain a day is Unix seconds in a uint40, never before the epoch. */
export const MIN_DAY = "1970-01-01";
export const MAX_DAY = "9999-12-31";

function daysInMonth(y: number, m: number): number {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return m === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Year, month, day of a real calendar date `YYYY-MM-DD` from 1970-01-01 to 9999-12-31, else `undefined`. */
export function parseIsoDay(text: string): { y: number; m: number; d: number } | undefined {
  if (!DAY.test(text)) return undefined;
  const [y, m, d] = [Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10))];
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return { y, m, d };
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), in integers. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * Unix seconds of 00:00:00 UTC of `day` (a date `isoDate` accepted). Integer arithmetic, no `Date`: never NaN,
 * never a day rolled over into the next month.
 * @throws RangeError for a text that is not such a date — a programming error, validation refuses it first
 */
export function dayStartSeconds(day: string): bigint {
  const ymd = parseIsoDay(day);
  if (ymd === undefined) throw new RangeError(`not a calendar date from ${MIN_DAY} to ${MAX_DAY}: ${day}`);
  return BigInt(daysFromCivil(ymd.y, ymd.m, ymd.d)) * 86_400n;
}

/** Unix seconds of 23:59:59 UTC of `day` (the last second of the day). */
export function dayEndSeconds(day: string): bigint {
  return dayStartSeconds(day) + 86_399n;
}

export const isoDate = z
  .string()
  .regex(DAY, "expected a date as YYYY-MM-DD")
  .refine(
    (v) => !DAY.test(v) || parseIsoDay(v) !== undefined,
    `expected a calendar date that exists, from ${MIN_DAY} to ${MAX_DAY}`,
  )
  .meta({ description: `A calendar date YYYY-MM-DD that exists (not 2026-02-30), from ${MIN_DAY} to ${MAX_DAY}` });

export const paging = {
  limit: z.coerce.number().int().min(1).max(500).default(100).describe("page size (1–500)"),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0).describe("rows to skip"),
};

export const unsignedTxSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    data: z.string(),
    value: z.literal("0"),
    chainId: z.string(),
    gasPrice: z.string().optional(),
    gasLimit: z.string(),
    description: z.string(),
  })
  .meta({ id: "UnsignedTransaction", description: "Sign this with the `from` wallet, then POST it to /tx/relay" });

export const indexStatusSchema = z
  .object({ lastBlock: z.number().int().nullable(), head: z.number().int(), lagBlocks: z.number().int().nullable() })
  .meta({ id: "IndexStatus", description: "How far the listing index has caught up with the chain" });
