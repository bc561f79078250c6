/**
 * ADR 0005's layout rules, checked: one concept per file (about 450 lines at most, exceptions named in an ADR), and
 * the import rule between layers, which `npm run lint` enforces with `import-x/no-restricted-paths` — proven here
 * to fire on a violation, so a broken lint configuration cannot pass silently.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LIMIT = 450;
/** Files allowed to be longer, each with the record that says why. */
const EXEMPT: Readonly<Record<string, string>> = {
  "sdk/src/abi.ts": "generated ABI and bytecode (ADR 0004)",
  "sdk/src/market/abi.ts": "generated market ABI and bytecode (scripts/build/market-abi.ts, ADR 0004)",
  "sdk/src/typechain/ITECRegistry.ts": "generated typechain declarations (sdk/scripts/typechain.ts, ADR 0004)",
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "dist") return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

describe("layout (ADR 0005)", function () {
  it("keeps every source file of sdk/, core/, oracle/, indexer/, api/, scripts/ and app/ within ~450 lines", function () {
    const long = ["sdk", "core", "oracle", "indexer", "api/src", "scripts", "app/src"]
      .flatMap((d) => sources(join(ROOT, d)))
      .map((path) => ({ file: relative(ROOT, path), lines: readFileSync(path, "utf8").split("\n").length }))
      .filter((f) => f.lines > LIMIT + 25 && EXEMPT[f.file] === undefined);
    expect(long, "split these by concept, or record why in an ADR and add them to EXEMPT").to.deep.equal([]);
  });

  it("leaves no script under test/output (Hardhat's mocha would load it as a test file)", function () {
    const output = join(ROOT, "test", "output");
    const scripts = existsSync(output)
      ? readdirSync(output, { recursive: true, encoding: "utf8" }).filter((f) => /\.[cm]?[jt]s$/.test(f))
      : [];
    expect(scripts, "tests write scripts outside test/ (e.g. node_modules/.cache)").to.deep.equal([]);
  });

  describe("import rules (eslint import-x/no-restricted-paths)", function () {
    this.timeout(120_000);
    // The probes are not files on disk, so the type-aware rules (which need the TypeScript project) are off for them.
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfig: { ...tseslint.configs.disableTypeChecked, files: ["**/*.ts"] },
    });
    /** Lints `code` as if it were the file at `path`; returns the layer-rule messages. */
    async function layerErrors(path: string, code: string): Promise<string[]> {
      const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
      return result!.messages.filter((m) => m.ruleId === "import-x/no-restricted-paths").map((m) => m.message);
    }
    const cases: [string, string, RegExp | null][] = [
      ["sdk/src/probe.ts", `import "../../core/calc/index.ts";`, /bottom layer/],
      ["core/chain/probe.ts", `import "../../api/src/app.ts";`, /shared domain code/],
      ["core/probe.ts", `import "../oracle/src/index.ts";`, /shared domain code/],
      ["oracle/src/probe.ts", `import "../../indexer/index.ts";`, /oracle service imports only/],
      ["indexer/probe.ts", `import "../scripts/start.ts";`, /indexer imports only/],
      ["api/src/probe.ts", `import "../../oracle/src/store/jobs.ts";`, /through oracle\/src\/index.ts/],
      ["api/src/probe.ts", `import "../../indexer/store.ts";`, /through indexer\/index.ts/],
      ["core/probe.ts", `import "../test/helpers/chain.ts";`, /must not import test/],
      // Allowed: downwards, and a service through its entry module.
      ["core/probe.ts", `import "../sdk/src/enums.ts";`, null],
      ["api/src/probe.ts", `import "../../oracle/src/index.ts";`, null],
      ["scripts/probe.ts", `import "../indexer/index.ts";`, null],
    ];
    for (const [path, code, expected] of cases) {
      it(`${expected ? "refuses" : "allows"} ${code.replace(/import "|";/g, "")} in ${path}`, async function () {
        const errors = await layerErrors(path, code);
        if (expected === null) expect(errors).to.deep.equal([]);
        else expect(errors.join("\n")).to.match(expected);
      });
    }
  });
});
