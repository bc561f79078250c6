/**
 * One admin action as a form: the person fills it in, the app checks what it can (a malformed address, a name the
 * registry would refuse, an account already admitted) and says why it refuses before anything is asked of the API
 * or the wallet; then the API builds the unsigned transaction, `confirmAndSend` shows it decoded, the wallet signs
 * and sends it, and once it is mined the screen waits for the listing index to hold its block and reloads.
 */
import type { UnsignedTx } from "../../../../sdk/src/api-client.ts";
import { getAddress, isAddress } from "ethers";

import type { AppContext } from "../../context.ts";
import { h, replace, type Child } from "../../ui/dom.ts";
import { sentence } from "../../ui/errors.ts";
import { confirmAndSend, type SentTransaction } from "../../ui/transaction.ts";

/** A check that failed before anything was sent: its message is shown as is, and `field` gets the focus. */
export class Refusal extends Error {
  readonly field: HTMLElement | undefined;
  constructor(message: string, field?: HTMLElement) {
    super(message);
    this.field = field;
  }
}

/** A refusal's own message, or any other error as a sentence with the next step (ui/errors.ts). */
export function explain(error: unknown, action: string): string {
  return error instanceof Refusal ? error.message : sentence(error, action);
}

export interface ActionForm {
  /** The transaction panel's heading, e.g. "Suspend Corporate plc". */
  title: string;
  /** The form's fields (from `field()`), and any text before them. */
  fields: Child[];
  /** The submit button's label. */
  submit: string;
  /** Checks the fields (throw a `Refusal`) and asks the API for the unsigned transaction. */
  prepare: () => Promise<UnsignedTx>;
  /** After the transaction is mined: what the success notice says. */
  done: (sent: SentTransaction) => string;
  /** Reloads the screen once the index holds the transaction's block. */
  reload: () => Promise<void>;
  /** A "Close" button is shown when given (forms opened from a table row). */
  close?: () => void;
}

/** The form for one admin action, with its status line and the transaction panel below it. */
export function actionForm(ctx: AppContext, spec: ActionForm): HTMLFormElement {
  const status = h("p", { class: "status", role: "status" });
  const txPanel = h("div", { class: "tx-area" });
  const submit = h("button", { type: "submit", class: "primary" }, spec.submit);
  const form = h(
    "form",
    { class: "admin-action", novalidate: true, "aria-label": spec.title },
    ...spec.fields,
    h(
      "div",
      { class: "actions" },
      submit,
      spec.close ? h("button", { type: "button", onclick: () => spec.close?.() }, "Close") : null,
    ),
    status,
    txPanel,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void run();
  });

  async function run(): Promise<void> {
    submit.disabled = true;
    status.className = "status";
    status.textContent = "Preparing the transaction…";
    replace(txPanel);
    let tx: UnsignedTx;
    try {
      tx = await spec.prepare();
    } catch (error) {
      submit.disabled = false;
      if (ctx.session.expired(error)) return;
      status.className = "status error";
      status.textContent = explain(error, "Preparing the transaction");
      if (error instanceof Refusal) error.field?.focus();
      return;
    }
    status.textContent = "Check the transaction below, then sign it in your wallet.";
    const sent = await confirmAndSend(ctx, txPanel, tx, spec.title);
    submit.disabled = false;
    if (!sent) {
      status.textContent = "";
      return;
    }
    if (sent.status !== "mined") {
      status.textContent = "";
      return;
    }
    status.textContent = "Done: updating the list…";
    try {
      await untilIndexed(ctx, sent.blockNumber);
    } catch (error) {
      status.className = "status error";
      status.textContent = `The transaction is in block ${sent.blockNumber}, but ${sentence(error, "Reading the index").replace(/^./, (c) => c.toLowerCase())}`;
      return;
    }
    // The notice after the reload: when it says done, the list on the screen already shows it.
    const message = spec.done(sent);
    await spec.reload();
    ctx.notify(message, "success");
  }
  return form;
}

/**
 * Waits until the listing index has read block `blockNumber` (the listings come from it, the transaction from the
 * chain): up to 20 s, polling with a growing delay.
 */
export async function untilIndexed(ctx: AppContext, blockNumber: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 150;
  for (;;) {
    const { index } = await ctx.api.get<{ index: { lastBlock: number | null } }>("/batches?limit=1");
    if (index.lastBlock !== null && index.lastBlock >= blockNumber) return;
    if (Date.now() > deadline) {
      throw new Error(`the listing index has not reached block ${blockNumber} yet: reload the page in a moment`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 2000);
  }
}

/** A reason for the record (1–1024 characters, as the API takes it). */
export function checkReason(input: HTMLInputElement | HTMLTextAreaElement, what = "a reason"): string {
  const value = input.value.trim();
  if (!value) throw new Refusal(`Give ${what}: it is recorded on the chain with the transaction.`, input);
  if (value.length > 1024) throw new Refusal(`The reason is too long: at most 1,024 characters.`, input);
  return value;
}

/** The registry's rule for organisation and auditing-body names (`Texts.isMarkupSafe`, at most 200 bytes). */
export function checkName(input: HTMLInputElement, what = "the organisation's name"): string {
  const value = input.value.trim();
  if (!value) throw new Refusal(`Enter ${what}.`, input);
  if (new TextEncoder().encode(value).length > 200) {
    throw new Refusal(`The name is too long: the registry takes at most 200 bytes of UTF-8.`, input);
  }
  if ([...value].some((c) => '"\\<>&'.includes(c) || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new Refusal(`The name may not contain " \\ < > & or control characters: remove them.`, input);
  }
  return value;
}

/** An account address, checked before anything is asked: a typo in an address cannot be undone on the chain. */
export function checkAddress(input: HTMLInputElement): string {
  const value = input.value.trim();
  if (!value) throw new Refusal("Enter the account's address (0x followed by 40 hexadecimal digits).", input);
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) {
    throw new Refusal(
      `“${value}” is not an account address: it must be 0x followed by 40 hexadecimal digits. Nothing was sent.`,
      input,
    );
  }
  if (!isAddress(value)) {
    throw new Refusal(
      "The address fails its checksum (its upper- and lower-case letters do not match): copy it again. Nothing " +
        "was sent.",
      input,
    );
  }
  return getAddress(value);
}
