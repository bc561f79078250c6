/**
 * A worker thread of the pool (pool.ts): runs each task it is sent (tasks.ts) and answers its result or error.
 * Imported anywhere else (e.g. by the run-time check that loads every module), it does nothing: there is no port.
 */
import { parentPort } from "node:worker_threads";

import { runTask, taskError, type WorkerTask } from "./tasks.ts";

const port = parentPort;
port?.on("message", (task: WorkerTask) => {
  runTask(task).then(
    ({ value, transfer }) => port.postMessage({ ok: true, value }, transfer),
    (error: unknown) => port.postMessage({ ok: false, error: taskError(error) }),
  );
});
