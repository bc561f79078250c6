/**
 * `itec` — the registry's command line. Thin: parses arguments and calls the same services as the API.
 * Every command exits non-zero with a one-line reason on failure.
 */
import { Command, CommanderError } from "commander";

import { registerAuditor } from "./commands/auditor.ts";
import { registerCalc } from "./commands/calc.ts";
import { registerCert } from "./commands/cert.ts";
import { registerDocuments } from "./commands/documents.ts";
import { registerKeys } from "./commands/keys.ts";
import { registerLot } from "./commands/lot.ts";
import { registerOracle } from "./commands/oracle.ts";
import { registerParticipant } from "./commands/participant.ts";
import { registerRetire } from "./commands/retire.ts";
import { registerServe } from "./commands/serve.ts";
import { registerVerify } from "./commands/verify.ts";

const program = new Command("itec")
  .description("I-TEC Registry: IT Asset Reuse Certificates")
  .showHelpAfterError()
  .exitOverride();

registerParticipant(program);
registerAuditor(program);
registerLot(program);
registerCalc(program);
registerCert(program);
registerRetire(program);
registerVerify(program);
registerOracle(program);
registerServe(program);
registerDocuments(program);
registerKeys(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`itec: ${message}\n`);
    process.exitCode = 1;
  }
}
