/**
 * The worker side of report-hash.ts: hashes the bytes it is given (`workerData`) with keccak256 and answers the
 * `0x` hex. Imported anywhere else (e.g. by the run-time check that loads every module), it does nothing.
 */
import { parentPort, workerData } from "node:worker_threads";

import { keccak256 } from "ethers";

if (parentPort) parentPort.postMessage(keccak256(workerData as Uint8Array));
