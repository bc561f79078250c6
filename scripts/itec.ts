/**
 * `itec` — the registry's command line. Thin: parses arguments and calls the same services as the API.
 * Every command exits non-zero with a one-line reason on failure.
 */
import { Command, CommanderError } from "commander";

import { registerCalc } from "./commands/calc.ts";
import { registerDocuments } from "./commands/documents.ts";
import { registerOracle } from "./commands/oracle.ts";

const program = new Command("itec")
  .description("I-TEC Registry: IT Asset Reuse Certificates")
  .showHelpAfterError()
  .exitOverride();

registerCalc(program);
registerOracle(program);
registerDocuments(program);

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
