/**
 * Where the installed package is, and what it is: the folder of its package.json, found by walking up from this
 * module. The same code runs from a clone (oracle/src/runtime/) and from the compiled package
 * (dist/oracle/src/runtime/, ADR 0004), so files the package ships (data/, api/public/) are addressed from the package
 * root, never relative to a module's own location.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

function packageRoot(): URL {
  for (let dir = new URL("./", import.meta.url); ;) {
    if (existsSync(new URL("package.json", dir))) return dir;
    const up = new URL("../", dir);
    if (up.href === dir.href) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The package root as a directory URL (ends in `/`). */
export const PACKAGE_ROOT = packageRoot();

/** An absolute path to a file the package ships, from a path relative to the package root (`data/fonts/`). */
export function packagePath(relative: string): string {
  return fileURLToPath(new URL(relative, PACKAGE_ROOT));
}

/** The package's name and version (package.json). */
export const PACKAGE = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as {
  name: string;
  version: string;
};
