/**
 * `itec retirement certificate <id>` and `itec report scope3` — the two documents, built from the chain (never
 * from the registry's database): the RPC URL and registry address come from flags, the environment, or the
 * `.itec/deployment.json` that `npm start` writes.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

import type { Command } from "commander";
import { getAddress, isAddress } from "ethers";

import { ChainClient } from "../../core/chain/client.ts";
import { chainScanClaimSource, fromIndex, type ClaimSource } from "../../core/claims/sources.ts";
import { HeadCache } from "../../core/chain/head-cache.ts";
import { ChainReads } from "../../core/chain/reads.ts";
import { readCliEnv } from "../../core/config.ts";
import { httpBaseUrl } from "../../core/documents/links.ts";
import { ApiClient } from "../../sdk/src/api-client.ts";

/** The documents' code (pdfkit, resvg, the reference table) loads only when a document command runs. */
const reports = () => import("../../core/documents/index.ts");

interface ChainOptions {
  rpc?: string;
  registry?: string;
  dataDir: string;
}

/** Chain-only reads for a command: the registry from flags, ITEC_* variables or the embedded deployment. */
export async function connectReads(o: ChainOptions): Promise<{ reads: ChainReads; rpcUrl: string; close: () => void }> {
  const deploymentFile = `${o.dataDir}/deployment.json`;
  const deployment = existsSync(deploymentFile)
    ? (JSON.parse(readFileSync(deploymentFile, "utf8")) as { registry: string; deployBlock: number })
    : undefined;
  const env = readCliEnv();
  const rpcUrl = o.rpc ?? env.ITEC_RPC_URL;
  const registry = o.registry ?? env.ITEC_REGISTRY_ADDRESS ?? deployment?.registry;
  if (!registry || !isAddress(registry)) {
    throw new Error("no registry address: pass --registry, set ITEC_REGISTRY_ADDRESS, or run npm start first");
  }
  let chain: ChainClient;
  try {
    chain = await ChainClient.connect({ rpcUrl, registryAddress: getAddress(registry) });
  } catch {
    throw new Error(`the chain at ${rpcUrl} is unreachable`);
  }
  const cache = new HeadCache(chain.provider);
  await cache.refresh();
  return {
    reads: new ChainReads(chain, cache, registry === deployment?.registry ? deployment.deployBlock : 0),
    rpcUrl,
    close: () => chain.provider.destroy(),
  };
}

/** The public URL given for the verify link: --public-url, else ITEC_PUBLIC_URL (refused unless http(s)). */
function givenPublicUrl(o: { publicUrl?: string }): { url: string; source: "given" } | undefined {
  const [raw, name] =
    o.publicUrl !== undefined ? [o.publicUrl, "--public-url"] : [readCliEnv().ITEC_PUBLIC_URL, "ITEC_PUBLIC_URL"];
  if (raw === undefined || raw === "") return undefined;
  const url = httpBaseUrl(raw);
  if (url === null)
    throw new Error(`${name} must be an http(s) base URL such as https://registry.example, got '${raw}'`);
  return { url, source: "given" };
}

/**
 * The base URL the registry contract declares for the retirement's batch; undefined when it declares none (or the
 * retirement does not exist: the certificate's own read then says so).
 */
async function declaredPublicUrl(
  reads: ChainReads,
  id: bigint,
): Promise<{ url: string; source: "on-chain" } | undefined> {
  const { registryBaseUrlOnChain } = await reports();
  const batchId = await reads
    .verifyRetirement(id)
    .then((v) => BigInt(v.batch.batchId))
    .catch(() => undefined);
  const url = batchId === undefined ? null : await registryBaseUrlOnChain(reads, batchId);
  return url === null ? undefined : { url, source: "on-chain" };
}

/**
 * Candidates from a registry API's event index (GET /claims/candidates and /claims/registered): this process still
 * verifies each on its own chain node and re-reads every participant there.
 */
