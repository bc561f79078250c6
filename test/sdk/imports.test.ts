/**
 * The SDK is self-contained (ADR 0005's bottom layer): nothing in sdk/src imports a file outside sdk/src, and the
 * only packages it imports are its declared dependencies (sdk/package.json), so the packed SDK installs and runs
 * with nothing else. The lint rule enforces the same on every change; this checks the package as shipped.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

import { expect } from "chai";
import ts from "typescript";

const SRC = resolve("sdk", "src");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

/** Every module specifier of a file: static and type imports, re-exports, dynamic imports. */
function specifiers(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((f) => f.fileName);
}

/** `ethers` of `ethers/lib/x`, `@scope/name` of `@scope/name/x`. */
const packageName = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

describe("SDK package boundary (sdk/src)", function () {
  const dependencies = Object.keys(
    (JSON.parse(readFileSync(resolve("sdk", "package.json"), "utf8")) as { dependencies: Record<string, string> })
      .dependencies,
  );

  it("imports no file outside sdk/src and no package but its declared dependencies", function () {
    const files = sources(SRC);
    expect(files.length).to.be.greaterThan(10);
    const outside: string[] = [];
    for (const file of files) {
      for (const specifier of specifiers(file)) {
        const where = `${relative(resolve("."), file)}: ${specifier}`;
        if (specifier.startsWith(".")) {
          const target = resolve(dirname(file), specifier);
          if (!target.startsWith(SRC + sep)) outside.push(where);
        } else if (!dependencies.includes(packageName(specifier))) {
          outside.push(where);
        }
      }
    }
    expect(outside).to.deep.equal([]);
    expect(dependencies).to.deep.equal(["ethers"]);
  });

  it("finds every kind of import (the scan itself)", function () {
    const probe = [
      'import { a } from "../../core/x.ts";',
      'import type { B } from "zod";',
      'export * from "./ok.ts";',
      'const m = await import("node:fs");',
      "import {\n  c,\n  d,\n} from '@scope/pkg/sub';",
    ].join("\n");
    const found = ts.preProcessFile(probe, true, true).importedFiles.map((f) => f.fileName);
    expect(found).to.have.members(["../../core/x.ts", "zod", "./ok.ts", "node:fs", "@scope/pkg/sub"]);
    expect(packageName("@scope/pkg/sub")).to.equal("@scope/pkg");
  });
});
