/**
 * Follows the batches of the "My lots" screen live until each is final (confirmed, rejected, not issuable or
 * failed): polls the API with backoff — 1 s, doubling to 10 s while nothing changes, back to 1 s when something
 * did — and updates each batch's state, signatures and links in place (no re-render: focus and scroll stay), saying
 * what changed in the screen's live region. It stops when the screen is left or every batch is final.
 */
import { ApiError } from "../../../../sdk/src/api-client.ts";

import type { AppContext } from "../../context.ts";
import { h, replace } from "../../ui/dom.ts";
import { sentence } from "../../ui/errors.ts";
import { count, shortAddress } from "../../ui/format.ts";
import {
  FINAL_STATES,
  getBatchJob,
  listMyLots,
  signatureThreshold,
  stateWords,
  type AuditorSignature,
  type BatchJobView,
} from "./lots-api.ts";

export const FIRST_DELAY_MS = 1_000;
export const MAX_DELAY_MS = 10_000;

export interface BatchRowCells {
  state: HTMLElement;
  signatures: HTMLElement;
  links: HTMLElement;
}

interface Tracked {
  batch: BatchJobView;
  cells: BatchRowCells;
  signatures: AuditorSignature[] | undefined;
  threshold: number | null | undefined;
  /** What the cells show now, to update only what changed. */
  shown: string;
}

/** States in which auditors sign (or have signed) an attestation: their signatures are worth showing. */
const SIGNING_STATES = new Set(["awaiting_signatures", "ready", "posted", "confirmed", "rejected"]);

export class BatchFollower {
  readonly #ctx: AppContext;
  readonly #live: HTMLElement;
  readonly #tracked = new Map<string, Tracked>();
  #root: HTMLElement | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(ctx: AppContext, live: HTMLElement) {
    this.#ctx = ctx;
    this.#live = live;
  }

  track(batch: BatchJobView, cells: BatchRowCells): void {
    this.#tracked.set(batch.id, { batch, cells, signatures: undefined, threshold: undefined, shown: "" });
  }

  /** Fills in the signatures of the batches still moving, shows every row, and starts following in the background. */
  async start(root: HTMLElement): Promise<void> {
    this.#root = root;
    // Signatures are read for the batches still on their way; final ones keep their state alone (one request per
    // batch of every old lot would make the screen slow to open).
    const moving = [...this.#tracked.values()].filter((t) => !FINAL_STATES.has(t.batch.state));
    await Promise.all(moving.map((t) => this.#details(t)));
    for (const t of this.#tracked.values()) this.#show(t);
    const leave = (): void => this.stop();
    window.addEventListener("hashchange", leave, { once: true });
    if (this.#moving()) void this.#follow();
  }

  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  /** Whether any batch is not final yet. */
  #moving(): boolean {
    return [...this.#tracked.values()].some((t) => !FINAL_STATES.has(t.batch.state));
  }

  /** Still on screen: the page shows this screen's element (a newer render replaces it). */
  #onScreen(): boolean {
    return !this.#stopped && this.#root !== undefined && this.#root.isConnected;
  }

  async #follow(): Promise<void> {
    let delay = FIRST_DELAY_MS;
    let failures = 0;
    while (this.#moving()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (!this.#onScreen()) return;
      try {
        const changed = await this.#poll();
        if (!this.#onScreen()) return;
        failures = 0;
        delay = changed ? FIRST_DELAY_MS : Math.min(delay * 2, MAX_DELAY_MS);
      } catch (error) {
        if (!this.#onScreen()) return;
        if (this.#ctx.session.expired(error)) return;
        failures += 1;
        delay = Math.min(delay * 2, MAX_DELAY_MS);
        this.#say(
          `Following the batches is paused: ${sentence(error, "Reading the batches")} ` +
            `Trying again in ${count(Math.round(delay / 1000))} s.`,
          "error",
        );
        if (failures > 30) return;
      }
    }
  }

  /** One round: the lots' batches, then the details of those that moved or are waiting for signatures. */
  async #poll(): Promise<boolean> {
    const { lots } = await listMyLots(this.#ctx);
    let changed = false;
    const updates: Promise<void>[] = [];
    for (const lot of lots) {
      for (const batch of lot.batches) {
        const t = this.#tracked.get(batch.id);
        if (!t || FINAL_STATES.has(t.batch.state)) continue;
        const before = t.batch.state;
        t.batch = batch;
        if (batch.state !== before) {
          changed = true;
          this.#say(`Batch ${batch.id}: ${stateWords(batch)}.`, batch.state === "confirmed" ? "success" : "");
        }
        updates.push(this.#details(t));
      }
    }
    await Promise.all(updates);
    for (const t of this.#tracked.values()) {
      if (this.#show(t)) changed = true;
    }
    return changed;
  }

  async #details(t: Tracked): Promise<void> {
    if (!SIGNING_STATES.has(t.batch.state)) return;
    const detail = await getBatchJob(this.#ctx, t.batch.id);
    t.signatures = detail.signatures;
    if (t.threshold === undefined) {
      try {
        t.threshold = await signatureThreshold(this.#ctx, t.batch.id);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status === 401) throw error;
        t.threshold = null; // no attestation to read (e.g. rejected meanwhile): the count alone is shown
      }
    }
  }

  /** Updates the row's cells when what they show changed; returns whether it did. */
  #show(t: Tracked): boolean {
    const { batch, signatures, threshold } = t;
    const key = JSON.stringify([batch.state, batch.tokenId, batch.reason, batch.error, signatures, threshold]);
    if (key === t.shown) return false;
    t.shown = key;
    const final = FINAL_STATES.has(batch.state);
    replace(
      t.cells.state,
      h(
        "span",
        { class: `state ${batch.state}`, "data-state": batch.state },
        stateWords(batch),
        final ? null : h("span", { class: "muted" }, " (following live)"),
      ),
    );
    replace(t.cells.signatures, signatureList(signatures, threshold, batch.state));
    replace(
      t.cells.links,
      batch.state === "confirmed" && batch.tokenId
        ? h(
            "ul",
            { class: "links" },
            h("li", {}, h("a", { href: `/verify/batches/${batch.tokenId}` }, `Public page of batch #${batch.tokenId}`)),
            h("li", {}, h("a", { href: "#/portfolio" }, "Your portfolio")),
          )
        : "—",
    );
    return true;
  }

  #say(text: string, kind: "" | "error" | "success" = ""): void {
    this.#live.textContent = text;
    this.#live.className = `status ${kind}`.trim();
  }
}

function signatureList(
  signatures: AuditorSignature[] | undefined,
  threshold: number | null | undefined,
  state: string,
): Node | string {
  if (signatures === undefined) return state === "confirmed" ? "complete" : "—";
  const accepted = signatures.filter((s) => s.status === "accepted").length;
  // The threshold counts auditing bodies; more auditors than that may sign.
  const head =
    threshold === null || threshold === undefined
      ? `${count(accepted)} signed`
      : `${count(accepted)} signed · ${count(threshold)} required`;
  if (signatures.length === 0) return head;
  return h(
    "div",
    {},
    head,
    h(
      "ul",
      { class: "signatures" },
      ...signatures.map((s) =>
        h(
          "li",
          { title: s.auditor },
          `${shortAddress(s.auditor)}: ${s.status === "accepted" ? "signed" : s.status}` +
            (s.reason ? ` (${s.reason})` : ""),
        ),
      ),
    ),
  );
}
