/** What `npm start` tells the person at the terminal: progress on stdout, one-line failures on stderr. */
import { firstLine } from "../../sdk/src/errors.ts";

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function complain(line: string): void {
  process.stderr.write(`npm start: ${line}\n`);
}

/** Time since `npm start` began (the process's own uptime), as printed after each stage. */
export function elapsed(): string {
  return `${process.uptime().toFixed(1)} s`;
}

/** An error's first line, for a one-line report. */
export function oneLine(error: unknown): string {
  return firstLine(error).trim() || (error instanceof Error ? error.name : "unknown error");
}
