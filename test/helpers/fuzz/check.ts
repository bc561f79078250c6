/**
 * What every answer of the API to a fuzzed request must be (test/api/robustness.test.ts, test/soak/fuzz.test.ts):
 * never a 5xx; an error as RFC 9457 problem+json with its status and a stable code, without a stack trace; a 422
 * INVALID_INPUT with a pointer and a detail per field.
 */
import { replyProblems } from "../../../api/src/route/reply-check.ts";
import type { ApiHarness } from "../api.ts";
import type { Case, Role } from "./mutations.ts";

export const PROBLEM = /^application\/problem\+json/;

/** What a fuzzer run was answered (test/soak/fuzz.test.ts's figures). */
export interface Tally {
  requests: number;
  byStatus: Record<number, number>;
  /** Error answers that were problem+json with their status and a code. */
  problems: number;
  /** Success answers, and those that matched the schema their route declares for the status. */
  successes: number;
  schemaValid: number;
  /** Cases no client could send (a lone surrogate in a URL). */
  unsendable: number;
}

export const newTally = (): Tally => ({
  requests: 0,
  byStatus: {},
  problems: 0,
  successes: 0,
  schemaValid: 0,
  unsendable: 0,
});

/**
 * Sends one case; returns what is wrong with the answer, if anything. With a `tally`, also counts the answer and
 * checks a success against the reply schema its route declares (the harness already turns a mismatch into a 500
 * RESPONSE_INVALID; this says so by name, and counts it).
 */
export async function check(
  h: ApiHarness,
  tokens: Record<Role, string>,
  c: Case,
  tally?: Tally,
): Promise<string | undefined> {
  const { route, example } = c;
  const name = `${route.method.toUpperCase()} ${route.path} [${c.label}]`;
  let url: string;
  try {
    url = route.path.replace(/:([A-Za-z_]+)/g, (_, p: string) => encodeURIComponent(example.params?.[p] ?? ""));
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(example.query ?? {})) {
      for (const x of Array.isArray(v) ? v : [v]) query.append(k, typeof x === "string" ? x : JSON.stringify(x));
    }
    if (query.size > 0) url += `?${query.toString()}`;
  } catch {
    if (tally) tally.unsendable += 1;
    return undefined; // not representable in a URL (a lone surrogate): no client can send it
  }
  let req = h.http[route.method](url).timeout(30_000);
  if (route.auth === "session") req = req.set("Authorization", `Bearer ${tokens[example.as ?? "refurbisher"]}`);
  if (route.body) {
    const type = example.contentType ?? "application/json";
    const text =
      type !== "application/json" && typeof example.body === "string" ? example.body : JSON.stringify(example.body);
    req = req.set("Content-Type", type).send(text);
  }
  let res: Awaited<typeof req>;
  try {
    res = await req;
  } catch (error) {
    return `${name} → no answer: ${(error as Error).message}`;
  }
  const answer = `${name} → ${res.status} ${String(res.text).slice(0, 200)}`;
  if (tally) {
    tally.requests += 1;
    tally.byStatus[res.status] = (tally.byStatus[res.status] ?? 0) + 1;
  }
  if (res.status >= 500) return answer;
  if (res.status < 400) {
    if (!tally) return undefined;
    tally.successes += 1;
    const type: string | undefined = res.headers["content-type"];
    const wrong = replyProblems(route, res.status, type, typeof res.text === "string" ? res.text : undefined);
    if (wrong.length)
      return `${answer} (reply not as declared: ${wrong.map((e) => `${e.pointer} ${e.detail}`).join("; ")})`;
    tally.schemaValid += 1;
    return undefined;
  }
  if (!PROBLEM.test(String(res.headers["content-type"]))) return `${answer} (not problem+json)`;
  if (res.body?.status !== res.status || typeof res.body?.code !== "string") return `${answer} (malformed problem)`;
  if (/\n\s+at [^\n]+\(.*:\d+:\d+\)/.test(res.text)) return `${answer} (stack trace)`;
  if (res.status === 422 && res.body.code === "INVALID_INPUT") {
    const errors = res.body.errors as { pointer?: unknown; detail?: unknown }[] | undefined;
    const ok =
      Array.isArray(errors) &&
      errors.length > 0 &&
      errors.every(
        (e) =>
          typeof e.pointer === "string" &&
          /^\/(params|query|body)(\/|$)/.test(e.pointer) &&
          typeof e.detail === "string" &&
          e.detail.length > 0,
      );
    if (!ok) return `${answer} (invalid input without a pointer per field)`;
  }
  if (tally) tally.problems += 1;
  return undefined;
}
