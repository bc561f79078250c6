/**
 * The oracle service's public surface (ADR 0005): what the API and the entry points may use. Everything else under
 * oracle/src/ is the service's own business; the lint rule refuses imports of it from api/ and scripts/.
 */
export { Oracle, type OracleMetrics } from "./pipeline/oracle.ts";
export type { OracleConfig, OracleDeps } from "./pipeline/config.ts";
export type { LotSummary } from "./pipeline/lot-summary.ts";
export {
  calculateLotFigures,
  workerLot,
  LotReadError,
  type LotCsvBytes,
  type CalculatedLot,
  type LotCalculationRequest,
  type LotCalculator,
  type LotFigures,
} from "./pipeline/lot-calculation.ts";
export type { AttestationView } from "./pipeline/reads.ts";
export { MAX_SIGNATURE_BYTES } from "./pipeline/signatures.ts";
export { WORKER_LEASE } from "./pipeline/lease.ts";
export { JobStore } from "./store/jobs.ts";
export { DeliveryStoreError, type DeliveryRow, type DeliveryState } from "./store/deliveries.ts";
export type { BatchRow, LotHead, LotRow } from "./store/rows.ts";
export { BATCH_STATES, type BatchState } from "./store/transitions.ts";
export { createOracle, runWorker, type OracleRuntime } from "./runtime/oracle.ts";
