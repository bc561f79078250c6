/**
 * The one configuration module (core/config.ts): every environment variable the entry points read is defined and
 * validated there, nothing else reads `process.env`, a bad value of any group stops each entry point with one line
 * naming the variable and a fix (no stack trace), and docs/operations.md's table of variables is the module's.
 * Refresh the table deliberately with `ITEC_UPDATE_SNAPSHOTS=1 npx hardhat test mocha test/runtime/config.test.ts`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import {
  ConfigError,
  environmentTable,
  READERS,
  readApiEnv,
  readCliEnv,
  readOracleEnv,
  readServeEnv,
  readStartEnv,
  VARIABLES,
} from "../../core/config.ts";

const DOC = "docs/operations.md";
const BEGIN = "<!-- environment-variables:begin -->";
const END = "<!-- environment-variables:end -->";
const HEADER = ["variable", "read by", "default", "what it is for"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** The rows of the markdown table between the markers, cells trimmed (Prettier's alignment does not matter). */
function documentedRows(text: string): string[][] {
  const section = text.slice(text.indexOf(BEGIN) + BEGIN.length, text.indexOf(END));
  return section
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, "|")),
    );
}

function renderTable(rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(HEADER), `| ${HEADER.map(() => "---").join(" | ")} |`, ...rows.map(line)].join("\n");
}

/** A minimal valid environment for the services (a bad value is then the only problem). */
const SERVE_ENV = { ITEC_REGISTRY_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };

