/**
 * The registered external device sets (issue 17 item 3, docs/adr/0056): other schemes' published lists of devices
 * they credited, whose devices the calculation excludes as CLAIMED_ELSEWHERE and whose members prove on-chain that an
 * issued device was claimed elsewhere. A public read of the register the registry's extension deployed, from the
 * chain (no index: the register is small and the chain is the truth).
 */
import { z } from "zod";

import { readExternalSets } from "../../../sdk/src/external-sets.ts";
import type { AppDeps } from "../deps.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";

const externalSetSchema = z
  .object({
    setId: z.number().int().describe("the set's id in the register (from 1)"),
    scheme: z.string().describe("the scheme that published it, as reports and challenges name it"),
    root: z.string().describe("Merkle root over [index, deviceId] leaves (ADR 0015), the ids in our form (§8.1)"),
    sourceURI: z.string().describe("where the list of device ids is published (a JSON array, or { deviceIds })"),
    asOf: z.string().describe("when the scheme's list was taken (ISO-8601 UTC)"),
    registeredAt: z.string().describe("when the admin registered it (ISO-8601 UTC)"),
    retiredAt: z.string().nullable().describe("when it was retired, or null while active"),
    supersededBy: z.number().int().nullable().describe("the set that replaced it, or null"),
    active: z.boolean().describe("active sets exclude devices at calculation and prove challenges"),
  })
  .meta({ id: "ExternalDeviceSet" });

const externalSetsSchema = z
  .object({
    register: z.string().describe("address of the register (the registry's EXTERNAL_DEVICE_SETS())"),
    sets: z.array(externalSetSchema).describe("every set registered for this registry, oldest first"),
  })
  .meta({ id: "ExternalDeviceSets" });

const EXAMPLE_SET = {
  setId: 1,
  scheme: "OEM take-back",
  root: "0x1f825e1404ce2ee9ebcc19eb9d47594bffd642497c14fe6bbde076694a9d58f7",
  sourceURI: "https://oem.example/takeback/2026-q3.json",
  asOf: "2026-09-30T00:00:00.000Z",
  registeredAt: "2026-10-02T09:14:05.000Z",
  retiredAt: null,
  supersededBy: null,
  active: true,
};

export function externalSetRoutes(deps: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: "get",
      path: "/external-sets",
      operationId: "listExternalSets",
      summary: "Other schemes' registered device sets: devices in an active set are excluded as CLAIMED_ELSEWHERE",
      description:
        "The register of external device sets, read from the chain. A device whose id an active set lists is " +
        "excluded at calculation (`CLAIMED_ELSEWHERE`, the report names the set), and a device of an issued batch " +
        "that an active set lists can be proven on-chain with `challengeClaimedElsewhere` (docs/methodology.md, " +
        '"Devices claimed elsewhere"; docs/adr/0056).',
      tags: ["verify"],
      limit: "read",
      responses: {
        200: {
          description: "Every registered set, active and retired",
          schema: externalSetsSchema,
          example: { register: "0x5FbDB2315678afecb367f032d93F642f64180aa3", sets: [EXAMPLE_SET] },
        },
      },
      problems: [],
      handler: async () => {
        const { registry, provider, address } = deps.chain;
        const [register, sets] = await Promise.all([
          registry.EXTERNAL_DEVICE_SETS(),
          readExternalSets(address, provider),
        ]);
        return { body: { register, sets } };
      },
    }),
  ];
}
