/**
 * Node keys of Besu validators. A validator's node key is its secp256k1 key: the address derived from it is the
 * validator address in `extraData`, and the uncompressed public key (without the 0x04 prefix) is its enode id.
 * Besu reads the key file (`--node-private-key-file`) as hex with a 0x prefix, which is what it writes itself.
 */
import { computeAddress, hexlify, isHexString, keccak256, randomBytes, SigningKey, toUtf8Bytes } from "ethers";

import { BesuNetworkError } from "./errors.ts";

/** Order of the secp256k1 group: a private key must lie in [1, N). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A node key with everything derived from it. */
export interface NodeKey {
  /** 0x + 64 hex. Secret. */
  readonly privateKey: string;
  /** The enode id: 0x + 128 hex, the uncompressed public key without its 0x04 prefix. */
  readonly publicKey: string;
  /** The validator (and node) address, checksummed. */
  readonly address: string;
}

/** A parsed `enode://<id>@<host>:<port>` URL. */
export interface EnodeUrl {
  readonly publicKey: string;
  readonly host: string;
  readonly port: number;
}

/** Derives the public key, enode id and address of a private key; rejects anything outside [1, N). */
export function nodeKeyFromPrivateKey(privateKey: string): NodeKey {
  if (!isHexString(privateKey, 32)) {
    throw new BesuNetworkError("INVALID_KEY", "a node private key must be 32 bytes of 0x-prefixed hex");
  }
  const scalar = BigInt(privateKey);
  if (scalar === 0n || scalar >= SECP256K1_N) {
    throw new BesuNetworkError("INVALID_KEY", "a node private key must lie between 1 and the secp256k1 group order");
  }
  const uncompressed = SigningKey.computePublicKey(privateKey, false);
  return {
    privateKey: privateKey.toLowerCase(),
    publicKey: `0x${uncompressed.slice(4)}`,
    address: computeAddress(privateKey),
  };
}

/** A fresh key from the operating system's CSPRNG (via ethers' `randomBytes`). */
export function randomNodeKey(): NodeKey {
  for (;;) {
    const hex = hexlify(randomBytes(32));
    const scalar = BigInt(hex);
    // Rejection sampling: out-of-range values occur with probability ~2^-128.
    if (scalar !== 0n && scalar < SECP256K1_N) return nodeKeyFromPrivateKey(hex);
  }
}

/** The label hashed into dev keys; it is public, so anyone can recompute these keys. */
export const DEV_KEY_LABEL = "I-TEC Registry INSECURE Besu dev validator key";

/**
 * INSECURE deterministic key number `index` (1-based) for throwaway local networks and reproducible tests:
 * keccak256("<DEV_KEY_LABEL> <index>"). Never use these keys on a network that holds anything of value.
 */
export function devNodeKey(index: number): NodeKey {
  if (!Number.isSafeInteger(index) || index < 1) {
    throw new BesuNetworkError("INVALID_KEY", `dev key index must be a positive integer, got ${index}`);
  }
  return nodeKeyFromPrivateKey(keccak256(toUtf8Bytes(`${DEV_KEY_LABEL} ${index}`)));
}

/** `enode://<id without 0x>@host:port`, the form Besu expects in bootnodes and node allowlists. */
export function enodeUrl(publicKey: string, host: string, port: number): string {
  if (!isHexString(publicKey, 64)) {
    throw new BesuNetworkError("INVALID_KEY", "an enode id must be a 64-byte public key in hex");
  }
  return `enode://${publicKey.slice(2).toLowerCase()}@${host}:${port}`;
}

const ENODE_PATTERN = /^enode:\/\/([0-9a-fA-F]{128})@([A-Za-z0-9.-]+):(\d{1,5})(\?discport=\d{1,5})?$/;

/** Parses an enode URL (IPv4 or DNS host, optional `?discport=`); throws INVALID_KEY with the reason. */
export function parseEnodeUrl(url: string): EnodeUrl {
  const match = ENODE_PATTERN.exec(url.trim());
  if (!match) {
    throw new BesuNetworkError(
      "INVALID_KEY",
      `not an enode URL (expected enode://<128 hex digits>@<host>:<port>): ${JSON.stringify(url)}`,
    );
  }
  const [, id = "", host = "", portText = ""] = match;
  const port = Number(portText);
  if (port < 1 || port > 65_535) {
    throw new BesuNetworkError("INVALID_KEY", `enode port must be between 1 and 65535: ${JSON.stringify(url)}`);
  }
  return { publicKey: `0x${id.toLowerCase()}`, host, port };
}
