/**
 * `itec` — the registry's command line. Thin: parses arguments and calls the same services as the API.
 * Every command exits non-zero with a one-line reason on failure.
 *
 * Commands load lazily: `itec --help` reads only this list (no ethers, no services), and `itec <command> …` loads
 * that command's module alone — the start-up a person waits for is the one command they run (bench/cli.ts measures
 * it; test/e2e/cli-runtime.test.ts checks that each summary here is the command's own description).
 */
import { Command, CommanderError } from "commander";

import { PACKAGE } from "../core/package.ts";

type Register = (program: Command) => void;

/** Each top-level command: its one-line summary (for `itec --help`) and the module that registers it. */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Register> }> = {
  participant: {
    summary: "admit, rename, suspend, reinstate and list participants (admin)",
    load: async () => (await import("./commands/participant.ts")).registerParticipant,
  },
  auditor: {
    summary: "auditing bodies and accreditation (admin); attestation review, signing and rejection",
    load: async () => (await import("./commands/auditor.ts")).registerAuditor,
  },
  lot: {
    summary: "submit lots of refurbished devices and follow their batches",
    load: async () => (await import("./commands/lot.ts")).registerLot,
  },
  calc: {
    summary: "calculate a lot's I-TEC figures (ITEC-CALC 1.0, ITEC-PARAMS-1)",
    load: async () => (await import("./commands/calc.ts")).registerCalc,
  },
  cert: {
    summary: "certificates: balances, batch details, transfers",
    load: async () => (await import("./commands/cert.ts")).registerCert,
  },
  retire: {
    summary: "retire (burn) I-TECs against a claim stored on-chain; prints the retirement id and verify URL",
    load: async () => (await import("./commands/retire.ts")).registerRetire,
  },
  replace: {
    summary: "restore a reversed retirement with I-TECs of another batch of its device category (burned)",
    load: async () => (await import("./commands/retire.ts")).registerReplace,
  },
  market: {
    summary: "the market: signed offers, DvP and on-invoice fills, requests for quote",
    load: async () => (await import("./commands/market.ts")).registerMarket,
  },
  batch: {
    summary: "suspend, reinstate or reverse an issued batch (admin)",
    load: async () => (await import("./commands/batch.ts")).registerBatch,
  },
  challenge: {
    summary: "fraud proofs against batches (anyone) and their settlement (admin)",
    load: async () => (await import("./commands/challenge.ts")).registerChallenge,
  },
  admin: {
    summary: "registry administration: other schemes' device sets (admin)",
    load: async () => (await import("./commands/admin.ts")).registerAdmin,
  },
  delivery: {
    summary: "flow-through deliveries: certificates of the devices delivered",
    load: async () => (await import("./commands/delivery.ts")).registerDelivery,
  },
  verify: {
    summary: "verify from the chain alone",
    load: async () => (await import("./commands/verify.ts")).registerVerify,
  },
  oracle: {
    summary: "the oracle service (calculation, signatures, posting)",
    load: async () => (await import("./commands/oracle.ts")).registerOracle,
  },
  serve: {
    summary: "run the oracle worker, event indexer and API against an operator's chain (production)",
    load: async () => (await import("./commands/serve.ts")).registerServe,
  },
  retirement: {
    summary: "retirement documents",
    load: async () => (await import("./commands/documents.ts")).registerDocuments,
  },
  report: {
    summary: "reports",
    load: async () => (await import("./commands/documents.ts")).registerDocuments,
  },
  keys: {
    summary: "your signing key: create an encrypted keystore, show the account",
    load: async () => (await import("./commands/keys.ts")).registerKeys,
  },
};

/** The program for these arguments: the named command loaded in full, the others as one-line entries for help. */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command("itec")
    .description("I-TEC Registry: IT Asset Reuse Certificates")
    .version(PACKAGE.version, "-V, --version", "the version of this registry software")
    .showHelpAfterError("(npx itec --help lists the commands)")
    .exitOverride();
  // `itec <command> …` and `itec help <command>` need that command in full; nothing else needs any.
  const args = argv.slice(2);
  const wanted = args[0] === "help" ? args[1] : args[0];
  const loaded = wanted !== undefined && Object.hasOwn(COMMANDS, wanted) ? wanted : undefined;
  if (loaded !== undefined) (await COMMANDS[loaded]!.load())(program);
  for (const [name, entry] of Object.entries(COMMANDS)) {
    // a module may register more than one command (documents: `retirement` and `report`)
    if (!program.commands.some((c) => c.name() === name)) program.command(name).description(entry.summary);
  }
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
    } else {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`itec: ${message}\n`);
      process.exitCode = 1;
    }
  }
}
