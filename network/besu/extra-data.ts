/**
 * QBFT `extraData` as Hyperledger Besu encodes it (`QbftExtraDataCodec`):
 *
 *     RLP([vanity: 32 bytes, validators: [address…], vote: [] | [recipient, 0xff | ""], round: int scalar, seals: [65 bytes…]])
 *
 * A genesis block carries only the validator list: zero vanity, no vote (an empty list), round 0 (the empty byte
 * string, since Besu writes the round as a minimal big-endian scalar) and no seals (an empty list).
 * Reference: https://besu.hyperledger.org/private-networks/how-to/configure/consensus/qbft#extra-data
 */
import { decodeRlp, encodeRlp, getAddress, hexlify, isHexString, toBeArray, zeroPadValue } from "ethers";

import { BesuNetworkError } from "./errors.ts";

/** Length of the vanity field, in bytes. */
export const VANITY_LENGTH = 32;
/** Length of one committed seal (r ‖ s ‖ recovery id), in bytes. */
export const SEAL_LENGTH = 65;
/** Besu reads the round as a Java `int`. */
export const MAX_ROUND = 2 ** 31 - 1;

/** A validator vote carried by a block: add (`0xff`) or drop (empty) `recipient`. */
export interface QbftVote {
  readonly recipient: string;
  readonly add: boolean;
}

/** The decoded fields of QBFT `extraData`. Addresses are checksummed, byte strings lower-case hex. */
export interface QbftExtraData {
  readonly vanity: string;
  readonly validators: readonly string[];
  readonly vote: QbftVote | null;
  readonly round: number;
  readonly seals: readonly string[];
}

/** Input of {@link encodeQbftExtraData}; everything but the validators defaults to the genesis values. */
export interface QbftExtraDataInput {
  readonly validators: readonly string[];
  readonly vanity?: string;
  readonly vote?: QbftVote | null;
  readonly round?: number;
  readonly seals?: readonly string[];
}

const ZERO_VANITY = zeroPadValue("0x", VANITY_LENGTH);
const VOTE_ADD = "0xff";

function invalid(message: string, details?: Record<string, unknown>, cause?: unknown): BesuNetworkError {
  return new BesuNetworkError("INVALID_EXTRA_DATA", message, details, cause === undefined ? undefined : { cause });
}

function checkedAddress(value: string, what: string): string {
  try {
    return getAddress(value);
  } catch (error) {
    throw invalid(`${what} is not an address: ${JSON.stringify(value)}`, { value }, error);
  }
}

function checkedBytes(value: string, length: number, what: string): string {
  if (!isHexString(value, length)) {
    throw invalid(`${what} must be ${length} bytes of hex, got ${JSON.stringify(value)}`, { value });
  }
  return value.toLowerCase();
}

/**
 * Encodes QBFT `extraData`. The validators keep the order given: Besu's documentation lists genesis validators in
 * ascending address order, and {@link genesisExtraData} callers are expected to sort them (the generator does).
 */
export function encodeQbftExtraData(input: QbftExtraDataInput): string {
  const vanity = checkedBytes(input.vanity ?? ZERO_VANITY, VANITY_LENGTH, "vanity");
  const validators = input.validators.map((v, i) => checkedAddress(v, `validator ${i + 1}`));
  const round = input.round ?? 0;
  if (!Number.isInteger(round) || round < 0 || round > MAX_ROUND) {
    throw invalid(`round must be an integer between 0 and ${MAX_ROUND}, got ${round}`, { round });
  }
  const seals = (input.seals ?? []).map((s, i) => checkedBytes(s, SEAL_LENGTH, `seal ${i + 1}`));
  const vote = input.vote
    ? [checkedAddress(input.vote.recipient, "vote recipient"), input.vote.add ? VOTE_ADD : "0x"]
    : [];
  return encodeRlp([vanity, validators, vote, toBeArray(round), seals]);
}

/** `extraData` of a QBFT genesis block (block header validator selection) for these validators, in this order. */
export function genesisExtraData(validators: readonly string[]): string {
  return encodeQbftExtraData({ validators });
}

function asList(item: unknown, what: string): unknown[] {
  if (!Array.isArray(item)) throw invalid(`${what} must be an RLP list`);
  return item;
}

function asBytes(item: unknown, what: string): string {
  if (typeof item !== "string") throw invalid(`${what} must be an RLP byte string`);
  return item;
}

/** Decodes and checks QBFT `extraData` with the rules Besu's decoder applies. */
export function decodeQbftExtraData(extraData: string): QbftExtraData {
  let decoded: unknown;
  try {
    decoded = decodeRlp(extraData);
  } catch (error) {
    throw invalid("extraData is not valid RLP", { extraData }, error);
  }
  const fields = asList(decoded, "extraData");
  if (fields.length !== 5) {
    throw invalid(`extraData must have 5 fields (vanity, validators, vote, round, seals), got ${fields.length}`);
  }
  const [vanityField, validatorsField, voteField, roundField, sealsField] = fields;

  const vanity = checkedBytes(asBytes(vanityField, "vanity"), VANITY_LENGTH, "vanity");
  const validators = asList(validatorsField, "validators").map((v, i) =>
    checkedAddress(checkedBytes(asBytes(v, `validator ${i + 1}`), 20, `validator ${i + 1}`), `validator ${i + 1}`),
  );

  const voteItems = asList(voteField, "vote");
  let vote: QbftVote | null = null;
  if (voteItems.length > 0) {
    if (voteItems.length !== 2) throw invalid(`vote must be [recipient, type], got ${voteItems.length} items`);
    const recipient = checkedAddress(
      checkedBytes(asBytes(voteItems[0], "vote recipient"), 20, "vote recipient"),
      "vote recipient",
    );
    const type = asBytes(voteItems[1], "vote type").toLowerCase();
    // Besu writes a drop as the empty string and also reads the single byte 0x00 as a drop.
    if (type !== VOTE_ADD && type !== "0x" && type !== "0x00") {
      throw invalid(`vote type must be 0xff (add) or empty (drop), got ${type}`);
    }
    vote = { recipient, add: type === VOTE_ADD };
  }

  const roundBytes = asBytes(roundField, "round");
  // Besu's readIntScalar: at most 4 bytes and no leading zero (a fixed-width 4-byte round is rejected).
  if (roundBytes.length > 2 + 8 || roundBytes.startsWith("0x00")) {
    throw invalid(`round must be a minimal integer scalar of at most 4 bytes, got ${roundBytes}`);
  }
  const round = roundBytes === "0x" ? 0 : Number.parseInt(roundBytes.slice(2), 16);
  if (round > MAX_ROUND) throw invalid(`round ${round} exceeds ${MAX_ROUND}`);

  const seals = asList(sealsField, "seals").map((s, i) =>
    checkedBytes(asBytes(s, `seal ${i + 1}`), SEAL_LENGTH, `seal ${i + 1}`),
  );
  return { vanity: hexlify(vanity), validators, vote, round, seals };
}
