/**
 * What the holder's screens share: their portfolio (one request, GET /accounts/{a}/portfolio), the lookup of a
 * counterparty by organisation name or address with the reason one is refused, the public links of batches and
 * retirements, and figure formatting fast enough for a table of 1,000 rows.
 */
import { getAddress, isAddress } from "ethers";

import type { Participant, Portfolio, PortfolioEntry } from "../../../../sdk/src/api-operations.ts";
import type { AppContext } from "../../context.ts";
import { h, section } from "../../ui/dom.ts";
import { count, decimal } from "../../ui/format.ts";
import "./holder.css";

/** Whether `v` is an address (ethers' isAddress narrows its argument's type, which the callers' messages need). */
const validAddress = (v: string): boolean => isAddress(v);

/**
 * The holdings `verb` ("transfer", "retire") can use — none in a suspended or reversed batch — or, when there are
 * none, the screen `title` saying so with a link to the portfolio.
 */
export async function usableHoldings(
  ctx: AppContext,
  title: string,
  verb: string,
): Promise<{ usable: PortfolioEntry[] } | { empty: HTMLElement }> {
  const usable = (await loadPortfolio(ctx)).batches.filter((b) => !unusable(b));
  if (usable.length > 0) return { usable };
  return {
    empty: section(
      title,
      h("p", {}, `This account holds no certificates it can ${verb} (none, or only in suspended or reversed batches).`),
      h("a", { href: "#/portfolio" }, "See the portfolio"),
    ),
  };
}

/** The signed-in account's portfolio. */
export function loadPortfolio(ctx: AppContext): Promise<Portfolio> {
  return ctx.api.call("getPortfolio", { address: ctx.session.address! });
}

/** Public pages (api/public/verify.js reads the id from these paths) and the certificate PDF. */
export const links = {
  batch: (id: string) => `/verify/batches/${encodeURIComponent(id)}`,
  retirement: (id: string) => `/verify/retirements/${encodeURIComponent(id)}`,
  certificatePdf: (id: string) => `/retirements/${encodeURIComponent(id)}/certificate.pdf`,
};

export const STATUS_TEXT: Record<string, string> = {
  active: "active",
  suspended: "suspended",
  reversed: "reversed (void)",
};

/** Why a batch's certificates cannot move now, or null when they can. */
export function unusable(b: PortfolioEntry): string | null {
  if (b.status === "reversed") return `batch #${b.batchId} was reversed: its certificates are void`;
  if (b.status === "suspended") {
    const why = [
      b.hold.adminSuspended ? "by the registry operator" : "",
      b.hold.openChallenges > 0 ? `by ${b.hold.openChallenges} open challenge(s)` : "",
    ].filter(Boolean);
    return `batch #${b.batchId} is suspended${why.length ? ` ${why.join(" and ")}` : ""}: its certificates cannot be transferred or retired until it is reinstated`;
  }
  return null;
}

/**
 * The portfolio's formatters: counts arrive as integers or digit strings, figures as exact decimals (no unit: the
 * column header carries it). ui/format.ts builds the locale's Intl objects once, so thousands of rows stay fast.
 */
export function figureFormat(): { count(v: string | number): string; kg(decimal: string): string } {
  return {
    count: (v) => (typeof v === "number" ? count(v) : /^\d+$/.test(v) ? decimal(v) : v),
    kg: decimal,
  };
}

/** The outcome of looking up a counterparty: the account, or a sentence saying why it cannot be used. */
export type Counterparty =
  | { ok: true; participant: Participant }
  | { ok: false; reason: string; candidates?: { account: string; name: string }[] };

interface IndexedParticipant {
  account: string;
  name: string;
  kind: string;
  status: string;
}

/**
 * Finds an admitted participant by address or by (part of) its organisation name, then reads its standing from the
 * chain (GET /participants/{address}): a non-participant or a suspended one is refused with the reason, before any
 * wallet is asked for anything.
 */
export async function findCounterparty(ctx: AppContext, input: string, role: string): Promise<Counterparty> {
  const text = input.trim();
  if (!text) return { ok: false, reason: `Give the ${role}'s organisation name or account address.` };
  let account: string;
  if (/^0x/i.test(text)) {
    if (!validAddress(text)) {
      return { ok: false, reason: `“${text}” is not an account address: an address is 0x followed by 40 hex digits.` };
    }
    account = getAddress(text);
  } else {
    // The API filters by name where it can (?name=); the same filter here keeps the answer right either way.
    const { participants } = await ctx.api.get<{ participants: IndexedParticipant[] }>(
      `/participants?name=${encodeURIComponent(text)}`,
    );
    const needle = text.toLowerCase();
    const found = participants.filter((p) => p.name.toLowerCase().includes(needle));
    const exact = found.filter((p) => p.name.toLowerCase() === needle);
    const pick = exact.length === 1 ? exact : found;
    if (pick.length === 0) {
      return {
        ok: false,
        reason: `No admitted participant is named “${text}”: check the spelling, or give the account address. Only admitted participants can hold certificates.`,
      };
    }
    if (pick.length > 1) {
      return {
        ok: false,
        reason: `${pick.length} participants match “${text}”: give the full name or the account address.`,
        candidates: pick.slice(0, 10).map((p) => ({ account: p.account, name: p.name })),
      };
    }
    account = pick[0]!.account;
  }
  const participant = await ctx.api.call("getParticipant", { address: account });
  if (participant.status === "none") {
    return {
      ok: false,
      reason: `${account} is not an admitted participant of the registry, so it cannot hold certificates: ask the registry operator to admit it first. Nothing was sent.`,
    };
  }
  if (participant.status !== "active") {
    return {
      ok: false,
      reason: `${participant.name ?? account} (${account}) is ${participant.status} by the registry operator, so it cannot receive certificates until it is reinstated. Nothing was sent.`,
    };
  }
  return { ok: true, participant };
}

/** A point in time as "2 Dec 2026, 14:03 UTC" in the reader's locale (one formatter for a whole table). */
export function utcTimes(): (iso: string) => string {
  const f = new Intl.DateTimeFormat(navigator.language, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  return (iso) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : `${f.format(d)} UTC`;
  };
}

/** "Trader GmbH (0x14dC…9955)". */
export function who(p: { name: string | null; account: string }): string {
  return p.name ? `${p.name} (${p.account})` : p.account;
}
