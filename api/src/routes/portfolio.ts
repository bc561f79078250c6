/**
 * What a holder's screens read (issue 15 §2): every batch an account holds with the batch's figures in one answer
 * (the web app's portfolio of 1,000 batches is one request and one index query, not a request per batch), and
 * whether an operator may move its certificates (ERC-1155 isApprovedForAll, read from the chain).
 */
import { z } from "zod";

import { gramsToKg } from "../../../sdk/src/units.ts";
import { requireIndex, type AppDeps } from "../deps.ts";
import { indexedBatchSchema } from "../index-responses.ts";
import { HttpProblem } from "../problem.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { checksumAddress, kgDecimal } from "../responses.ts";
import { address, indexStatusSchema, uintString } from "../schemas.ts";

const ACCOUNT = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";
const BROKER = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";

export const portfolioEntrySchema = indexedBatchSchema
  .pick({
    batchId: true,
    category: true,
    status: true,
    hold: true,
    issued: true,
    retired: true,
    outstanding: true,
    baselineGrams: true,
    reductionGrams: true,
    vintageStart: true,
    vintageEnd: true,
    methodology: true,
    owner: true,
    ownerName: true,
  })
  .extend({
    held: uintString.describe(
      "certificates of this batch the account holds (for a reversed batch: what it held when the batch was " +
        "reversed; those certificates are void and read 0 on-chain)",
    ),
    baselineKgPerDevice: kgDecimal.describe("B̄: baseline per device"),
    reductionKgPerDevice: kgDecimal.describe("V̄: verified reduction per device"),
    certifiedIntensityKgPerDevice: kgDecimal.describe("B̄ − V̄: certified intensity per device"),
  })
  .meta({ id: "PortfolioEntry" });

export const portfolioSchema = z
  .object({
    account: checksumAddress,
    batches: z.array(portfolioEntrySchema).describe("every batch held, ascending batch id"),
    totals: z.object({
      batches: z.number().int().min(0),
      held: uintString.describe("certificates held in batches that are not reversed"),
      usable: uintString.describe("certificates held in active batches (transferable and retirable now)"),
    }),
    index: indexStatusSchema,
  })
  .meta({ id: "Portfolio" });

export const operatorApprovalSchema = z
  .object({
    account: checksumAddress,
    operator: checksumAddress,
    approved: z.boolean().describe("the operator may transfer and retire the account's certificates"),
    blockNumber: z.number().int().min(0).describe("the block the chain answered at"),
  })
  .meta({ id: "OperatorApproval" });

const portfolioExample = {
  account: ACCOUNT,
  batches: [
    {
      batchId: "1",
      category: "laptop",
      status: "active",
      hold: { adminSuspended: false, openChallenges: 0 },
      issued: "12",
      retired: "5",
      outstanding: "7",
      baselineGrams: "194660",
      reductionGrams: "47959",
      vintageStart: "2025-11-15",
      vintageEnd: "2025-11-18",
      methodology: "ITEC-CALC 1.0",
      owner: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
      ownerName: "Refurb Co",
      held: "2",
      baselineKgPerDevice: "194.660",
      reductionKgPerDevice: "47.959",
      certifiedIntensityKgPerDevice: "146.701",
    },
  ],
  totals: { batches: 1, held: "2", usable: "2" },
  index: { lastBlock: 24, head: 24, lagBlocks: 0 },
};

export function portfolioRoutes(deps: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: "get",
      path: "/accounts/:address/portfolio",
      operationId: "getPortfolio",
      summary: "Every batch an account holds, with the batch's figures and status, and totals (from the index)",
      description:
        "One answer for a whole portfolio: per batch held, the amount held, category, B̄ and V̄ (kgCO2e per " +
        "device), certified intensity, vintage and status (active, suspended, reversed). Amounts are the index's " +
        "as of `index.lastBlock`; GET /accounts/{address}/balances reads them from the chain.",
      tags: ["certificates"],
      limit: "read",
      params: z.object({ address }),
      example: { params: { address: ACCOUNT } },
      responses: { 200: { description: "Portfolio", schema: portfolioSchema, example: portfolioExample } },
      problems: ["INDEX_UNAVAILABLE", "CHAIN_CHANGED"],
      handler: async ({ params }) => {
        const index = requireIndex(deps);
        if (!index.portfolio) {
          throw new HttpProblem(503, "INDEX_UNAVAILABLE", "Service unavailable", "this index cannot list portfolios");
        }
        const rows = await index.portfolio(params.address);
        let held = 0n;
        let usable = 0n;
        const batches = rows.map((b) => {
          const base = BigInt(b.baselineGrams);
          const reduction = BigInt(b.reductionGrams);
          if (b.status !== "reversed") held += BigInt(b.held);
          if (b.status === "active") usable += BigInt(b.held);
          return {
            batchId: b.batchId,
            category: b.category,
            status: b.status,
            hold: b.hold,
            issued: b.issued,
            retired: b.retired,
            outstanding: b.outstanding,
            baselineGrams: b.baselineGrams,
            reductionGrams: b.reductionGrams,
            vintageStart: b.vintageStart,
            vintageEnd: b.vintageEnd,
            methodology: b.methodology,
            owner: b.owner,
            ownerName: b.ownerName,
            held: b.held,
            baselineKgPerDevice: gramsToKg(base),
            reductionKgPerDevice: gramsToKg(reduction),
            certifiedIntensityKgPerDevice: gramsToKg(base - reduction),
          };
        });
        const head = deps.reads.cache.head >= 0 ? deps.reads.cache.head : await deps.reads.cache.refresh();
        const { lastBlock } = await index.status();
        return {
          body: {
            account: params.address,
            batches,
            totals: { batches: batches.length, held: held.toString(), usable: usable.toString() },
            index: { lastBlock, head, lagBlocks: lastBlock === null ? null : Math.max(0, head - lastBlock) },
          },
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/accounts/:address/operators/:operator",
      operationId: "getOperatorApproval",
      summary: "Whether an operator (a broker) may move and retire an account's certificates, read from the chain",
      tags: ["certificates"],
      limit: "read",
      params: z.object({ address, operator: address }),
      example: { params: { address: ACCOUNT, operator: BROKER } },
      responses: {
        200: {
          description: "Approval",
          schema: operatorApprovalSchema,
          example: { account: ACCOUNT, operator: BROKER, approved: false, blockNumber: 24 },
        },
      },
      handler: async ({ params }) => {
        const blockNumber = await deps.reads.cache.refresh();
        const approved = await deps.chain.registry.isApprovedForAll(params.address, params.operator, {
          blockTag: blockNumber,
        });
        return { body: { account: params.address, operator: params.operator, approved, blockNumber } };
      },
    }),
  ];
}
