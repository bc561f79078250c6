/**
 * The API's worker pool: one per app (deps.workers, or one made on first use from the defaults), and the call that
 * turns a full pool into 503 SERVER_BUSY with Retry-After.
 */
import type { AppDeps } from "../deps.ts";
import { HttpProblem } from "../problem.ts";
import { PoolFullError, WorkerPool } from "./pool.ts";
import { CalcInputError } from "../../../core/calc/index.ts";
import { LotReadError, type LotCalculator } from "../../../oracle/src/index.ts";
import type { LotTaskResult, WorkerTask } from "./tasks.ts";

export { PoolFullError, WorkerPool, WorkerTaskError, type PoolOptions } from "./pool.ts";
export type { Scope3Format, WorkerTask } from "./tasks.ts";

const pools = new WeakMap<AppDeps, WorkerPool>();

/** The app's pool: `deps.workers`, else one with the default size and queue, made once per `deps`. */
export function poolOf(deps: AppDeps): WorkerPool {
  if (deps.workers) return deps.workers;
  let pool = pools.get(deps);
  if (!pool) pools.set(deps, (pool = new WorkerPool()));
  return pool;
}

/** Runs `task` on the app's pool; a full pool is 503 SERVER_BUSY (the problem layer adds Retry-After). */
export async function inWorker<T>(deps: AppDeps, task: WorkerTask): Promise<T> {
  try {
    return await poolOf(deps).run<T>(task);
  } catch (error) {
    if (error instanceof PoolFullError) {
      throw new HttpProblem(
        503,
        "SERVER_BUSY",
        "Service unavailable",
        "every calculation worker is busy and the queue is full; retry after the time Retry-After gives",
        { extra: { retryAfterSeconds: 5 } },
      );
    }
    throw error;
  }
}

/**
 * The oracle's lot calculator on the app's pool (503 SERVER_BUSY when full), or undefined — the oracle then
 * calculates in this thread — when the app has no reference file to give the workers.
 */
export function lotCalculator(deps: AppDeps): LotCalculator | undefined {
  const reference = deps.referenceFile?.bytes;
  if (!reference) return undefined;
  return async (request) => {
    const result = await inWorker<LotTaskResult>(deps, { kind: "lot", request, reference });
    if (!result.ok) throw new (result.read ? LotReadError : CalcInputError)(result.code, result.message);
    return result.lot;
  };
}
