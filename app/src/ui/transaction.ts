/**
 * Sending a transaction the API prepared (an `UnsignedTx`): the person sees what it does — the API's description,
 * the contract function and its arguments decoded from the calldata, the account it is sent from — before the wallet
 * is asked; then the wallet signs and sends it, and the screen follows it to its block through the API
 * (GET /tx/{hash}), with backoff. Declining in the wallet sends nothing and says so.
 */
import type { UnsignedTx } from "../../../sdk/src/api-client.ts";
import { Interface } from "ethers";

import { itecMarketAbi } from "../../../sdk/src/market/abi.ts";
import { registryInterface } from "../../../sdk/src/registry.ts";

import type { AppContext } from "../context.ts";
import { h, replace } from "./dom.ts";
import { declined, sentence } from "./errors.ts";

export interface SentTransaction {
  hash: string;
  status: "mined" | "reverted";
  blockNumber: number;
}

/** What the app decodes besides the registry: the market's calls and a settlement token's approval. */
const OTHER_INTERFACES = [
  new Interface(itecMarketAbi),
  new Interface(["function approve(address spender, uint256 value) returns (bool)"]),
];

/** The contract call an unsigned transaction makes, as "retire(batchId: 3, amount: 12, …)". */
export function describeCall(tx: Pick<UnsignedTx, "data">): string {
  try {
    const parsed = [registryInterface, ...OTHER_INTERFACES].reduce<ReturnType<Interface["parseTransaction"]>>(
      (found, iface) => found ?? iface.parseTransaction({ data: tx.data }),
      null,
    );
    if (!parsed) return "an unknown call";
    const args = parsed.fragment.inputs.map((input, i) => `${input.name || `arg${i}`}: ${formatArg(parsed.args[i])}`);
    return `${parsed.name}(${args.join(", ")})`;
  } catch {
    return "an unknown call";
  }
}

/** Which contract `tx` calls, from its calldata: the registry, the market or a settlement token. */
function contractName(tx: Pick<UnsignedTx, "data">): string {
  const parses = (iface: Interface) => {
    try {
      return iface.parseTransaction({ data: tx.data }) !== null;
    } catch {
      return false;
    }
  };
  if (parses(registryInterface)) return "registry";
  return parses(OTHER_INTERFACES[0]!) ? "market" : "settlement token";
}

function formatArg(v: unknown): string {
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return `[${v.map(formatArg).join(", ")}]`;
  if (typeof v === "string") return v.length > 70 ? `${v.slice(0, 66)}…` : v;
  if (v && typeof v === "object") return `{${Object.values(v).map(formatArg).join(", ")}}`;
  return String(v);
}

/**
 * Shows `tx` in `container` with "Sign and send" and "Cancel"; resolves with the mined (or reverted) transaction,
 * or `undefined` when the person cancels or declines in the wallet (nothing sent).
 */
export function confirmAndSend(
  ctx: AppContext,
  container: HTMLElement,
  tx: UnsignedTx,
  title: string,
): Promise<SentTransaction | undefined> {
  return new Promise((resolve) => {
    const status = h("p", { class: "tx-status", role: "status" });
    const send = h("button", { type: "button", class: "primary" }, "Sign and send in wallet");
    const cancel = h("button", { type: "button" }, "Cancel");
    const panel = h(
      "div",
      { class: "tx-confirm", role: "group", "aria-label": `Transaction: ${title}` },
      h("h3", {}, title),
      h("p", {}, tx.description),
      h(
        "dl",
        { class: "tx-fields" },
        h("dt", {}, "From"),
        h("dd", { class: "mono" }, tx.from),
        h("dt", {}, `To (${contractName(tx)})`),
        h("dd", { class: "mono" }, tx.to),
        h("dt", {}, "Call"),
        h("dd", { class: "mono call" }, describeCall(tx)),
        h("dt", {}, "Gas limit"),
        h("dd", {}, tx.gasLimit),
        tx.gasPrice !== undefined ? [h("dt", {}, "Gas price"), h("dd", {}, `${tx.gasPrice} wei`)] : null,
      ),
      h("div", { class: "actions" }, send, cancel),
      status,
    );
    replace(container, panel);
    send.focus();
    cancel.addEventListener("click", () => {
      replace(container, h("p", { class: "muted", role: "status" }, "Cancelled: nothing was sent."));
      resolve(undefined);
    });
    send.addEventListener("click", () => {
      send.disabled = cancel.disabled = true;
      void sendAndFollow(ctx, tx, status).then(
        (sent) => {
          if (!sent) {
            send.disabled = cancel.disabled = false;
            return;
          }
          resolve(sent);
        },
        (error: unknown) => {
          status.textContent = sentence(error, "Sending the transaction");
          status.className = "tx-status error";
          send.disabled = cancel.disabled = false;
        },
      );
    });
  });
}

async function sendAndFollow(
  ctx: AppContext,
  tx: UnsignedTx,
  status: HTMLElement,
): Promise<SentTransaction | undefined> {
  const { session } = ctx;
  if (!session.onRegistryChain) {
    status.textContent = "Your wallet is on another chain: asking it to switch to the registry's chain…";
    await session.switchChain();
  }
  status.className = "tx-status";
  status.textContent = "Waiting for your wallet: confirm the transaction there.";
  let hash: string;
  try {
    const signer = await session.signer();
    const sent = await signer.sendTransaction({
      to: tx.to,
      data: tx.data,
      value: 0n,
      chainId: BigInt(tx.chainId),
      gasLimit: BigInt(tx.gasLimit),
      ...(tx.gasPrice !== undefined ? { gasPrice: BigInt(tx.gasPrice), type: 0 } : {}),
    });
    hash = sent.hash;
  } catch (error) {
    if (declined(error)) {
      status.className = "tx-status error";
      status.textContent = "You declined it in your wallet: nothing was sent. You can send it again or cancel.";
      return undefined;
    }
    throw error;
  }
  status.textContent = `Sent (${hash}); waiting for it to be included in a block…`;
  const result = await waitForTransaction(ctx, hash);
  status.className = result.status === "mined" ? "tx-status success" : "tx-status error";
  status.textContent =
    result.status === "mined"
      ? `Done: included in block ${result.blockNumber}.`
      : `The transaction reverted in block ${result.blockNumber}: the chain refused it; nothing changed. Reload and check the current state before trying again.`;
  return result;
}

/** Polls GET /tx/{hash} with backoff (250 ms doubling to 4 s) until the transaction is mined or reverted. */
export async function waitForTransaction(ctx: AppContext, hash: string, timeoutMs = 120_000): Promise<SentTransaction> {
  const deadline = Date.now() + timeoutMs;
  let delay = 250;
  for (;;) {
    const s = await ctx.api.transactionStatus(hash);
    if (s.status === "mined" || s.status === "reverted") return { hash, status: s.status, blockNumber: s.blockNumber };
    if (Date.now() > deadline) {
      throw new Error(
        `transaction ${hash} is not in a block after ${timeoutMs / 1000} s; its status is at /tx/${hash}`,
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 4000);
  }
}
