import type { Command } from "commander";

/** `itec calc` — placeholder until the calculation engine lands (issue 3). */
export function registerCalc(program: Command): void {
  program
    .command("calc <lot>")
    .description("calculate a lot's I-TEC figures (ITEC-CALC 1.0)")
    .action(() => {
      throw new Error("itec calc is not implemented yet");
    });
}
