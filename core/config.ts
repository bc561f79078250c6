/**
 * The oracle's configuration, read once from the environment and validated with zod: a wrong value stops the
 * process with one clear line naming the variable.
 */
import { getAddress, isAddress } from "ethers";
import { z } from "zod";

import { CodedError } from "../sdk/src/errors.ts";

/** Points where a test may stop the worker (fault injection); production passes no hook. */
export const FAULT_POINTS = [
  "after_lot_stored",
  "before_post",
  "after_tx_persisted",
  "after_broadcast",
  "after_receipt",
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

const int = (min: number) => z.coerce.number().int().min(min);

export const oracleEnvSchema = z.object({
  ITEC_RPC_URL: z.url().default("http://127.0.0.1:8545"),
  ITEC_REGISTRY_ADDRESS: z
    .string()
    .refine(isAddress, "expected a 0x-prefixed 20-byte address")
    .transform((a) => getAddress(a)), // checksummed everywhere it is quoted
  ITEC_CHAIN_ID: z.coerce.bigint().optional(),
  ITEC_ORACLE_KEY: z.string().optional(),
  ITEC_ORACLE_KEYSTORE: z.string().optional(),
  ITEC_ORACLE_KEYSTORE_PASSWORD: z.string().optional(),
  ITEC_ORACLE_DEV_ACCOUNT: int(0).max(19).optional(),
  ITEC_DB_PATH: z.string().min(1).default(".itec/registry.db"),
  ITEC_CONFIRMATIONS: int(1).default(1),
  ITEC_GAS_PRICE: z
    .union([z.literal("auto"), z.string().regex(/^\d+$/, "expected 'auto' or an integer wei amount")])
    .default("auto"),
  ITEC_POLL_MS: int(20).default(500),
  ITEC_ATTESTATION_TTL_SECONDS: int(60).default(14 * 86_400),
  ITEC_RENEW_MARGIN_SECONDS: int(0).default(3_600),
  ITEC_EVIDENCE_BASE_URL: z.url().default("http://127.0.0.1:8080"),
  ITEC_REFERENCE_PATH: z.string().optional(),
  ITEC_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Test-only fault injection: the worker stops (and waits to be killed) at this point. */
  ITEC_FAULT_PAUSE_AT: z.enum(FAULT_POINTS).optional(),
});

export type OracleEnv = z.infer<typeof oracleEnvSchema>;

export class ConfigError extends CodedError<"BAD_CONFIG"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("BAD_CONFIG", message, options);
  }
}

/** Parses `env`; throws ConfigError listing every bad variable. */
export function readOracleEnv(env: NodeJS.ProcessEnv = process.env): OracleEnv {
  const parsed = oracleEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid configuration — ${problems}`);
  }
  return parsed.data;
}
