/**
 * `itec participant admit|rename|suspend|reinstate|show|list` — the registry admin's participant register: each
 * participant is admitted under its organisation's name, which certificates, reports and the verify page print.
 * Changes are unsigned transactions from the API, signed in the admin's own wallet; reads come from the API
 * (standing from the chain, listings from the event index).
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
  /** The organisation name on the ledger (null / absent when not admitted). */
  name?: string | null;
  hasCode?: boolean;
  roles?: { admin: boolean; auditor: boolean; issuer: boolean };
  accreditation?: {
    bodyId: number;
    body: string;
    categories: string[];
    validFrom: string;
    validUntil: string;
  } | null;
}

const NAME_HELP = 'organisation name on the ledger (1-200 bytes; no " \\ < > & or control characters)';

export function registerParticipant(program: Command): void {
  const participant = group(program, "participant", "admit, rename, suspend, reinstate and list participants (admin)");

  withSigner(
    participant
      .command("admit")
      .description("admit an account as a participant, under its organisation's name (registry admin)")
      .argument("<address>", "the account to admit", parseAddress)
      .addOption(new Option("--kind <kind>", "participant kind").choices(KINDS).makeOptionMandatory())
      .requiredOption("--name <name>", NAME_HELP),
  ).action(
    action(async (account: string, o: SignerOptions & { kind: string; name: string }) =>
      transact(o, (s) => s.api.post<UnsignedTx>("/admin/participants", { account, kind: o.kind, name: o.name }), {
        action: "admit",
        account,
        kind: o.kind,
        name: o.name,
      }),
    ),
  );

  withSigner(
    participant
      .command("rename")
      .description("change a participant's organisation name on the ledger (registry admin)")
      .argument("<address>", "the participant", parseAddress)
      .requiredOption("--name <name>", NAME_HELP),
  ).action(
    action(async (account: string, o: SignerOptions & { name: string }) =>
      transact(o, (s) => s.api.request<UnsignedTx>("PUT", `/admin/participants/${account}/name`, { name: o.name }), {
        action: "rename",
        account,
        name: o.name,
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
      .description("an account's standing, organisation name, roles and accreditation, read from the chain")
      .argument("<address>", "the account", parseAddress),
  ).action(
    action(async (account: string, o: ApiOptions) => {
      const p = await new ApiClient(o.api).get<Participant>(`/participants/${account}`);
      const roles = Object.entries(p.roles ?? {})
        .filter(([, has]) => has)
        .map(([r]) => r);
      const a = p.accreditation;
      print(o, p, () => [
        `${p.account}: ${p.status === "none" ? "not a participant" : `${p.status} ${p.kind}`}` +
          (p.name ? ` "${p.name}"` : "") +
          (roles.length ? ` · roles: ${roles.join(", ")}` : "") +
          (p.hasCode ? " · contract account" : ""),
        ...(a
          ? [
              `  accredited for auditing body #${a.bodyId} "${a.body}": ${a.categories.join(", ")}, ` +
                `${a.validFrom.slice(0, 10)} to ${a.validUntil.slice(0, 10)}`,
            ]
          : []),
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
              ["account", "kind", "status", "name"],
              res.participants.map((p) => [String(p.account), String(p.kind), String(p.status), p.name ?? ""]),
            )),
        indexNote(res.index),
      ]);
    }),
  );
}
