/** What `createApp` is given: services built at the edge (server.ts or a test), never constructed inside routes. */
import type { Logger } from "pino";

import type { ChainClient } from "../../core/chain/client.ts";
import type { ClaimCandidateRecord, NamedParticipantRecord, PortfolioRecord } from "../../indexer/index.ts";
import type { ReferenceTable } from "../../core/calc/index.ts";
import type { ReferenceFile } from "../../core/calc/reference-file.ts";
import type { Oracle } from "../../oracle/src/index.ts";
import type { ParticipantKindName } from "../../sdk/src/enums.ts";
import { HttpProblem } from "./problem.ts";
import type { Session } from "./route/define.ts";
import type { ChainReads } from "../../core/chain/reads.ts";
import { chainScanClaimSource, indexClaimSource, type ClaimSource } from "../../core/claims/sources.ts";
import type { MarketService } from "./services/market/market.ts";
import type { TransactionService } from "./services/transactions.ts";
import type { SiweAuth } from "./siwe.ts";
import type { ApiStore } from "./store/store.ts";
import type { WorkerPool } from "./workers/pool.ts";

/** Listing/search reads served from the event index (the chain stays the truth for every figure). */
export interface IndexReader {
  status(): Promise<{ lastBlock: number | null }>;
  holdings(account: string): Promise<{ batchId: string; amount: string }[]>;
  /** Every batch `account` holds with the batch's figures, in one query (optional: a stub index may lack it). */
  portfolio?(account: string): Promise<PortfolioRecord[]>;
  listRetirements(filter: {
    beneficiary?: string | undefined;
    account?: string | undefined;
    batchId?: string | undefined;
    limit: number;
    offset: number;
  }): Promise<Record<string, unknown>[]>;
  listBatches(filter: {
    owner?: string | undefined;
    category?: string | undefined;
    limit: number;
    offset: number;
  }): Promise<Record<string, unknown>[]>;
  participants(filter: {
    status?: string | undefined;
    kind?: string | undefined;
    name?: string | undefined;
  }): Promise<Record<string, unknown>[]>;
  auditors(): Promise<string[]>;
  ping(): Promise<boolean>;
  /** A claims report's candidates (ADR 0051), each verified on the chain (optional: a stub index may lack it). */
  claimCandidates?(account: string, nameKey: string | null): Promise<ClaimCandidateRecord[]>;
  /** Participants registered under organisation name keys, re-read on the chain by their users. */
  participantsNamed?(keys: readonly string[]): Promise<NamedParticipantRecord[]>;
}

export interface RateLimits {
  /** Requests per minute per client address. */
  auth: number;
  write: number;
  /** Every request not counted as health or ready (also the API's read routes). */
  read: number;
  health: number;
  ready: number;
}

export interface AppDeps {
  chain: ChainClient;
  reads: ChainReads;
  txs: TransactionService;
  auth: SiweAuth;
  /** The state every API instance shares: sign-in nonces (also given to `auth`) and rate-limit windows. */
  store: ApiStore;
  logger: Logger;
  /**
   * express's `trust proxy` (ITEC_TRUST_PROXY): hops or proxy addresses whose X-Forwarded-For names the client.
   * Unset: the peer address is the client (behind a proxy, every client would share the proxy's rate limit).
   */
  trustProxy?: number | string[] | undefined;
  /** The oracle signer's address, for its balance and nonce in /metrics (absent without the oracle key). */
  signerAddress?: (() => Promise<string | undefined>) | undefined;
  /** How long /ready waits for each dependency before calling it down (default 2 s). */
  readyTimeoutMs?: number | undefined;
  /** Lots and batch routes (absent: those routes answer 503). */
  oracle?: Oracle | undefined;
  index?: IndexReader | undefined;
  /** The market's offer book and transactions (ITEC_MARKET_ADDRESS; absent: the market routes answer 503). */
  market?: MarketService | undefined;
  /** Static files of the verification page. */
  publicDir?: string | undefined;
  /** The built web app (app/dist, served under /app/); absent or unbuilt: /app/ answers 503 APP_NOT_BUILT. */
  appDir?: string | undefined;
  limits?: Partial<RateLimits> | undefined;
  /** Browser origins answered with CORS allow headers (ITEC_CORS_ORIGINS; none by default, `*` for all). */
  corsOrigins?: readonly string[] | undefined;
  /** Public base URL (links in answers), e.g. http://127.0.0.1:8080. */
  publicUrl: string;
  /** The chain's public JSON-RPC URL, quoted in documents' "verify independently" commands. */
  publicRpcUrl?: string | undefined;
  /** Reference table (registry reference PCFs in Scope 3 reports). */
  reference?: ReferenceTable | undefined;
  /** The reference file's bytes and table, served to the web app (GET /reference-data). */
  referenceFile?: ReferenceFile | undefined;
  /** Worker threads for report rendering (ITEC_WORKERS, ITEC_WORKER_QUEUE); absent: a default pool on first use. */
  workers?: WorkerPool | undefined;
  /** The chain's name for browser wallets (ITEC_CHAIN_NAME; GET /network decides the default). */
  chainName?: string | undefined;
}

