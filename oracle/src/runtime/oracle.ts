/**
 * Builds the oracle service from validated configuration (adapters at the edge: store, chain, key, reference
 * data, logger) and runs its worker loop until asked to stop.
 */
import type { Signer } from "ethers";
import { pino, type Logger } from "pino";

import { ChainClient } from "../../../core/chain/client.ts";
import { Oracle } from "../pipeline/oracle.ts";
import { loadReferenceTable } from "../../../core/calc/reference-file.ts";
import { JobStore } from "../store/jobs.ts";
import type { FaultPoint, OracleEnv } from "../../../core/config.ts";
import { KeyError, loadSigner, type KeySource } from "../../../core/keys.ts";
import { RemoteSigner } from "../../../core/chain/remote-signer.ts";

export interface OracleRuntime {
  oracle: Oracle;
  logger: Logger;
  /** Releases the worker lease, closes the job store and the chain connection. */
  close(): Promise<void>;
}

/**
 * @param options.requireKey false for processes that only calculate lots and take signatures (the API); the
 *   worker needs the oracle's key to post.
 */
export async function createOracle(
  env: OracleEnv,
  logger?: Logger,
  options: { requireKey?: boolean } = {},
): Promise<OracleRuntime> {
  const log = logger ?? pino({ level: env.ITEC_LOG_LEVEL, base: { service: "itec-oracle" } });
  const chain = await ChainClient.connect(
    {
      rpcUrl: env.ITEC_RPC_URL,
      registryAddress: env.ITEC_REGISTRY_ADDRESS,
      ...(env.ITEC_CHAIN_ID !== undefined ? { chainId: env.ITEC_CHAIN_ID } : {}),
      ...(env.ITEC_GAS_PRICE !== "auto" ? { gasPrice: BigInt(env.ITEC_GAS_PRICE) } : {}),
    },
    20,
  );
  const source = {
    privateKey: env.ITEC_ORACLE_KEY,
    keystore: env.ITEC_ORACLE_KEYSTORE,
    password: env.ITEC_ORACLE_KEYSTORE_PASSWORD,
    devAccount: env.ITEC_ORACLE_DEV_ACCOUNT,
  };
  const hasKey = Object.values(source).some((v) => v !== undefined) || env.ITEC_ORACLE_SIGNER_URL !== undefined;
  let signer;
  if (hasKey || options.requireKey !== false) {
    const loaded = await loadOracleSigner(env, source, chain);
    signer = loaded.signer;
    log.info(
      { key: loaded.describeSource, address: await signer.getAddress(), rpc: env.ITEC_RPC_URL },
      "oracle key loaded",
    );
  }
  // DATABASE_URL set: the job store on PostgreSQL (beside the index); else SQLite at ITEC_DB_PATH.
  const store = await JobStore.open({ databaseUrl: env.DATABASE_URL, sqlitePath: env.ITEC_DB_PATH });
  log.info({ store: store.dialect }, "oracle job store opened");
  const pauseAt = env.ITEC_FAULT_PAUSE_AT;
  const oracle = new Oracle({
    store,
    chain,
    signer,
    reference: loadReferenceTable(env.ITEC_REFERENCE_PATH),
    logger: log,
    config: {
      confirmations: env.ITEC_CONFIRMATIONS,
      attestationTtlSeconds: env.ITEC_ATTESTATION_TTL_SECONDS,
      renewMarginSeconds: env.ITEC_RENEW_MARGIN_SECONDS,
      requireAuditSample: env.ITEC_REQUIRE_AUDIT_SAMPLE === "true",
      evidenceBaseUrl: env.ITEC_EVIDENCE_BASE_URL,
      workerLeaseMs: env.ITEC_WORKER_LEASE_MS,
      broadcastMarginMs: env.ITEC_BROADCAST_MARGIN_MS,
    },
    ...(pauseAt ? { faults: pauseAtPoint(pauseAt) } : {}),
  });
  return {
    oracle,
    logger: log,
    close: async () => {
      chain.provider.destroy();
      await store.close();
    },
  };
}

/**
 * The oracle's signer: a remote signer (ITEC_ORACLE_SIGNER_URL + ITEC_ORACLE_ADDRESS) or a local key, never both.
 * Either way a published dev key is refused unless the chain is a development chain.
 */
async function loadOracleSigner(
  env: OracleEnv,
  source: KeySource,
  chain: ChainClient,
): Promise<{ signer: Signer; describeSource: string }> {
  const url = env.ITEC_ORACLE_SIGNER_URL;
  if (url === undefined) {
    const loaded = await loadSigner(source, chain.provider, { chainId: chain.chainId });
    const address = await loaded.signer.getAddress();
    if (env.ITEC_ORACLE_ADDRESS !== undefined && address !== env.ITEC_ORACLE_ADDRESS) {
      throw new KeyError(
        `the oracle's key (${loaded.describeSource}) is ${address}, not ITEC_ORACLE_ADDRESS ${env.ITEC_ORACLE_ADDRESS}: ` +
          "give the issuer's key, or correct ITEC_ORACLE_ADDRESS",
      );
    }
    return loaded;
  }
  if (Object.values(source).some((v) => v !== undefined)) {
    throw new KeyError(
      "ITEC_ORACLE_SIGNER_URL and a local oracle key (ITEC_ORACLE_KEY, _KEYSTORE or _DEV_ACCOUNT) are both set: keep one",
    );
  }
  if (env.ITEC_ORACLE_ADDRESS === undefined) {
    throw new KeyError(
      "ITEC_ORACLE_SIGNER_URL needs ITEC_ORACLE_ADDRESS: the issuer address the remote signer must sign as",
    );
  }
  const signer = await RemoteSigner.open({ url, address: env.ITEC_ORACLE_ADDRESS }, chain.provider, chain.chainId);
  return { signer, describeSource: `remote signer ${url}` };
}

/**
 * Test-only fault injection: at `point`, announce it on stderr and wait forever, so the test can SIGKILL the
 * process at exactly that instant.
 */
function pauseAtPoint(point: FaultPoint) {
  return async (at: FaultPoint, context: Record<string, unknown>): Promise<void> => {
    if (at !== point) return;
    process.stderr.write(`ITEC_FAULT_POINT ${at} ${JSON.stringify(context)}\n`);
    await new Promise<never>(() => {});
  };
}

/** Advances jobs every `pollMs` until `signal` aborts; one failing pass is logged, never fatal. */
export async function runWorker(runtime: OracleRuntime, pollMs: number, signal: AbortSignal): Promise<void> {
  const { oracle, logger } = runtime;
  logger.info({ pollMs }, "oracle worker started");
  while (!signal.aborted) {
    try {
      await oracle.tick();
    } catch (error) {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, "worker pass failed");
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
  logger.info({ metrics: await oracle.metrics().catch(() => undefined) }, "oracle worker stopped");
}
