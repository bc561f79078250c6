/**
 * The OpenAPI document: generated from the routes' declarations, valid OpenAPI 3.1, committed as a snapshot
 * (test/api/openapi.snapshot.json; any change to the API's surface shows up as a diff here), with examples that
 * match their own schemas and the problem codes each operation can answer with.
 * Refresh the snapshot deliberately with `ITEC_UPDATE_SNAPSHOTS=1 npx hardhat test mocha test/api/openapi.test.ts`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { Validator } from "@seriousme/openapi-schema-validator";
import { expect } from "chai";
import express, { type RequestHandler } from "express";
import { pino } from "pino";
import request from "supertest";

import { allRoutes, buildOpenApi } from "../../api/src/app.ts";
import type { AppDeps } from "../../api/src/deps.ts";
import { errorMiddleware, HttpProblem, PROBLEM_CODES, type ProblemCode } from "../../api/src/problem.ts";
import { defineRoute, problemCodesOf } from "../../api/src/route/define.ts";
import { mountRoutes } from "../../api/src/route/mount.ts";
import { replyProblems } from "../../api/src/route/reply-check.ts";

const SNAPSHOT = "test/api/openapi.snapshot.json";

interface Operation {
  operationId: string;
  summary: string;
  parameters?: { name: string; example?: unknown }[];
  requestBody?: { content: Record<string, { schema?: unknown; example?: unknown }> };
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema?: unknown; example?: unknown; examples?: unknown }> }
  >;
}

describe("OpenAPI document", function () {
  const deps = { publicUrl: "http://127.0.0.1:8080" } as AppDeps;
  const doc = buildOpenApi(deps);
  const routes = allRoutes(deps);
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op: op as Operation })),
  );

  it("matches the committed snapshot", function () {
    const text = JSON.stringify(doc, null, 2) + "\n";
    if (process.env.ITEC_UPDATE_SNAPSHOTS === "1" || !existsSync(SNAPSHOT)) {
      if (process.env.CI === "true") throw new Error(`${SNAPSHOT} is missing: generate it locally and commit it`);
      writeFileSync(SNAPSHOT, text);
    }
    expect(JSON.parse(text)).to.deep.equal(JSON.parse(readFileSync(SNAPSHOT, "utf8")));
  });

  it("is valid against the OpenAPI 3.1 schema", async function () {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal("3.1");
  });

  it("has an operationId, a summary and the problems of any route on every operation", function () {
    expect(doc.openapi).to.equal("3.1.0");
    const ids = new Set<string>();
    for (const { where, op } of operations) {
      expect(op.operationId, where).to.be.a("string");
      expect(ids.has(op.operationId), op.operationId).to.equal(false);
      ids.add(op.operationId);
      expect(op.summary).to.have.length.greaterThan(10);
      expect(op.responses, where).to.include.keys("429", "500", "503");
    }
    expect(doc.components.schemas).to.have.property("Problem");
    expect(doc.components.securitySchemes.siwe).to.include({ type: "http", scheme: "bearer" });
    expect(doc.components.securitySchemes.siwe.description).to.match(/GET \/auth\/nonce/);
  });

  it("gives every JSON success answer a schema, and every error the problem schema", function () {
    // Not described yet: the calculation report (canonical bytes of docs/methodology.md §8.3) and the Scope 3 report
    // (JSON is one of its six formats). Remove an entry once its route declares a schema.
    const notYet = ["getLotReport", "scope3Report"];
    const undescribed: string[] = [];
    for (const { where, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        const media = Object.entries(response.content ?? {});
        if (Number(status) >= 400) {
          expect(media.length, `${where} ${status}`).to.be.greaterThan(0);
          for (const [, m] of media) expect(m.schema, `${where} ${status}`).to.not.equal(undefined);
        } else if (media.length === 0 || media.some(([type, m]) => /json/.test(type) && m.schema === undefined)) {
          undescribed.push(op.operationId);
        }
      }
    }
    expect([...new Set(undescribed)].sort()).to.deep.equal(notYet);
  });

  it("lists the problem codes of each error status, each with an example problem of that status", function () {
    for (const { where, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const media = response.content!["application/problem+json"]!;
        const examples = media.examples as Record<string, { $ref: string }>;
        expect(Object.keys(examples ?? {}), `${where} ${status}: no problem code`).to.not.be.empty;
        for (const [code, { $ref }] of Object.entries(examples)) {
          expect($ref).to.equal(`#/components/examples/${code}`);
          const { value } = (doc.components.examples as Record<string, { value: { status: number; code: string } }>)[
            code
          ]!;
          expect(value, `${where} ${status} ${code}`).to.include({ status: Number(status), code });
          expect(PROBLEM_CODES[code as ProblemCode].status).to.equal(Number(status));
          expect(response.description, `${where} ${status}`).to.include(`\`${code}\``);
        }
      }
    }
  });
});

describe("Route examples", function () {
  const routes = allRoutes({ publicUrl: "http://127.0.0.1:8080" } as AppDeps);

  it("give every operation with input a request example, and every JSON success answer an example", function () {
    const missing: string[] = [];
    for (const r of routes) {
      if (r.params && r.example?.params === undefined) missing.push(`${r.operationId} params`);
      if (r.body && r.example?.body === undefined) missing.push(`${r.operationId} body`);
      for (const [status, spec] of Object.entries(r.responses)) {
        if (Number(status) < 400 && spec.schema && spec.example === undefined)
          missing.push(`${r.operationId} ${status}`);
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it("match their own schemas: requests as the route validates them, answers as replies are checked", function () {
    const problems: string[] = [];
    for (const r of routes) {
      for (const [part, schema, value] of [
        ["params", r.params, r.example?.params],
        ["query", r.query, r.example?.query],
        ["body", r.body, r.example?.body],
      ] as const) {
        if (value === undefined) continue;
        if (!schema) {
          problems.push(`${r.operationId}: an example ${part} for a route that takes none`);
          continue;
        }
        const result = schema.safeParse(value);
        if (!result.success) problems.push(`${r.operationId} ${part}: ${result.error.message}`);
      }
      for (const [status, spec] of Object.entries(r.responses)) {
        if (spec.example === undefined) continue;
        const type = spec.contentType ?? "application/json";
        for (const p of replyProblems(r, Number(status), type, JSON.stringify(spec.example))) {
          problems.push(`${r.operationId} ${status} ${p.pointer}: ${p.detail}`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });
});

describe("Problem codes", function () {
  const routes = allRoutes({ publicUrl: "http://127.0.0.1:8080" } as AppDeps);

  it("give every problem the API constructs with a literal code the status its code has in PROBLEM_CODES", function () {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
      );
    const found: string[] = [];
    const wrong: string[] = [];
    for (const file of sources("api/src")) {
      for (const m of readFileSync(file, "utf8").matchAll(/new HttpProblem\(\s*(\d{3}),\s*"([A-Z_]+)"/g)) {
        found.push(m[2]!);
        const declared = PROBLEM_CODES[m[2] as ProblemCode] as { status: number } | undefined;
        if (declared?.status !== Number(m[1])) wrong.push(`${file}: ${m[2]} ${m[1]} (declared ${declared?.status})`);
      }
    }
    expect(found.length).to.be.greaterThan(20);
    expect(wrong).to.deep.equal([]);
  });

  it("are answered by some route, each (the catalogue lists no code nothing can answer with)", function () {
    const used = new Set(routes.flatMap((r) => problemCodesOf(r)));
    // Not a route's answer: the test-only reply check; the calculation's codes a lot from the API cannot reach
    // (it reads no file and no reference table of the caller's); an address the schemas have already checked;
    // the indexer's writer conflict (the API only reads the index); the web app's page, served outside the routes
    // (test/app/shell.test.ts answers it); a refused CORS preflight, answered before routing
    // (test/api/rate-limit-everywhere.test.ts); a method that is no operation of its path (405, from the route
    // table itself) and what Node's HTTP parser refuses before any route (test/api/malformed-requests.test.ts).
    const unrouted = [
      "CORS_NOT_ALLOWED",
      "RESPONSE_INVALID",
      "UNREADABLE_FILE",
      "BAD_REFERENCE",
      "INVALID_ADDRESS",
      "CONCURRENT_WRITER",
      "APP_NOT_BUILT",
      "METHOD_NOT_ALLOWED",
      "MALFORMED_REQUEST",
      "HEADERS_TOO_LARGE",
      "REQUEST_TIMEOUT",
    ];
    const unused = Object.keys(PROBLEM_CODES).filter((c) => !used.has(c as ProblemCode));
    expect(unused.sort()).to.deep.equal([...unrouted].sort());
  });

  it("make an answer with a code its route does not declare a 500 RESPONSE_INVALID when replies are checked", async function () {
    const pass: RequestHandler = (_req, _res, next) => next();
    const app = express();
    const router = express.Router();
    const route = (path: string, problems: ProblemCode[]) =>
      defineRoute({
        method: "get",
        path,
        operationId: path.slice(1),
        summary: "answers a 409 BATCH_STATE",
        tags: ["test"],
        responses: { 200: { description: "never" } },
        problems,
        handler: () => Promise.reject(new HttpProblem(409, "BATCH_STATE", "Conflict", "the batch is confirmed")),
      });
    mountRoutes(router, [route("/undeclared", []), route("/declared", ["BATCH_STATE"])], {
      authenticate: () => Promise.resolve({ address: "" }),
      limiters: { auth: pass, write: pass, read: pass },
      bodyParsers: [],
      validateResponses: true,
    });
    app.use(router);
    app.use(errorMiddleware(pino({ level: "silent" })));
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = () => true; // the check's report of the undeclared code
    try {
      const undeclared = await request(app).get("/undeclared").expect(500);
      expect(undeclared.body).to.include({ code: "RESPONSE_INVALID" });
      expect(undeclared.body.errors).to.deep.equal([
        { pointer: "/code", detail: "BATCH_STATE is not among the route's problem codes" },
      ]);
    } finally {
      process.stderr.write = write;
    }
    expect((await request(app).get("/declared").expect(409)).body).to.include({ code: "BATCH_STATE" });
  });
});
