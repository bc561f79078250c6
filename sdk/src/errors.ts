/**
 * The one error base of the registry: every error a caller may act on carries a stable, typed `code` (the same
 * string the API puts at the end of a problem's `type`), a one-line message for people and, where useful, details.
 * HTTP statuses are not part of an error: the API's problem layer maps codes to statuses.
 */

export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: C, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** True when `error` is a {@link CodedError} (of one of `codes`, when given). */
export function isCodedError<C extends string>(error: unknown, ...codes: C[]): error is CodedError<C> {
  return error instanceof CodedError && (codes.length === 0 || codes.includes(error.code as C));
}

/** The error and its causes, outermost first (at most `limit`; a cycle ends the walk). */
export function causeChain(error: unknown, limit = 8): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && chain.length < limit && !chain.includes(e);) {
    chain.push(e);
    e = e instanceof Error ? e.cause : undefined;
  }
  return chain;
}

/** The messages and codes of an error's whole cause chain on one line (for logs and transient-error tests). */
export function causeText(error: unknown): string {
  return causeChain(error)
    .map((e) => {
      if (e instanceof Error) {
        const code = (e as { code?: unknown }).code;
        return typeof code === "string" && code !== "" ? `${e.message} ${code}` : e.message;
      }
      return typeof e === "string" ? e : (JSON.stringify(e) ?? String(e));
    })
    .join(" ");
}

/** The first line of an error's own message (for one-line logs and replies). */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}
