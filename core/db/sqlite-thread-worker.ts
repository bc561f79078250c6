/**
 * The worker side of `SqliteThread` (sqlite-thread.ts): one `node:sqlite` connection to the file named in
 * `workerData.path`, running the statements the owning thread posts, one at a time, in the order they come.
 * Imported anywhere else (e.g. by the run-time check that loads every module), it does nothing: there is no port.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { SQLInputValue, StatementSync } from "node:sqlite";

import { connectionPragmas, loadSqlite } from "./sqlite.ts";
import { sqliteParams } from "./sql.ts";
import type { SqliteThreadReply, SqliteThreadRequest } from "./sqlite-thread.ts";

const port = parentPort;
if (port) {
  const { DatabaseSync } = await loadSqlite();
  const db = new DatabaseSync((workerData as { path: string }).path);
  connectionPragmas(db);
  const statements = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  const execute = ({ op, sql, params }: SqliteThreadRequest): unknown => {
    const args: SQLInputValue[] = sqliteParams(params); // Utf8Text decoded here, on this thread
    switch (op) {
      case "exec":
        db.exec(sql);
        return undefined;
      case "run":
        return Number(prepare(sql).run(...args).changes);
      case "get":
        return prepare(sql).get(...args);
      case "all":
        return prepare(sql).all(...args);
    }
  };
  port.on("message", (request: SqliteThreadRequest) => port.postMessage(answer(request, execute)));
}

/** The reply to `request`: its value, or its error as it crosses the thread boundary. */
function answer(request: SqliteThreadRequest, execute: (r: SqliteThreadRequest) => unknown): SqliteThreadReply {
  try {
    return { id: request.id, ok: true, value: execute(request) };
  } catch (caught) {
    const e = caught as Error & { code?: unknown; errcode?: unknown; errstr?: unknown };
    return {
      id: request.id,
      ok: false,
      error: {
        message: e.message,
        code: typeof e.code === "string" ? e.code : undefined,
        errcode: typeof e.errcode === "number" ? e.errcode : undefined,
        errstr: typeof e.errstr === "string" ? e.errstr : undefined,
      },
    };
  }
}
