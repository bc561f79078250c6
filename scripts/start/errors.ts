/** The two ways `npm start`'s start-up sequence ends early. */
import { CodedError } from "../../sdk/src/errors.ts";

/** A startup failure with a message for the person at the terminal (one line). */
export class StartError extends CodedError<"START_FAILED"> {
  constructor(message: string) {
    super("START_FAILED", message);
  }
}

/** Thrown by the start-up sequence once a stop is under way (nothing to report). */
export class Stopping extends CodedError<"STOPPING"> {
  constructor() {
    super("STOPPING", "stopping");
  }
}

export function fail(message: string): never {
  throw new StartError(message);
}
