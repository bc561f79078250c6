/**
 * Checks an answer against what its route declares (tests; see `MountOptions.validateResponses`): a status the
 * route does not declare, a JSON body that does not match the schema of its status, or a problem code the route
 * does not list, becomes a 500 `RESPONSE_INVALID` naming each field, also written to stderr. The same check
 * keeps the routes' examples true (test/api/openapi.test.ts).
 */
import { fieldProblems, HttpProblem, PROBLEM_CODES, type FieldProblem } from "../problem.ts";
import { problemCodesOf, type RouteSpec } from "./define.ts";

const JSON_TYPE = /^application\/([\w.-]+\+)?json(;|$)/i;

/**
 * Where an answer differs from the route's declaration: an undeclared status, a body that is not JSON or does
 * not match the schema of its status (a wrong field, a field the schema does not declare, or a value the schema
 * would rewrite, e.g. an address not checksummed). Empty when it is as declared.
 */
export function replyProblems(
  route: RouteSpec,
  status: number,
  type: string | undefined,
  payload: string | Buffer | undefined,
): FieldProblem[] {
  const spec = route.responses[status];
  if (!spec) return [{ pointer: "/status", detail: `${status} is not among the declared responses` }];
  if (!spec.schema || payload === undefined || type === undefined || !JSON_TYPE.test(type)) return [];
  let value: unknown;
  try {
    value = JSON.parse(payload.toString()) as unknown;
  } catch {
    return [{ pointer: "/response", detail: "the body is not JSON" }];
  }
  const result = spec.schema.safeParse(value);
  return result.success ? rewrites(value, result.data, "/response") : fieldProblems("/response", result.error);
}

/** Throws a 500 RESPONSE_INVALID when a reply is not what the route declares. */
export function checkReply(
  route: RouteSpec,
  status: number,
  type: string | undefined,
  payload: string | Buffer | undefined,
): void {
  const errors = replyProblems(route, status, type, payload);
  if (errors.length) throw invalid(route, `answered ${status} not as declared`, errors);
}

/**
 * Throws a 500 RESPONSE_INVALID when a problem answer carries a code the route does not declare, or another
 * status than the code's (problem.ts). An unexpected error (INTERNAL, or this check's own) always passes.
 */
export function checkProblem(route: RouteSpec, problem: HttpProblem): void {
  const errors: FieldProblem[] = [];
  const always = problem.code === "INTERNAL" || problem.code === "RESPONSE_INVALID";
  if (!always && !problemCodesOf(route).includes(problem.code)) {
    errors.push({ pointer: "/code", detail: `${problem.code} is not among the route's problem codes` });
  }
  if (PROBLEM_CODES[problem.code].status !== problem.status && problem.code !== "BAD_REQUEST") {
    const expected = PROBLEM_CODES[problem.code].status;
    errors.push({ pointer: "/status", detail: `${problem.code} is ${expected}, answered ${problem.status}` });
  }
  if (errors.length) throw invalid(route, `answered the problem ${problem.code} not as declared`, errors);
}

function invalid(route: RouteSpec, what: string, errors: FieldProblem[]): HttpProblem {
  const detail = `${route.method.toUpperCase()} ${route.path} (${route.operationId}) ${what}`;
  process.stderr.write(`RESPONSE_INVALID: ${detail}\n${errors.map((e) => `  ${e.pointer}: ${e.detail}`).join("\n")}\n`);
  return new HttpProblem(500, "RESPONSE_INVALID", "Response does not match its schema", detail, { errors });
}

/**
 * Where a parsed reply differs from what was sent: members the schema does not declare (it strips them; the
 * document says `additionalProperties: false`), members it adds, and values it rewrites.
 */
function rewrites(sent: unknown, parsed: unknown, pointer: string): FieldProblem[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  if (Array.isArray(sent) && Array.isArray(parsed)) {
    return sent.flatMap((v, i) => rewrites(v, parsed[i], `${pointer}/${i}`));
  }
  if (isObject(sent) && isObject(parsed) && !Array.isArray(sent) && !Array.isArray(parsed)) {
    const at = (k: string) => `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    return [
      ...Object.keys(sent).flatMap((k) =>
        Object.hasOwn(parsed, k)
          ? rewrites(sent[k], parsed[k], at(k))
          : [{ pointer: at(k), detail: "not declared in the response schema" }],
      ),
      ...Object.keys(parsed)
        .filter((k) => !Object.hasOwn(sent, k))
        .map((k) => ({ pointer: at(k), detail: "absent from the reply but added by the schema" })),
    ];
  }
  if (Object.is(sent, parsed)) return [];
  const show = (v: unknown) => (typeof v === "bigint" ? `${v}n` : JSON.stringify(v));
  return [{ pointer, detail: `the schema rewrites ${show(sent)} as ${show(parsed)}` }];
}
