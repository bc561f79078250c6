/**
 * The registry admin's participant register (route /admin/participants): every admitted account with its kind,
 * organisation name and standing; admit an account under its organisation's name; rename; suspend or reinstate
 * with a reason. Each action shows the transaction the admin's wallet will sign first (action.ts).
 */
import { PARTICIPANT_KIND_VALUES } from "../../../../sdk/src/enums.ts";
import type { Participant } from "../../../../sdk/src/api-operations.ts";
import type { UnsignedTx } from "../../../../sdk/src/api-client.ts";

import type { AppContext, Screen } from "../../context.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { count, day, shortAddress } from "../../ui/format.ts";
import { actionForm, checkAddress, checkName, checkReason, Refusal } from "./action.ts";
import { rowActions, stackTable } from "./table.ts";

/** A participant as the listing index has it (GET /participants). */
export interface IndexedParticipant {
  account: string;
  name: string;
  kind: string;
  status: "active" | "suspended";
  admittedAt: string;
  updatedAt: string;
}

export const KIND_LABELS: Record<string, string> = {
  refurbisher: "refurbisher",
  itad: "ITAD (IT asset disposition)",
  corporate: "corporate",
  trader: "trader",
};

export const participantsScreen: Screen = {
  path: "/admin/participants",
  title: "Participants",
  nav: "Participants",
  roles: ["admin"],
  async render(ctx) {
    const root = h("div", { class: "admin" });
    const load = async (): Promise<void> => {
      const { participants } = await ctx.api.get<{ participants: IndexedParticipant[] }>("/participants");
      replace(root, register(ctx, participants, reload), admitSection(ctx, reload));
    };
    const reload = async (): Promise<void> => {
      try {
        await load();
      } catch (error) {
        if (!ctx.session.expired(error)) ctx.notify("The list could not be reloaded: reload the page.", "error");
      }
    };
    await load();
    return root;
  },
};

function register(ctx: AppContext, participants: IndexedParticipant[], reload: () => Promise<void>): HTMLElement {
  const area = h("div", { class: "row-form" });
  const open = (p: IndexedParticipant, action: "rename" | "suspend" | "reinstate", opener: HTMLElement) => {
    const close = () => {
      replace(area);
      opener.focus();
    };
    const form = rowForm(ctx, p, action, reload, close);
    replace(area, form);
    form.querySelector<HTMLElement>("input, textarea")?.focus();
  };
  const rows = participants.map((p) => {
    const rename: HTMLButtonElement = h(
      "button",
      { type: "button", onclick: () => open(p, "rename", rename), "aria-label": `Rename ${p.name}` },
      "Rename",
    );
    const action = p.status === "active" ? "suspend" : "reinstate";
    const standing: HTMLButtonElement = h(
      "button",
      { type: "button", onclick: () => open(p, action, standing), "aria-label": `${capital(action)} ${p.name}` },
      capital(action),
    );
    return [
      p.name,
      KIND_LABELS[p.kind] ?? p.kind,
      h("span", { class: p.status === "active" ? "status-ok" : "status-bad" }, p.status),
      h("span", { class: "mono", title: p.account }, shortAddress(p.account)),
      day(p.admittedAt),
      rowActions(rename, standing),
    ];
  });
  return section(
    "Participants",
    h(
      "p",
      {},
      `${count(participants.length)} admitted account${participants.length === 1 ? "" : "s"}. ` +
        "A suspended account keeps its certificates but cannot transfer, retire or submit lots until reinstated.",
    ),
    participants.length > 0
      ? stackTable("Admitted participants", ["Organisation", "Kind", "Status", "Account", "Admitted", "Actions"], rows)
      : h("p", { class: "muted" }, "No participant is admitted yet: admit the first one below."),
    area,
  );
}

function rowForm(
  ctx: AppContext,
  p: IndexedParticipant,
  action: "rename" | "suspend" | "reinstate",
  reload: () => Promise<void>,
  close: () => void,
): HTMLElement {
  const path = `/admin/participants/${p.account}`;
  if (action === "rename") {
    const name = h("input", { type: "text", name: "name", value: p.name, autocomplete: "organization" });
    return h(
      "div",
      { class: "card inset" },
      h("h3", {}, `Rename ${p.name}`),
      actionForm(ctx, {
        title: `Rename ${p.name}`,
        fields: [field("New organisation name", name, "As it will appear on certificates and the register.")],
        submit: "Review the rename",
        prepare: async () => {
          const next = checkName(name);
          if (next === p.name) throw new Refusal(`The name is already “${p.name}”: enter the new name.`, name);
          return ctx.api.request<UnsignedTx>("PUT", `${path}/name`, { name: next });
        },
        done: () => `${p.account} is now named “${name.value.trim()}”.`,
        reload,
        close,
      }),
    );
  }
  const reason = h("textarea", { name: "reason", rows: 2, maxlength: 1024 });
  const title = `${capital(action)} ${p.name}`;
  return h(
    "div",
    { class: "card inset" },
    h("h3", {}, title),
    h(
      "p",
      {},
      action === "suspend"
        ? `While suspended, ${p.name} cannot transfer, retire or submit lots; its certificates stay in its account.`
        : `${p.name} will be able to transfer, retire and submit lots again.`,
    ),
    actionForm(ctx, {
      title,
      fields: [field("Reason", reason, "Recorded on the chain with the transaction (at most 1,024 characters).")],
      submit: `Review the ${action === "suspend" ? "suspension" : "reinstatement"}`,
      prepare: async () => {
        const why = checkReason(reason);
        return ctx.api.request<UnsignedTx>("POST", `${path}/${action}`, { reason: why });
      },
      done: () => `${p.name} is ${action === "suspend" ? "suspended" : "reinstated"}.`,
      reload,
      close,
    }),
  );
}

function admitSection(ctx: AppContext, reload: () => Promise<void>): HTMLElement {
  const account = h("input", {
    type: "text",
    name: "account",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "0x…",
    class: "mono",
  });
  const kind = h(
    "select",
    { name: "kind" },
    ...PARTICIPANT_KIND_VALUES.map((k) => h("option", { value: k }, KIND_LABELS[k] ?? k)),
  );
  const name = h("input", { type: "text", name: "name", autocomplete: "organization" });
  return section(
    "Admit a participant",
    h(
      "p",
      {},
      "Admitting an account lets it hold, receive, transfer and retire certificates; a refurbisher or ITAD may " +
        "also submit lots. Check the organisation's identity before admitting it.",
    ),
    actionForm(ctx, {
      title: "Admit a participant",
      fields: [
        field("Account", account, "The organisation's wallet address: 0x followed by 40 hexadecimal digits."),
        field("Kind", kind),
        field("Organisation name", name, "As it will appear on certificates and the register (at most 200 bytes)."),
      ],
      submit: "Review the admission",
      prepare: async () => {
        const address = checkAddress(account);
        const organisation = checkName(name);
        const current = await ctx.api.get<Participant>(`/participants/${address}`);
        if (current.status !== "none") {
          throw new Refusal(
            `${address} is already admitted as ${current.kind} “${current.name ?? ""}” (${current.status}): ` +
              "rename, suspend or reinstate it in the list above instead.",
            account,
          );
        }
        return ctx.api.request<UnsignedTx>("POST", "/admin/participants", {
          account: address,
          kind: kind.value,
          name: organisation,
        });
      },
      done: () => `${name.value.trim()} (${account.value.trim()}) is admitted as ${kind.value}.`,
      reload,
    }),
  );
}

export function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
