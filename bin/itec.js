#!/usr/bin/env node
// Entry of the `itec` command: runs the TypeScript CLI through tsx (no build step).
import { register } from "tsx/esm/api";

register();
await import("../scripts/itec.ts");
