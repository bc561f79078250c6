/**
 * Every failure as a sentence with the next step: the API's problem details (their `detail` already says what to
 * do), the wallet's refusals, and chain errors — never a raw revert string or a stack trace.
 */
import { ApiError } from "../../../sdk/src/api-client.ts";

import { UNAUTHORIZED, UNKNOWN_CHAIN, UNSUPPORTED_METHOD, USER_REJECTED, walletErrorCode } from "../wallet/eip1193.ts";

export function sentence(error: unknown, action = "The request"): string {
  if (error instanceof ApiError) {
    const detail = typeof error.body.detail === "string" ? error.body.detail : error.message;
    const text = detail.charAt(0).toUpperCase() + detail.slice(1);
    if (error.status === 0) return `${text}.`.replace(/\.\.$/, ".");
    return `${text}${/[.!?]$/.test(text) ? "" : "."} (${error.code})`;
  }
  const code = walletErrorCode(error);
  if (code === USER_REJECTED) return `You declined it in your wallet: nothing was signed or sent.`;
  if (code === UNAUTHORIZED) return `The wallet has not authorised this site: connect it again.`;
  if (code === UNSUPPORTED_METHOD) return `Your wallet does not support this request: try another wallet.`;
  if (code === UNKNOWN_CHAIN) return `Your wallet does not know the registry's chain: add it from the banner above.`;
  const message = error instanceof Error ? error.message : String(error);
  // ethers' messages carry a JSON dump after the first sentence; keep the sentence.
  const first = message.split(/ \(|\n/)[0] ?? message;
  return `${action} failed: ${first}. Try again; if it keeps failing, reload the page.`;
}

/** Whether the user declined the request in the wallet (nothing happened). */
export function declined(error: unknown): boolean {
  return walletErrorCode(error) === USER_REJECTED;
}
