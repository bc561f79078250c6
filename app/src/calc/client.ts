/**
 * The page's side of the calculation worker: one worker per upload screen, started on the first calculation
 * (its chunk — the calculation engine — is fetched only then) and ended when the screen is left.
 */
import { ApiError } from "../../../sdk/src/api-client.ts";

import type { BrowserLotOptions, CalcReply, CalcRequest, ShownLotResult } from "./protocol.ts";

export interface Calculated {
  result: ShownLotResult;
  /** Milliseconds the calculation took in the worker (without fetching the reference data). */
  ms: number;
}

export class LotCalculator {
  readonly #referenceUrl: string;
  #worker: Worker | undefined;
  #next = 0;
  readonly #pending = new Map<number, { resolve(c: Calculated): void; reject(e: unknown): void }>();

  constructor(apiBaseUrl: string) {
    this.#referenceUrl = `${apiBaseUrl}/reference-data`;
  }

  /**
   * Calculates `lotCsv` as the oracle will. Rejects with an ApiError shaped as the API's answer to the same lot
   * (POST /lots answers 422 with the same code for a lot that cannot be read), so the screen words it as any other.
   */
  calculate(lotCsv: string, options: BrowserLotOptions): Promise<Calculated> {
    const worker = this.#start();
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const request: CalcRequest = { id, lotCsv, options, referenceUrl: this.#referenceUrl };
      worker.postMessage(request);
    });
  }

  /** Ends the worker; calculations still running are rejected. */
  terminate(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#failAll(new Error("the calculation was stopped because the screen was left"));
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "lot-calculation" });
    worker.addEventListener("message", (event: MessageEvent<CalcReply>) => {
      const reply = event.data;
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (reply.ok) pending.resolve({ result: reply.result, ms: reply.ms });
      else {
        const { code, message, status } = reply.error;
        pending.reject(new ApiError(status ?? 422, { code, detail: withNextStep(message, code) }));
      }
    });
    worker.addEventListener("error", (event) => {
      // The worker could not start or crashed (e.g. out of memory on a huge lot): every calculation in it fails.
      event.preventDefault();
      this.#worker?.terminate();
      this.#worker = undefined;
      this.#failAll(
        new ApiError(500, {
          code: "CALCULATION_CRASHED",
          detail:
            `the calculation stopped in your browser (${event.message || "the worker failed"}): reload the page ` +
            "and try again, or submit a smaller lot",
        }),
      );
    });
    this.#worker = worker;
    return worker;
  }

  #failAll(error: unknown): void {
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
}

/** The calculation's own messages say what is wrong; this adds what to do about it. */
function withNextStep(message: string, code: string): string {
  if (/: (check|reload|correct|fix)/.test(message)) return message;
  if (code === "BAD_OPTIONS") return `${message}: correct the option and calculate again`;
  return `${message}: correct the file (docs/methodology.md §4 gives the format) and choose it again`;
}
