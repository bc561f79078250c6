/**
 * `npm start`'s command line: parsed and checked before anything starts. A bad flag is one line (then the usage);
 * `--help` is the usage.
 */
import { parseArgs } from "node:util";

import { CodedError } from "../../sdk/src/errors.ts";

export const USAGE = `usage: npm start [-- --fresh] [--data-dir .itec] [--port 8080] [--rpc-port 8545] [--block-time 0] [--chain edr] [--no-demo]
  --fresh       delete the data directory's state (chain, registry store, index, deployment) and start over
  --data-dir    where the state lives (default .itec)
  --port        the API's port on 127.0.0.1 (default 8080)
  --rpc-port    the embedded chain's JSON-RPC port on 127.0.0.1 (default 8545)
  --block-time  seconds between blocks on the embedded chain (0 = a block per transaction)
  --chain       edr (default: every block journaled, a crash loses nothing acknowledged) or anvil (snapshots)
  --no-demo     do not run the first-start demonstration`;

export interface StartArgs {
  fresh: boolean;
  dataDir: string;
  port: number;
  rpcPort: number;
  noDemo: boolean;
  blockTime: number;
  chain: "edr" | "anvil";
}

/** A flag that is unknown or has a bad value: the message is the one line to print before the usage. */
export class UsageError extends CodedError<"BAD_USAGE"> {
  constructor(message: string) {
    super("BAD_USAGE", message);
  }
}

/** The arguments, or "help" for `--help`; throws UsageError. */
export function parseStartArgs(argv: string[]): StartArgs | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        fresh: { type: "boolean", default: false },
        "data-dir": { type: "string", default: ".itec" },
        port: { type: "string", default: "8080" },
        "rpc-port": { type: "string", default: "8545" },
        "no-demo": { type: "boolean", default: false },
        "block-time": { type: "string", default: "0" },
        chain: { type: "string", default: "edr" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
    throw new UsageError(
      code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
        ? `unknown option ${quoted}`
        : code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL"
          ? `unexpected argument ${quoted}`
          : message.split(/\.\s/)[0]!.replace(/^Option '(\S+)[^']*'/, "option $1"),
    );
  }
  if (values.help) return "help";
  const port = (flag: string, text: string) => {
    if (/^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65_535) return Number(text);
    throw new UsageError(`${flag} takes a port number from 1 to 65535, not "${text}"`);
  };
  const apiPort = port("--port", values.port);
  const rpcPort = port("--rpc-port", values["rpc-port"]);
  if (apiPort === rpcPort) {
    throw new UsageError(`--port and --rpc-port are both ${apiPort}: they need two different ports`);
  }
  if (!/^\d{1,6}$/.test(values["block-time"])) {
    throw new UsageError(`--block-time takes a whole number of seconds, not "${values["block-time"]}"`);
  }
  if (values["data-dir"].trim() === "") throw new UsageError("--data-dir takes a directory");
  const chain = values.chain;
  if (chain !== "edr" && chain !== "anvil") throw new UsageError(`--chain takes edr or anvil, not "${chain}"`);
  return {
    fresh: values.fresh,
    dataDir: values["data-dir"],
    port: apiPort,
    rpcPort,
    noDemo: values["no-demo"],
    blockTime: Number(values["block-time"]),
    chain,
  };
}
