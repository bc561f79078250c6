/**
 * The ports `npm start` listens on, checked before anything starts: a port in use is the commonest failure, and
 * anvil would not say which.
 */
import { createServer } from "node:net";

import { fail } from "./errors.ts";

/** Fails (one line naming `flag`) unless `host:port` can be listened on now. */
export async function requirePort(port: number, host: string, flag: string): Promise<void> {
  const code = await new Promise<string | undefined>((resolvePort) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolvePort(error.code ?? "error"));
    probe.listen(port, host, () => probe.close(() => resolvePort(undefined)));
  });
  if (code === "EADDRINUSE") fail(`port ${port} is in use: pass ${flag}`);
  if (code === "EACCES") fail(`port ${port} needs privileges this process lacks: pass ${flag} with a port above 1023`);
  if (code) fail(`cannot listen on ${host}:${port} (${code}): pass ${flag}`);
}
