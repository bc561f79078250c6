/**
 * The keccak256 of a lot's stored report, as issuance checks it before posting (the report must still be the one
 * the auditors reviewed) — without holding the event loop the API shares: at the device cap the report is ~26 MB,
 * which `keccak256(toUtf8Bytes(text))` on this thread turned into hundreds of milliseconds (a JavaScript UTF-8
 * encoding and a JavaScript keccak). The report is read as its bytes (no string is made of it here) and a large one
 * is hashed on a short-lived worker thread (report-hash-worker.ts), its buffer transferred, not copied.
 */
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

import { keccak256 } from "ethers";

/** Reports up to this size are hashed in this thread (a few ms); larger ones on a worker thread. */
export const IN_THREAD_BYTES = 1 << 20;

const SCRIPT = new URL(`./report-hash-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** `0x` keccak256 of `bytes`; a large buffer moves to the worker (detached here afterwards). */
export async function reportKeccak(bytes: Uint8Array): Promise<string> {
  if (bytes.byteLength <= IN_THREAD_BYTES) return keccak256(bytes);
  // A view into a larger or shared buffer is copied once into its own (transfer moves whole buffers only).
  const own =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
      ? bytes
      : bytes.slice();
  const worker = new Worker(SCRIPT, { workerData: own, transferList: [own.buffer as ArrayBuffer] });
  try {
    return await new Promise<string>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the report hash thread exited (code ${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}