function apiClaimSource(api: ApiClient): ClaimSource {
  return {
    kind: "index",
    candidates: async (account, nameKey) => {
      const query = new URLSearchParams({ account, ...(nameKey ? { nameKey } : {}) });
      const answer = await api.request<{
        candidates: { retirementId: string; batchId: string; batchBlock: number | null }[];
        index: { lastBlock: number | null };
      }>("GET", `/claims/candidates?${query.toString()}`);
      return { candidates: answer.candidates.map(fromIndex), indexedToBlock: answer.index.lastBlock };
    },
    namedAccounts: async (keys) => {
      const answers = await Promise.all(
        keys.map((key) =>
          api.request<{ participants: { account: string }[] }>(
            "GET",
            `/claims/registered?${new URLSearchParams({ key }).toString()}`,
          ),
        ),
      );
      return [...new Set(answers.flatMap((a) => a.participants.map((p) => p.account)))];
    },
  };
}

const chainFlags = (cmd: Command) =>
  cmd
    .option("--rpc <url>", "JSON-RPC URL of the chain (default ITEC_RPC_URL or http://127.0.0.1:8545)")
    .option("--registry <address>", "registry contract (default ITEC_REGISTRY_ADDRESS or .itec/deployment.json)")
    .option("--data-dir <dir>", "npm start's data directory", ".itec");

