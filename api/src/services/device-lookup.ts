/**
 * Whether, and in which batch, devices are certified here: what `GET /devices/{id}` and `POST /devices/check` answer
 * so that other schemes can check us before they credit a device (issue 17, docs/methodology.md "What a device id
 * reveals").
 *
 * The source is the oracle's job store: `batch_devices` holds the id of every device a batch reserves while it is
 * under review and once it is issued (one row per id under a primary key: the registry's own exclusivity rule reads
 * the same table), joined to the batch job for its state and chain batch id. Every `itec serve` instance opens that
 * store (it is the database the oracle shares with the index), so every instance answers alike; the event index is
 * optional and holds no device ids, and the published reports would cost a fetch per batch. The batch's standing
 * (active, suspended, reversed) comes from the chain, read once per batch and block.
 */
import { DeviceMerkleTree } from "../../../core/calc/merkle.ts";
import type { BatchState, JobStore } from "../../../oracle/src/index.ts";
import { reportDeviceIds, type ReportDevices } from "../../../sdk/src/device-proof.ts";
import { batchStatusName, type BatchStatusName } from "../../../sdk/src/enums.ts";
import { mapLimit } from "../../../sdk/src/logs.ts";
import type { ChainReads } from "../../../core/chain/reads.ts";

/**
 * - `certified`: in a batch issued on the chain (whatever that batch's standing: a reversed batch's devices stay
 *   taken, the registry never certifies them again);
 * - `pending`: reserved by a batch of a lot under review (calculated, awaiting signatures, being posted), so the
 *   registry will not certify it in another lot, and will certify it in this one if the auditors sign;
 * - `none`: no batch here holds it (never submitted, excluded from its lot, or its batch was rejected).
 */
export type DeviceStanding = "certified" | "pending" | "none";

export interface DeviceBatch {
  /** The batch's id on the chain (the ERC-1155 token id). */
  batchId: string;
  category: string;
  status: BatchStatusName;
}

export interface DeviceAnswer {
  deviceId: string;
  status: DeviceStanding;
  batch: DeviceBatch | null;
}

/** A device's leaf in its batch's tree, as the challenge routes and `verifyDeviceInBatch` take it. */
export interface LeafProof {
  root: string;
  index: string;
  deviceId: string;
  proof: string[];
}

/** A device's reservation as the job store holds it. */
interface Reservation {
  device_id: string;
  job_id: string;
  lot_id: string;
  category: string;
  state: BatchState;
  token_id: string | null;
  device_root: string | null;
}

/** Ids per statement: well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 900;
/** Chain reads of batch standing in flight at once. */
const CHAIN_CONCURRENCY = 8;
/** Device trees kept for proofs (a tree of n devices takes ~64 n bytes; a lookup of the same batch reuses it). */
const TREES_KEPT = 8;

export class DeviceLookup {
  readonly #store: JobStore;
  readonly #reads: ChainReads;
  readonly #trees = new Map<string, Promise<{ tree: DeviceMerkleTree; ids: string[] }>>();

  constructor(store: JobStore, reads: ChainReads) {
    this.#store = store;
    this.#reads = reads;
  }

  /**
   * The standing of each of `ids` (`0x` + 64 hex, any case), in the order given; a repeated id is answered each time.
   * One indexed query per 900 ids, and one chain read per distinct issued batch and block.
   */
  async check(ids: readonly string[]): Promise<DeviceAnswer[]> {
    const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
    const found = await this.#reservations(wanted);
    const tokens = [...new Set([...found.values()].flatMap((r) => (isIssued(r) ? [r.token_id!] : [])))];
    const statuses = new Map(
      await mapLimit(tokens, CHAIN_CONCURRENCY, async (t) => [t, await this.#batchStatus(t)] as const),
    );
    return ids.map((raw) => {
      const deviceId = raw.toLowerCase();
      const r = found.get(deviceId);
      if (!r) return { deviceId, status: "none", batch: null };
      if (!isIssued(r)) return { deviceId, status: "pending", batch: null };
      return {
        deviceId,
        status: "certified",
        batch: { batchId: r.token_id!, category: r.category, status: statuses.get(r.token_id!)! },
      };
    });
  }

  /**
   * One device's standing and, when certified, its leaf in the batch's device tree with the Merkle proof against the
   * root on the chain (`verifyDeviceInBatch`, and the shape the challenge routes take). The tree is rebuilt from the
   * lot's stored report, as an auditor rebuilds it (docs/methodology.md §8.2).
   */
  async lookup(id: string): Promise<DeviceAnswer & { proof: LeafProof | null }> {
    const [answer] = await this.check([id]);
    if (answer!.status !== "certified") return { ...answer!, proof: null };
    const r = (await this.#reservations([answer!.deviceId])).get(answer!.deviceId)!;
    const { tree, ids } = await this.#tree(r);
    const index = ids.indexOf(answer!.deviceId);
    if (index < 0) return { ...answer!, proof: null };
    const p = tree.deviceProof(index, answer!.deviceId);
    return {
      ...answer!,
      proof: { root: tree.root, index: String(p.index), deviceId: p.deviceId, proof: [...p.proof] },
    };
  }

  async #reservations(ids: readonly string[]): Promise<Map<string, Reservation>> {
    const found = new Map<string, Reservation>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const rows = await this.#store.db.all<Reservation & Record<string, unknown>>(
        `SELECT d.device_id, b.id AS job_id, b.lot_id, b.category, b.state, b.token_id, b.device_root
           FROM batch_devices d JOIN batches b ON b.id = d.batch_id
          WHERE d.device_id IN (${chunk.map(() => "?").join(",")})`,
        chunk,
      );
      for (const row of rows) found.set(row.device_id, row);
    }
    return found;
  }

  /** `batch(id).status` on the chain, once per batch and block. */
  #batchStatus(tokenId: string): Promise<BatchStatusName> {
    return this.#reads.cache.get(`deviceBatchStatus:${tokenId}`, async () => {
      const b = await this.#reads.chain.registry.batch(BigInt(tokenId));
      return batchStatusName(b.status) as BatchStatusName;
    });
  }

  #tree(r: Reservation): Promise<{ tree: DeviceMerkleTree; ids: string[] }> {
    const hit = this.#trees.get(r.job_id);
    if (hit) return hit;
    if (this.#trees.size >= TREES_KEPT) this.#trees.delete(this.#trees.keys().next().value!);
    const built = (async () => {
      const lot = await this.#store.lot(r.lot_id);
      const report = JSON.parse(lot?.report_json ?? '{"devices":[]}') as ReportDevices;
      const ids = reportDeviceIds(report, r.category);
      const tree = DeviceMerkleTree.fromIds(ids);
      // The stored report is the one the batch's root was computed from; a mismatch would be a bug, never a proof.
      if (tree.root !== r.device_root?.toLowerCase()) throw new Error(`batch ${r.job_id}: report and root disagree`);
      return { tree, ids };
    })();
    this.#trees.set(r.job_id, built);
    built.catch(() => this.#trees.delete(r.job_id));
    return built;
  }
}

/** Issued: the batch job is confirmed and names its chain batch. */
function isIssued(r: Reservation): boolean {
  return r.state === "confirmed" && r.token_id !== null;
}
