/**
 * The lot calculation off the page's thread: ITEC-CALC 1.0 exactly as the oracle runs it (core/calc/browser.ts).
 *
 * Why a worker: the calculation hashes with a WebAssembly Keccak that compiles synchronously, which Chrome refuses
 * on the main thread for modules over 4 KB, and a 10,000-device lot must not freeze the page. The reference data
 * is fetched once per worker and its table kept (browser.ts caches it by sha256), so a recalculation after an
 * option changed costs only the lot.
 */
import { calculateLotCsv, referenceTableOf } from "../../../core/calc/browser.ts";
import { MAX_ROWS_SHOWN, type CalcFailure, type CalcReply, type CalcRequest, type ShownLotResult } from "./protocol.ts";

interface WorkerScope {
  addEventListener(type: "message", listener: (event: MessageEvent<CalcRequest>) => void): void;
  postMessage(message: CalcReply): void;
}
const scope = globalThis as unknown as WorkerScope;

class FetchFailure extends Error {
  readonly failure: CalcFailure;
  constructor(failure: CalcFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

let reference: { url: string; bytes: Promise<Uint8Array> } | undefined;

async function fetchReference(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "text/csv" } });
  } catch (error) {
    throw new FetchFailure({
      code: "API_UNREACHABLE",
      message: `the registry's reference data could not be fetched (${(error as Error).message}): check your connection and choose the file again`,
    });
  }
  if (!res.ok) {
    let detail = `HTTP ${res.status}`;
    let code = `HTTP_${res.status}`;
    try {
      const problem = (await res.json()) as { code?: unknown; detail?: unknown };
      if (typeof problem.code === "string") code = problem.code;
      if (typeof problem.detail === "string") detail = problem.detail;
    } catch {
      // not problem+json: keep the status
    }
    throw new FetchFailure({
      code,
      status: res.status,
      message: `the registry did not give its reference data (${detail}): reload the page and try again`,
    });
  }
  return new Uint8Array(await res.arrayBuffer());
}

function referenceBytes(url: string): Promise<Uint8Array> {
  if (reference?.url !== url) {
    const bytes = fetchReference(url);
    reference = { url, bytes };
    // A failed fetch is not kept: the next calculation asks again.
    bytes.catch(() => {
      if (reference?.bytes === bytes) reference = undefined;
    });
  }
  return reference.bytes;
}

function failureOf(error: unknown): CalcFailure {
  if (error instanceof FetchFailure) return error.failure;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return { code: typeof code === "string" ? code : "CALCULATION_FAILED", message };
}

scope.addEventListener("message", (event) => {
  const { id, lotCsv, options, referenceUrl } = event.data;
  void (async () => {
    try {
      const bytes = await referenceBytes(referenceUrl);
      const started = performance.now();
      const table = referenceTableOf(bytes);
      const full = calculateLotCsv(lotCsv, table, options);
      const exclusions = full.exclusions.slice(0, MAX_ROWS_SHOWN);
      const lastRow = exclusions.at(-1)?.row ?? 0;
      const result: ShownLotResult = {
        ...full,
        exclusions,
        problems: full.problems.filter((p) => p.row <= lastRow),
        exclusionCount: full.exclusions.length,
      };
      scope.postMessage({ id, ok: true, result, ms: Math.round(performance.now() - started) });
    } catch (error) {
      scope.postMessage({ id, ok: false, error: failureOf(error) });
    }
  })();
});
