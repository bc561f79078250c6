/**
 * `npm run bench:gas`: gas per registry operation on Hardhat's simulated Cancun chain; prints a table (with registry
 * v1's figure and the +5 % bound of issue 13 where one applies) and writes bench/results/gas.json (a flat object:
 * operation → gas used).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { network } from "hardhat";

import { GAS_TARGETS, V1_GAS, V1_TOLERANCE, measureGas } from "./gas-ops.ts";

const gas = await measureGas(await network.create());
console.log("operation                        gas        v1   change  bound");
for (const [k, v] of Object.entries(gas)) {
  const v1 = V1_GAS[k];
  const target = GAS_TARGETS[k];
  const change = v1 === undefined ? "" : `${(((v - v1) / v1) * 100).toFixed(1).padStart(5)} %`;
  const bounds = [
    v1 === undefined ? "" : `≤ v1 +${V1_TOLERANCE * 100} % ${v <= v1 * (1 + V1_TOLERANCE) ? "ok" : "MISSED"}`,
    target === undefined ? "" : `≤ ${target} ${v <= target ? "ok" : "MISSED"}`,
  ].filter(Boolean);
  console.log(
    `${k.padEnd(32)} ${String(v).padStart(7)}  ${String(v1 ?? "").padStart(8)}  ${change.padStart(7)}  ${bounds.join(", ")}`,
  );
}
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/gas.json", JSON.stringify(gas, null, 2) + "\n");
console.log("wrote bench/results/gas.json");
