/**
 * `itec participant admit|suspend|reinstate|show|list` — the registry admin's participant register. Changes are
 * unsigned transactions from the API, signed in the admin's own wallet; reads come from the API (standing from
 * the chain, listings from the event index).
 */
import { Option, type Command } from "commander";

import { PARTICIPANT_KIND_VALUES, PARTICIPANT_STATUS_VALUES } from "../../sdk/src/enums.ts";
import { ApiClient, type UnsignedTx } from "../../sdk/src/api-client.ts";
import {
  action,
  group,
  indexNote,
  parseAddress,
  print,
  table,
  transact,
  withApi,
  withSigner,
  type ApiOptions,
  type SignerOptions,
} from "./common.ts";

const KINDS = PARTICIPANT_KIND_VALUES;
const STATUSES = PARTICIPANT_STATUS_VALUES;

interface Participant {
  account: string;
  kind: string;
  status: string;
  hasCode?: boolean;
  roles?: { admin: boolean; auditor: boolean; issuer: boolean };
}

export function registerParticipant(program: Command): void {
  const participant = group(program, "participant", "admit, suspend, reinstate and list participants (admin)");

  withSigner(
    participant
      .command("admit")
      .description("admit an account as a participant (registry admin)")
      .argument("<address>", "the account to admit", parseAddress)
      .addOption(new Option("--kind <kind>", "participant kind").choices(KINDS).makeOptionMandatory()),
  ).action(
    action(async (account: string, o: SignerOptions & { kind: string }) =>
      transact(o, (s) => s.api.post<UnsignedTx>("/admin/participants", { account, kind: o.kind }), {
        action: "admit",
        account,
        kind: o.kind,
      }),
    ),
  );

  for (const verb of ["suspend", "reinstate"] as const) {
    withSigner(
      participant
        .command(verb)
        .description(
          verb === "suspend"
            ? "suspend a participant: it can no longer send, receive or retire certificates (registry admin)"
            : "reinstate a suspended participant (registry admin)",
        )
        .argument("<address>", "the participant", parseAddress)
        .requiredOption("--reason <text>", "why (recorded on-chain in the event)"),
    ).action(
      action(async (account: string, o: SignerOptions & { reason: string }) =>
        transact(o, (s) => s.api.post<UnsignedTx>(`/admin/participants/${account}/${verb}`, { reason: o.reason }), {
          action: verb,
          account,
          reason: o.reason,
        }),
      ),
    );
  }

  withApi(
    participant
      .command("show")
      .description("an account's standing and roles, read from the chain")
      .argument("<address>", "the account", parseAddress),
  ).action(
    action(async (account: string, o: ApiOptions) => {
      const p = await new ApiClient(o.api).get<Participant>(`/participants/${account}`);
      const roles = Object.entries(p.roles ?? {})
        .filter(([, has]) => has)
        .map(([r]) => r);
      print(o, p, () => [
        `${p.account}: ${p.status === "none" ? "not a participant" : `${p.status} ${p.kind}`}` +
          (roles.length ? ` · roles: ${roles.join(", ")}` : "") +
          (p.hasCode ? " · contract account" : ""),
      ]);
    }),
  );

  withApi(
    participant
      .command("list")
      .description("admitted participants (from the API's event index)")
      .addOption(new Option("--status <status>", "only this status").choices(STATUSES))
      .addOption(new Option("--kind <kind>", "only this kind").choices(KINDS)),
  ).action(
    action(async (o: ApiOptions & { status?: string; kind?: string }) => {
      const query = new URLSearchParams({
        ...(o.status ? { status: o.status } : {}),
        ...(o.kind ? { kind: o.kind } : {}),
      });
      const res = await new ApiClient(o.api).get<{
        participants: Participant[];
        index: { lastBlock: number | null; head: number; lagBlocks: number | null };
      }>(`/participants${query.size ? `?${query.toString()}` : ""}`);
      print(o, res, () => [
        ...(res.participants.length === 0
          ? ["no participants match"]
          : table(
              ["account", "kind", "status"],
              res.participants.map((p) => [String(p.account), String(p.kind), String(p.status)]),
            )),
        indexNote(res.index),
      ]);
    }),
  );
}