export function registerDocuments(program: Command): void {
  const retirement = program.command("retirement").description("retirement documents");
  chainFlags(
    retirement
      .command("certificate <id>")
      .description("render a retirement certificate from on-chain data (PDF and/or HTML)")
      .option("--pdf <file>", "write the one-page PDF here")
      .option("--html <file>", "write the HTML here")
      .option(
        "--public-url <url>",
        "the registry's public base URL, for the verify link (default ITEC_PUBLIC_URL, else the base URL the " +
          "registry contract declares on-chain; else no link)",
      )
      .option("--json", "print the certificate's content as JSON"),
  ).action(
    async (id: string, o: ChainOptions & { pdf?: string; html?: string; json?: boolean; publicUrl?: string }) => {
      if (!/^[1-9][0-9]*$/.test(id)) throw new Error(`retirement id must be a positive integer, got '${id}'`);
      const { certificateHtml, certificatePdf, retirementCertificate } = await reports();
      const given = givenPublicUrl(o);
      const { reads, rpcUrl, close } = await connectReads(o);
      try {
        const base = given ?? (await declaredPublicUrl(reads, BigInt(id)));
        const model = await retirementCertificate(reads, BigInt(id), { verifyBaseUrl: base?.url ?? null, rpcUrl });
        if (o.pdf) writeFileSync(o.pdf, await certificatePdf(model));
        if (o.html) writeFileSync(o.html, certificateHtml(model));
        if (o.json) {
          process.stdout.write(JSON.stringify(model, null, 2) + "\n");
        } else {
          process.stdout.write(
            `retirement #${model.retirementId}: ${model.claim.amount} I-TEC for ${model.claim.beneficiaryName} — ` +
              `${model.totals.reductionKgClaimed} kgCO2e, ${model.verified ? "verified on-chain" : "CHECKS FAILED"}\n` +
              (o.pdf ? `PDF: ${o.pdf}\n` : "") +
              (o.html ? `HTML: ${o.html}\n` : "") +
              (model.howToVerify.url
                ? `verify: ${model.howToVerify.url}${base?.source === "on-chain" ? " (the registry's base URL declared on-chain)" : ""}\n`
                : `no verify link: the registry's public URL is unknown (pass --public-url or set ITEC_PUBLIC_URL); ` +
                  `from the chain alone: itec verify retirement ${model.retirementId}\n`),
          );
        }
        if (!model.verified) process.exitCode = 1;
      } finally {
        close();
      }
    },
  );

  const report = program.command("report").description("reports");
  chainFlags(
    report
      .command("scope3")
      .description("Scope 3 certificate-adjusted IT procurement intensity for an account and year")
      .requiredOption("--account <address>", "the corporate's account (beneficiary or retiring account)")
      .requiredOption("--year <YYYY>", "reporting year")
      .requiredOption(
        "--inventory <file>",
        "procurement inventory, CSV or JSON (by .csv/.json, else by content): " +
          "year,category,devices,pcf_kg_per_device,manufacturer,model[,scope3_category]",
      )
      .option("--out <prefix>", "write <prefix>.json, .csv, .html, .pdf, .svg and .png")
      .option(
        "--api [url]",
        "find the retirements through this registry API's event index (default ITEC_API_URL), each then verified " +
          "on the chain; without --api, by a scan of the chain (every retirement: slow on a large registry)",
      )
      .option("--json", "print the report as JSON"),
  ).action(
    async (
      o: ChainOptions & {
        account: string;
        year: string;
        inventory: string;
        out?: string;
        json?: boolean;
        api?: string | boolean;
      },
    ) => {
      if (!isAddress(o.account)) throw new Error(`--account is not an address: ${String(o.account)}`);
      const { parseInventory, scope3ChartSvg, scope3Csv, scope3ForAccount, scope3Html, scope3Pdf, svgToPng } =
        await reports();
      const { loadReferenceTable } = await import("../../core/calc/reference-file.ts");
      if (!/^\d{4}$/.test(o.year)) throw new Error(`--year must be YYYY, got '${o.year}'`);
      let text: string;
      try {
        text = readFileSync(o.inventory, "utf8");
      } catch {
        throw new Error(`cannot read inventory ${o.inventory}`);
      }
      const inventory = parseInventory(text, Number(o.year), o.inventory);
      const { reads, close } = await connectReads(o);
      const apiUrl =
        o.api === undefined || o.api === false ? undefined : o.api === true ? readCliEnv().ITEC_API_URL : o.api;
      const source = apiUrl === undefined ? chainScanClaimSource(reads) : apiClaimSource(new ApiClient(apiUrl));
      try {
        const r = await scope3ForAccount(
          reads,
          { account: getAddress(o.account), reportingYear: Number(o.year), inventory, reference: loadReferenceTable() },
          source,
        );
        if (o.out) {
          const svg = scope3ChartSvg(r);
          writeFileSync(`${o.out}.json`, JSON.stringify(r, null, 2) + "\n");
          writeFileSync(`${o.out}.csv`, scope3Csv(r));
          writeFileSync(`${o.out}.html`, scope3Html(r, svg));
          writeFileSync(`${o.out}.pdf`, await scope3Pdf(r));
          writeFileSync(`${o.out}.svg`, svg);
          writeFileSync(`${o.out}.png`, await svgToPng(svg));
        }
        // Warnings go to stderr, so that --json output stays one JSON document.
        for (const note of r.notes) process.stderr.write(`warning: ${note}\n`);
        if (o.json) {
          process.stdout.write(JSON.stringify(r, null, 2) + "\n");
          return;
        }
        const t = r.current.totals;
        const split = r.current.scope3Subtotals.length > 0;
        const line = (
          label: string,
          c: {
            devices: number;
            inventoryIntensityKgPerDevice: string;
            adjustedIntensityKgPerDevice: string;
            certificatesApplied: number;
          },
        ) =>
          `${label.padEnd(split ? 18 : 12)} ${String(c.devices).padStart(7)} ${c.inventoryIntensityKgPerDevice.padStart(20)} ${c.adjustedIntensityKgPerDevice.padStart(19)} ${String(c.certificatesApplied).padStart(15)}\n`;
        const at = r.readAt;
        process.stdout.write(
          `Scope 3 IT procurement ${r.reportingYear} for ${r.accountName ? `${r.accountName} (${r.account})` : r.account}\n` +
            `read from chain ${at.chainId}, registry ${at.registry}, at block ${at.block}; retirements found ` +
            (at.indexedToBlock === null
              ? "by a scan of the chain\n"
              : `through the event index of ${apiUrl} (indexed to block ${at.indexedToBlock}), each verified on the chain\n`) +
            `${"category".padEnd(split ? 18 : 12)} devices  inventory kg/device  adjusted kg/device  I-TECs applied\n` +
            r.current.categories
              .map((c) => line(c.scope3Category === null ? c.category : `${c.category} (cat. ${c.scope3Category})`, c))
              .join("") +
            r.current.scope3Subtotals.map((s) => line(`Scope 3 cat. ${s.scope3Category}`, s)).join("") +
            line("total", t) +
            (split ? "Scope 3 cat. 1 = purchased goods and services, 2 = capital goods\n" : "") +
            (r.current.unapplied.length
              ? `not applied: ${r.current.unapplied.map((u) => `#${u.retirementId} ${u.reason}`).join(", ")}\n`
              : "") +
            (r.notes.length ? `${r.notes.length} warning(s) on stderr: category defaults used\n` : "") +
            (o.out ? `written: ${o.out}.{json,csv,html,pdf,svg,png}\n` : ""),
        );
      } finally {
        close();
      }
    },
  );
}
