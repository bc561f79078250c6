/**
 * `itec admin external-set register|retire|list` — other schemes' published device sets (docs/adr/0056). The admin
 * registers a set from its list of device ids (a JSON array, or `{ "deviceIds": [...] }`, ids in our form §8.1): the
 * command computes the list's root itself, so what is registered is exactly the list at the source URI; the oracle
 * later fetches that URI and refuses a list that is not the root's. Register and retire go to the register contract
 * (`EXTERNAL_DEVICE_SETS()`), signed and sent by the admin directly (the API relays registry calls only).
 */
import { readFileSync } from "node:fs";

import { InvalidArgumentError, type Command } from "commander";
import type { ContractTransactionResponse } from "ethers";

import { DeviceMerkleTree } from "../../core/calc/merkle.ts";
import { deviceListOf, externalDeviceSetsAt, type ExternalSetRecord } from "../../sdk/src/external-sets.ts";
import { ApiClient } from "../../sdk/src/api-client.ts";
import {
  action,
  group,
  loadKey,
  parseDay,
  parsePositiveInt,
  print,
  refuseDevKeyFor,
  signingProvider,
  table,
  withApi,
  withSigner,
  type ApiOptions,
  type SignerOptions,
} from "./common.ts";

interface ExternalSets {
  register: string;
  sets: ExternalSetRecord[];
}

interface Network {
  chainId: string;
  registry: string;
}

/** The device ids of a list file, and their root. */
function readList(file: string): { ids: string[]; root: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InvalidArgumentError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"}).`);
  }
  const parsed = JSON.parse(text) as unknown;
  const list = Array.isArray(parsed) ? parsed : (parsed as { deviceIds?: unknown } | null)?.deviceIds;
  const ids = Array.isArray(list) ? list.map((id) => String(id).toLowerCase()) : [];
  const treeRoot = (list: readonly string[]) => DeviceMerkleTree.fromIds(list).root;
  const root = ids.every((id) => /^0x[0-9a-f]{64}$/.test(id)) ? treeRoot(ids) : "0x";
  // The same checks as the oracle's (a list of 0x + 64 hex ids whose tree has this root).
  return { ids: deviceListOf(text, root, treeRoot), root };
}

/** Sends `send` with the admin's key to the chain at `--rpc`; answers the receipt's first log of the register. */
async function asAdmin(
  o: SignerOptions,
  send: (sets: ReturnType<typeof externalDeviceSetsAt>, registry: string) => Promise<ContractTransactionResponse>,
) {
  const api = new ApiClient(o.api);
  const [network, listed] = await Promise.all([api.get<Network>("/network"), api.get<ExternalSets>("/external-sets")]);
  const signer = await loadKey(o);
  await refuseDevKeyFor(signer, network.chainId);
  const provider = signingProvider(o.rpc, network.chainId);
  try {
    const sets = externalDeviceSetsAt(listed.register, signer.connect(provider));
    const tx = await send(sets, network.registry);
    const receipt = await tx.wait();
    const log = receipt?.logs.map((l) => sets.interface.parseLog(l)).find((l) => l !== null);
    return { txHash: tx.hash, from: tx.from, event: log };
  } finally {
    provider.destroy();
  }
}

export function registerAdmin(program: Command): void {
  const admin = group(program, "admin", "registry administration: other schemes' device sets (admin)");
  const sets = admin.command("external-set").description("other schemes' published device sets (CLAIMED_ELSEWHERE)");

  withApi(sets.command("list").description("every registered set, active and retired")).action(
    action(async (o: ApiOptions) => {
      const listed = await new ApiClient(o.api).get<ExternalSets>("/external-sets");
      print(o, listed, () => [
        `register ${listed.register}`,
        ...table(
          ["id", "scheme", "active", "as of", "root", "source"],
          listed.sets.map((s) => [
            String(s.setId),
            s.scheme,
            s.active ? "yes" : `no${s.supersededBy === null ? "" : ` (→ ${s.supersededBy})`}`,
            s.asOf.slice(0, 10),
            s.root,
            s.sourceURI,
          ]),
        ),
      ]);
    }),
  );

  withSigner(
    sets
      .command("register")
      .description("register a scheme's published list of device ids (its root is computed from the list)")
      .requiredOption("--scheme <name>", "the scheme's name, as reports and challenges name it")
      .requiredOption("--list <file>", "the list: a JSON array of device ids, or { deviceIds: [...] }")
      .requiredOption("--source-uri <uri>", "where the same list is published (the oracle fetches it)")
      .requiredOption("--as-of <date>", "when the scheme's list was taken (YYYY-MM-DD)", parseDay)
      .option("--supersedes <setId>", "the active set this one replaces (retired in its favour)", parsePositiveInt),
  ).action(
    action(
      async (
        o: SignerOptions & { scheme: string; list: string; sourceUri: string; asOf: string; supersedes?: string },
      ) => {
        const { ids, root } = readList(o.list);
        const asOf = Math.floor(Date.parse(`${o.asOf}T00:00:00Z`) / 1000);
        const sent = await asAdmin(o, (c, registry) =>
          c.getFunction("register")(registry, o.scheme, root, o.sourceUri, asOf, o.supersedes ?? 0),
        );
        const setId = Number(sent.event?.args.setId ?? 0);
        print(o, { setId, scheme: o.scheme, root, devices: ids.length, ...sent, event: undefined }, () => [
          `✓ external device set ${setId} registered: ${o.scheme}, ${ids.length} devices, root ${root}`,
          `  tx ${sent.txHash} (signed by ${sent.from})`,
        ]);
      },
    ),
  );

  withSigner(
    sets
      .command("retire")
      .description("retire an active set (it then excludes and proves nothing)")
      .argument("<setId>", "the set's id", parsePositiveInt)
      .requiredOption("--reason <text>", "why (recorded on-chain in the event)"),
  ).action(
    action(async (setId: string, o: SignerOptions & { reason: string }) => {
      const sent = await asAdmin(o, (c, registry) => c.getFunction("retire")(registry, setId, o.reason));
      print(o, { setId: Number(setId), txHash: sent.txHash, from: sent.from }, () => [
        `✓ external device set ${setId} retired`,
        `  tx ${sent.txHash} (signed by ${sent.from})`,
      ]);
    }),
  );
}