export const DEFAULT_LIMITS: RateLimits = { auth: 30, write: 120, read: 60_000, health: 600, ready: 60 };

export function requireOracle(deps: AppDeps): Oracle {
  if (!deps.oracle)
    throw new HttpProblem(503, "ORACLE_UNAVAILABLE", "Service unavailable", "the oracle service is not running here");
  return deps.oracle;
}

export function requireIndex(deps: AppDeps): IndexReader {
  if (!deps.index)
    throw new HttpProblem(503, "INDEX_UNAVAILABLE", "Service unavailable", "the listing index is not running here");
  return deps.index;
}

export function requireMarket(deps: AppDeps): MarketService {
  if (!deps.market) {
    throw new HttpProblem(
      503,
      "MARKET_UNAVAILABLE",
      "Service unavailable",
      "this registry runs no market here (ITEC_MARKET_ADDRESS is unset)",
    );
  }
  return deps.market;
}

/**
 * Where a claims report finds an organisation's retirements (ADR 0051): the event index when this API has one with
 * claim lookups, else a scan of the chain. Either way each is verified on the chain.
 */
export function claimSource(deps: Pick<AppDeps, "index" | "reads">): ClaimSource {
  const index = deps.index;
  if (!index?.claimCandidates || !index.participantsNamed) return chainScanClaimSource(deps.reads);
  return indexClaimSource({
    claimCandidates: (account, key) => index.claimCandidates!(account, key),
    participantsNamed: (keys) => index.participantsNamed!(keys),
    status: () => index.status(),
  });
}

/** The signed-in account's on-chain standing; 403 unless it holds one of `allowed`. */
export async function requireRole(
  deps: AppDeps,
  session: Session | undefined,
  allowed: ("admin" | "auditor" | ParticipantKindName | "participant")[],
) {
  if (!session) throw new HttpProblem(401, "UNAUTHENTICATED", "Authentication required", "sign in first");
  const p = await deps.reads.participant(session.address);
  const ok = allowed.some((role) => {
    if (role === "admin") return p.roles.admin;
    if (role === "auditor") return p.roles.auditor;
    if (p.status !== "active") return false;
    return role === "participant" || p.kind === role;
  });
  if (!ok) {
    throw new HttpProblem(
      403,
      "FORBIDDEN",
      "Forbidden",
      `${session.address} is ${standing(p)}; this needs: ${allowed.join(" or ")}`,
    );
  }
  return p;
}

/** "an active corporate (auditor)", "not a participant": who the caller is, for a refusal. */
function standing(p: { kind: string; status: string; roles: { admin: boolean; auditor: boolean } }): string {
  const roles = [p.roles.admin ? "admin" : "", p.roles.auditor ? "auditor" : ""].filter(Boolean);
  return `${p.status === "none" ? "not a participant" : `${p.status === "active" ? "an" : "a"} ${p.status} ${p.kind}`}${roles.length ? ` (${roles.join(", ")})` : ""}`;
}
