/** A worker thread of the pool (pool.ts): runs each task it is sent (tasks.ts) and answers its result or error. */
import { parentPort } from "node:worker_threads";

import { runTask, taskError, type WorkerTask } from "./tasks.ts";

const port = parentPort;
if (!port) throw new Error("api/src/workers/worker.ts runs as a worker thread of WorkerPool");

port.on("message", (task: WorkerTask) => {
  runTask(task).then(
    ({ value, transfer }) => port.postMessage({ ok: true, value }, transfer),
    (error: unknown) => port.postMessage({ ok: false, error: taskError(error) }),
  );
});
