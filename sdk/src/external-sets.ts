/**
 * Other schemes' device sets (docs/adr/0056): the register the registry's extension deployed
 * (`EXTERNAL_DEVICE_SETS()`), read into plain records, and a set's published list of device ids checked against its
 * root. A list is a JSON array of device ids (`0x` + 64 hex, in our form, docs/methodology.md §8.1) or an object
 * whose `deviceIds` member is one; the root is the StandardMerkleTree root over `[index, id]` leaves, `index` the
 * id's position in the list — the form of our own device trees (ADR 0015), so one proof format serves both.
 */
import { Contract, type ContractRunner } from "ethers";

import { externalDeviceSetsAbi } from "./abi.ts";
import { deviceTreeRoot } from "./device-proof.ts";
import { CodedError } from "./errors.ts";
import { registryAt } from "./registry.ts";
import { isoTime } from "./time.ts";

/** A registered external device set, as the API and the CLI show it. Times are ISO-8601 UTC. */
export interface ExternalSetRecord {
  setId: number;
  scheme: string;
  /** `0x` root over `[index, deviceId]` leaves. */
  root: string;
  sourceURI: string;
  asOf: string;
  registeredAt: string;
  /** `null` while active. */
  retiredAt: string | null;
  /** The set that replaced it, `null` for none. */
  supersededBy: number | null;
  active: boolean;
}

/** Why a set's list is unusable: not fetched, not a list of ids, or not the list the chain's root commits to. */
export class ExternalSetError extends CodedError<"SET_UNREACHABLE" | "SET_MALFORMED" | "SET_ROOT_MISMATCH"> {}

const DEVICE_ID = /^0x[0-9a-fA-F]{64}$/;

/** The register's contract (at `address`) for reads or, with a signer, the admin's writes. */
export function externalDeviceSetsAt(address: string, runner: ContractRunner | null = null): Contract {
  return new Contract(address, externalDeviceSetsAbi, runner);
}

/** The register's address for the registry at `registry`. */
export async function externalDeviceSetsAddress(registry: string, runner: ContractRunner): Promise<string> {
  return await registryAt(registry, runner).EXTERNAL_DEVICE_SETS();
}

/** Every set registered for the registry at `registry`, oldest first (active and retired). */
export async function readExternalSets(registry: string, runner: ContractRunner): Promise<ExternalSetRecord[]> {
  const sets = externalDeviceSetsAt(await externalDeviceSetsAddress(registry, runner), runner);
  const count = Number(await sets.getFunction("count")(registry));
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  return Promise.all(
    ids.map(async (setId): Promise<ExternalSetRecord> => {
      const s = (await sets.getFunction("deviceSet")(registry, setId)) as {
        root: string;
        asOf: bigint;
        registeredAt: bigint;
        retiredAt: bigint;
        supersededBy: bigint;
        scheme: string;
        sourceURI: string;
      };
      return {
        setId,
        scheme: s.scheme,
        root: s.root,
        sourceURI: s.sourceURI,
        asOf: isoTime(s.asOf),
        registeredAt: isoTime(s.registeredAt),
        retiredAt: s.retiredAt === 0n ? null : isoTime(s.retiredAt),
        supersededBy: s.supersededBy === 0n ? null : Number(s.supersededBy),
        active: s.retiredAt === 0n,
      };
    }),
  );
}

/**
 * The device ids of a published list (lower-cased), checked against `root`. `treeRoot` builds the root of ids
 * (default: the SDK's `deviceTreeRoot`, ethers' keccak256 — 33 s for 100,000 ids; the oracle and the CLI pass the
 * calculation's WebAssembly builder, core/calc/merkle.ts: the same root in 0.6 s, a million ids in 5 s).
 * @throws ExternalSetError SET_MALFORMED (not a list of device ids), SET_ROOT_MISMATCH (another list than the root's)
 */
export function deviceListOf(
  bytes: Uint8Array | string,
  root: string,
  treeRoot: (ids: readonly string[]) => string = deviceTreeRoot,
): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof bytes === "string" ? bytes : new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ExternalSetError("SET_MALFORMED", "the device list is not JSON", { cause: error });
  }
  const list =
    typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as { deviceIds?: unknown }).deviceIds
      : parsed;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ExternalSetError("SET_MALFORMED", "the device list is not a non-empty array of device ids");
  }
  const ids = list.map((id, k) => {
    if (typeof id !== "string" || !DEVICE_ID.test(id)) {
      throw new ExternalSetError("SET_MALFORMED", `entry ${k} of the device list is not a device id (0x + 64 hex)`);
    }
    return id.toLowerCase();
  });
  const actual = treeRoot(ids);
  if (actual !== root.toLowerCase()) {
    throw new ExternalSetError(
      "SET_ROOT_MISMATCH",
      `the device list's root ${actual} is not the registered root ${root.toLowerCase()}`,
    );
  }
  return ids;
}