describe("configuration (core/config.ts)", function () {
  describe("environmentTable", function () {
    it("is the table in docs/operations.md", function () {
      const text = readFileSync(DOC, "utf8");
      expect(text).to.include(BEGIN).and.include(END);
      const rows = environmentTable();
      if (process.env.ITEC_UPDATE_SNAPSHOTS === "1") {
        const updated = `${text.slice(0, text.indexOf(BEGIN) + BEGIN.length)}\n\n${renderTable(rows)}\n\n${text.slice(text.indexOf(END))}`;
        writeFileSync(DOC, updated);
        spawnSync(process.execPath, ["node_modules/prettier/bin/prettier.cjs", "--write", DOC]);
      }
      expect(documentedRows(readFileSync(DOC, "utf8"))).to.deep.equal([HEADER, ...rows]);
    });

    it("lists every variable some entry point reads, and no other", function () {
      const read = new Set(Object.values(READERS).flatMap((schema) => Object.keys(schema.shape)));
      expect([...read].sort()).to.deep.equal(Object.keys(VARIABLES).sort());
    });
  });

  describe("the environment is read only there", function () {
    it("no module of the run time reads process.env (core/config.ts hands out typed configuration)", function () {
      const readers = ["scripts", "api/src", "indexer", "core", "oracle/src"]
        .flatMap(sources)
        .filter((file) => file !== join("core", "config.ts"))
        .flatMap((file) =>
          readFileSync(file, "utf8")
            .split("\n")
            .map((line, i) => ({ at: `${file}:${i + 1}`, line: line.trim() }))
            .filter(({ line }) => !/^(\*|\/\/|\/\*)/.test(line)) // comments
            // what npm start hands to hardhat.config.ts is a write, not a read
            .filter(({ line }) => /process\.env\b/.test(line) && !/process\.env\.\w+ = /.test(line)),
        );
      expect(readers.map((r) => `${r.at}: ${r.line}`)).to.deep.equal([]);
    });
  });

  describe("readEnv", function () {
    const cases: { group: string; read: (env: NodeJS.ProcessEnv) => unknown; env: Record<string, string> }[] = [
      { group: "oracle", read: readOracleEnv, env: { ...SERVE_ENV, ITEC_POLL_MS: "abc" } },
      { group: "API", read: readApiEnv, env: { ...SERVE_ENV, ITEC_API_PORT: "70000" } },
      { group: "itec serve (index)", read: readServeEnv, env: { ...SERVE_ENV, ITEC_INDEX_POLL_MS: "abc" } },
      { group: "npm start", read: readStartEnv, env: { ITEC_DEMO_STOP_AFTER: "9" } },
      { group: "CLI", read: readCliEnv, env: { ITEC_API_URL: "127.0.0.1:8080" } },
    ];
    for (const { group, read, env } of cases) {
      it(`a bad value of the ${group} group: one line naming the variable, the value and a fix`, function () {
        const [name, value] = Object.entries(env).at(-1)!;
        expect(() => read(env))
          .to.throw(ConfigError)
          .with.property("message")
          .that.matches(new RegExp(`^invalid configuration — ${name}: [^\\n]+, got "${value}" \\(e\\.g\\. ${name}=`));
      });
    }

    it("names a missing required variable, and every bad one in the same line", function () {
      expect(() => readServeEnv({ ITEC_INDEX_POLL_MS: "10" })).to.throw(
        ConfigError,
        /^invalid configuration — ITEC_REGISTRY_ADDRESS: required, not set \(e\.g\. ITEC_REGISTRY_ADDRESS=0x[0-9a-fA-F]{40}\); ITEC_INDEX_POLL_MS: expected at least 50, got "10"/,
      );
    });

    it("never echoes a secret", function () {
      const secret = "postgres-password-in-a-url";
      let message = "";
      try {
        readServeEnv({ ...SERVE_ENV, DATABASE_URL: `mysql://itec:${secret}@db/itec`, ITEC_SESSION_SECRET: secret });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).to.include("DATABASE_URL: expected a postgres:// or postgresql:// URL, got a value not shown");
      expect(message).to.include("ITEC_SESSION_SECRET: expected at least 32 bytes of hex, got a value not shown");
      expect(message).not.to.include(secret);
    });

    it("gives npm start its own polling defaults and none of the variables it sets itself", function () {
      const env = readStartEnv({ ITEC_RPC_URL: "not a url", ITEC_API_PORT: "x", ITEC_DB_PATH: "" });
      expect(env).to.include({ ITEC_POLL_MS: 250, ITEC_HEAD_POLL_MS: 1000, ITEC_INDEX_POLL_MS: 1000 });
      expect(env).not.to.have.any.keys("ITEC_RPC_URL", "ITEC_API_PORT", "ITEC_DB_PATH");
    });
  });

  describe("each entry point stops on a bad value with that one line (exit 1, no stack trace)", function () {
    this.timeout(60_000);
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), "itec-config-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    const clean = () =>
      Object.fromEntries(
        Object.entries(process.env).filter(
          ([k, v]) => !k.startsWith("ITEC_") && k !== "DATABASE_URL" && v !== undefined,
        ),
      ) as Record<string, string>;
    const run = (args: string[], env: Record<string, string>) =>
      spawnSync(process.execPath, args, { encoding: "utf8", env: { ...clean(), ...env }, timeout: 30_000 });

    const cases: { entry: string; args: () => string[]; env: Record<string, string>; name: string }[] = [
      {
        entry: "npm start",
        args: () => ["scripts/start.ts", "--data-dir", join(dir, "start"), "--port", "1", "--rpc-port", "2"],
        env: { ITEC_INDEX_POLL_MS: "abc" },
        name: "ITEC_INDEX_POLL_MS",
      },
      {
        entry: "npm start",
        args: () => ["scripts/start.ts", "--data-dir", join(dir, "start"), "--port", "1", "--rpc-port", "2"],
        env: { ITEC_PUBLIC_URL: "registry.example" },
        name: "ITEC_PUBLIC_URL",
      },
      {
        entry: "itec serve",
        args: () => ["bin/itec.js", "serve"],
        env: { ...SERVE_ENV, ITEC_INDEX_POLL_MS: "abc" },
        name: "ITEC_INDEX_POLL_MS",
      },
      {
        entry: "itec serve",
        args: () => ["bin/itec.js", "serve"],
        env: { ...SERVE_ENV, ITEC_HEAD_POLL_MS: "fast" },
        name: "ITEC_HEAD_POLL_MS",
      },
      {
        entry: "itec oracle run",
        args: () => ["bin/itec.js", "oracle", "run"],
        env: { ...SERVE_ENV, ITEC_CONFIRMATIONS: "0" },
        name: "ITEC_CONFIRMATIONS",
      },
      {
        entry: "itec (CLI)",
        args: () => ["bin/itec.js", "participant", "list"],
        env: { ITEC_API_URL: "127.0.0.1:8080" },
        name: "ITEC_API_URL",
      },
    ];
    for (const { entry, args, env, name } of cases) {
      it(`${entry}: ${name}=${Object.values(env).at(-1)}`, function () {
        const r = run(args(), env);
        const prefix = entry === "npm start" ? "npm start" : "itec";
        expect(r.status, r.stderr).to.equal(1);
        expect(r.stderr).to.match(new RegExp(`^${prefix}: invalid configuration — ${name}: [^\\n]+\\n$`));
        expect(r.stdout).to.equal("");
      });
    }
  });
});
