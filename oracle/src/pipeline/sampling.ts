/**
 * The review's audit sample (docs/methodology.md, "Audit sampling"; core/audit/sampling.ts): when a lot's batches
 * enter review the oracle records the chain's block number; once the next block exists, its hash seeds the draw of
 * the devices whose physical evidence the auditors check. Idempotent: the same block and report give the same
 * sample, and a stored draw is never replaced.
 */
import { CATEGORY_CODES, type Category } from "../../../sdk/src/enums.ts";
import { firstLine } from "../../../sdk/src/errors.ts";
import { sampleRecord, seedBlockNumber, type SampleRecord } from "../../../core/audit/sampling.ts";
import type { SampleRow } from "../store/samples.ts";
import type { OracleContext } from "./context.ts";
import { bindSample } from "./sample-binding.ts";

/** Batch states in review: the attestation takes signatures. */
const IN_REVIEW = ["awaiting_signatures", "ready"] as const;

/**
 * Records the chain's latest block number for `lotId`'s batches in review — called right after the lot is stored.
 * Best effort: on a chain failure the worker's pass records it later (a later block: still after the submission).
 */
export async function anchorLot(ctx: OracleContext, lotId: string): Promise<void> {
  try {
    const batches = (await ctx.store.batchesOfLot(lotId)).filter((b) => IN_REVIEW.includes(b.state as never));
    if (batches.length === 0) return;
    const block = await ctx.chain.provider.getBlockNumber();
    for (const b of batches) await ctx.store.samples.anchor(b.id, block);
  } catch (error) {
    ctx.log.warn({ lot: lotId, err: firstLine(error) }, "submission block not recorded; the worker will");
  }
}

/**
 * A worker step over the batches in review: records a missing submission block, and draws each sample whose seed
 * block now exists. A chain failure leaves the rest for the next pass (nothing is half-written).
 */
export async function drawSamples(ctx: OracleContext): Promise<number> {
  let drawn = 0;
  let latest: number | undefined;
  for (const b of await ctx.store.batchesInState(...IN_REVIEW)) {
    latest ??= await ctx.chain.provider.getBlockNumber();
    let row = await ctx.store.samples.of(b.id);
    if (!row) {
      await ctx.store.samples.anchor(b.id, latest);
      row = await ctx.store.samples.of(b.id);
    }
    if (!row || row.seed !== null) continue;
    const seedBlock = seedBlockNumber(row.submitted_block);
    if (latest < seedBlock) continue;
    const block = await ctx.chain.provider.getBlock(seedBlock);
    if (!block?.hash) continue;
    const lot = await ctx.lotHead(b.lot_id);
    const record = sampleRecord({
      submittedBlock: row.submitted_block,
      seedBlockHash: block.hash,
      reportHash: lot.report_hash!,
      categoryCode: CATEGORY_CODES[b.category as Category],
      deviceIds: await ctx.store.devicesOfBatch(b.id),
    });
    const stored = await ctx.store.samples.setDrawn(b.id, {
      seedBlock,
      seedBlockHash: block.hash,
      seed: record.seed,
      sampleJson: JSON.stringify(record),
    });
    if (stored) {
      drawn += 1;
      // A record of no device is complete at once; any other stays unbound (sampleHash 0) until its outcomes are in.
      await bindSample(ctx, b.id);
      (await ctx.batchLog(b)).info(
        { seedBlock, seed: record.seed, size: record.size, population: record.population },
        "audit sample drawn",
      );
    }
  }
  return drawn;
}

/** The stored draw of a sample row, if drawn. */
export function storedSample(row: SampleRow | undefined): SampleRecord | undefined {
  return row?.sample_json ? (JSON.parse(row.sample_json) as SampleRecord) : undefined;
}
