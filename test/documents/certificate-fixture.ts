/**
 * The chain reads a certificate is built from, answered from a fixed verification (a retirement as the chain reads
 * gave it, test/documents/fixtures/) and a registry whose admin the register names "Registry Operator Ltd" (or
 * nobody, with `operatorName: null`).
 */
import { readFileSync } from "node:fs";

import { retirementVerificationSchema } from "../../api/src/responses.ts";
import type { ChainReads } from "../../core/chain/reads.ts";

export const ADMIN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
export const OPERATOR_NAME = "Registry Operator Ltd";

export const verificationFixture = (name: string) =>
  retirementVerificationSchema.parse(
    JSON.parse(readFileSync(new URL(`./fixtures/${name}.verification.json`, import.meta.url), "utf8")),
  );

export function certificateReads(
  verification: unknown,
  options: { operatorName?: string | null | undefined } = {},
): ChainReads {
  const operatorName = options.operatorName === undefined ? OPERATOR_NAME : options.operatorName;
  return {
    verifyRetirement: () => Promise.resolve(verification),
    cache: {
      refresh: () => Promise.resolve(0),
      get: <T>(_key: string, load: () => Promise<T>) => load(),
    },
    chain: {
      registry: {
        eip712Domain: () => Promise.resolve({ name: "I-TEC Registry", version: "2" }),
        defaultAdmin: () => Promise.resolve(ADMIN),
        participant: () =>
          Promise.resolve(operatorName === null ? { kind: 0n, name: "" } : { kind: 4n, name: operatorName }),
      },
    },
  } as unknown as ChainReads;
}
