/** Wire schemas shared by routes: uint256 and decimals are strings, addresses checksummed, times ISO-8601 UTC. */
import { getAddress, isAddress } from "ethers";
import { z } from "zod";

export const address = z
  .string()
  .refine((v) => isAddress(v), "expected a 0x-prefixed 20-byte Ethereum address")
  .transform((v) => getAddress(v))
  .meta({
    id: "Address",
    description: "Ethereum address (EIP-55 checksummed on output)",
    example: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  });

export const uintString = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,77})$/, "expected a non-negative integer as a decimal string")
  .meta({ id: "UintString", description: "uint256 as a decimal string", example: "12" });

export const positiveId = z
  .string()
  .regex(/^[1-9][0-9]{0,18}$/, "expected a positive integer id")
  .transform((v) => BigInt(v));

export const hash32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 0x-prefixed 32-byte hex value");
export const hexData = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, "expected 0x-prefixed hex bytes");

export const lotId = z.string().regex(/^L[1-9][0-9]{0,9}$/, "expected a lot id like L12");
export const batchJobId = z
  .string()
  .regex(
    /^L[1-9][0-9]{0,9}-(laptop|desktop|monitor|smartphone|tablet|server)$/,
    "expected a batch job id like L12-laptop",
  );

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD");

export const paging = {
  limit: z.coerce.number().int().min(1).max(500).default(100).describe("page size (1–500)"),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0).describe("rows to skip"),
};

export const unsignedTxSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    data: z.string(),
    value: z.literal("0"),
    chainId: z.string(),
    gasPrice: z.string().optional(),
    gasLimit: z.string(),
    description: z.string(),
  })
  .meta({ id: "UnsignedTransaction", description: "Sign this with the `from` wallet, then POST it to /tx/relay" });

export const indexStatusSchema = z
  .object({ lastBlock: z.number().int().nullable(), head: z.number().int(), lagBlocks: z.number().int().nullable() })
  .meta({ id: "IndexStatus", description: "How far the listing index has caught up with the chain" });
