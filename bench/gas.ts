/**
 * `npm run bench:gas`: gas per registry operation on Hardhat's simulated Cancun chain; prints a table and writes
 * bench/results/gas.json (a flat object: operation → gas used).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { network } from "hardhat";

import { GAS_TARGETS, measureGas } from "./gas-ops.ts";

const gas = await measureGas(await network.create());
console.log("operation                        gas      target");
for (const [k, v] of Object.entries(gas)) {
  const t = GAS_TARGETS[k];
  console.log(`${k.padEnd(32)} ${String(v).padStart(7)}  ${t ? `≤ ${t} ${v <= t ? "ok" : "MISSED"}` : ""}`);
}
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/gas.json", JSON.stringify(gas, null, 2) + "\n");
console.log("wrote bench/results/gas.json");
