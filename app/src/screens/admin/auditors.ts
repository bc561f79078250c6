/**
 * The registry admin's auditors (route /admin/auditors): the signature threshold, the auditing bodies, and each
 * auditor's accreditation (body, device categories, validity window) — accredit, change, revoke. The auditors come
 * from GET /auditors, each accreditation from GET /participants/:address (read from the chain).
 */
import { CATEGORIES } from "../../../../sdk/src/enums.ts";
import type { Participant } from "../../../../sdk/src/api-operations.ts";
import type { UnsignedTx } from "../../../../sdk/src/api-client.ts";

import type { AppContext, Screen } from "../../context.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { day, shortAddress } from "../../ui/format.ts";
import { actionForm, checkAddress, checkReason, Refusal } from "./action.ts";
import { bodiesSection, thresholdSection, type BodiesRead } from "./bodies.ts";
import { auditingBodies, type AuditingBody } from "./chain.ts";
import { rowActions, stackTable } from "./table.ts";

export const auditorsScreen: Screen = {
  path: "/admin/auditors",
  title: "Auditors",
  nav: "Auditors",
  roles: ["admin"],
  async render(ctx) {
    const root = h("div", { class: "admin" });
    const load = async (): Promise<void> => {
      const [{ auditors, threshold }, read] = await Promise.all([
        ctx.api.get<{ auditors: string[]; threshold: number }>("/auditors"),
        auditingBodies(ctx).catch((error: unknown): BodiesRead => ({ error })),
      ]);
      const accredited = await Promise.all(auditors.map((a) => ctx.api.get<Participant>(`/participants/${a}`)));
      const bodies = "error" in read ? undefined : read.bodies;
      replace(
        root,
        thresholdSection(ctx, threshold, read, reload),
        auditorsSection(ctx, accredited, bodies, reload),
        bodiesSection(ctx, read, reload),
      );
    };
    const reload = async (): Promise<void> => {
      try {
        await load();
      } catch (error) {
        if (!ctx.session.expired(error)) ctx.notify("The lists could not be reloaded: reload the page.", "error");
      }
    };
    await load();
    return root;
  },
};

function standing(p: Participant): string {
  const a = p.accreditation!;
  const now = Date.now();
  if (now < Date.parse(a.validFrom)) return "not yet valid";
  if (now > Date.parse(a.validUntil)) return "expired";
  return "accredited";
}

function auditorsSection(
  ctx: AppContext,
  auditors: Participant[],
  bodies: AuditingBody[] | undefined,
  reload: () => Promise<void>,
): HTMLElement {
  const area = h("div", { class: "row-form" });
  const rows = auditors
    .filter((p) => p.accreditation)
    .map((p) => {
      const a = p.accreditation!;
      const label = p.name ?? shortAddress(p.account);
      const change: HTMLButtonElement = h(
        "button",
        {
          type: "button",
          "aria-label": `Change the accreditation of ${label}`,
          onclick: () => {
            const form = h(
              "div",
              { class: "card inset" },
              h("h3", {}, `Change the accreditation of ${label}`),
              accreditForm(ctx, bodies, reload, p, () => {
                replace(area);
                change.focus();
              }),
            );
            replace(area, form);
            form.querySelector<HTMLElement>("select, input")?.focus();
          },
        },
        "Change",
      );
      const revoke: HTMLButtonElement = h(
        "button",
        {
          type: "button",
          "aria-label": `Revoke the accreditation of ${label}`,
          onclick: () => {
            const form = revokeForm(ctx, p, reload, () => {
              replace(area);
              revoke.focus();
            });
            replace(area, form);
            form.querySelector("textarea")?.focus();
          },
        },
        "Revoke",
      );
      return [
        h("span", { class: "mono", title: p.account }, shortAddress(p.account)),
        `#${a.bodyId} ${a.body}`,
        a.categories.join(", "),
        `${day(a.validFrom)} – ${day(a.validUntil)}`,
        standing(p),
        rowActions(change, revoke),
      ];
    });
  return section(
    "Auditors",
    rows.length > 0
      ? stackTable(
          "Accredited auditors",
          ["Signing address", "Auditing body", "Device categories", "Valid (UTC)", "Now", "Actions"],
          rows,
        )
      : h("p", { class: "muted" }, "No auditor is accredited: accredit one below."),
    area,
    h("h3", {}, "Accredit an auditor"),
    h(
      "p",
      {},
      "Accrediting an address that is already accredited replaces its accreditation. The address must be the " +
        "auditor's own signing key: never the admin's or the issuer's.",
    ),
    accreditForm(ctx, bodies, reload),
  );
}

function dateInput(name: string, value: string): HTMLInputElement {
  return h("input", { type: "date", name, value });
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Accredit an address, or change an accreditation (`current`): body, categories, first and last day (UTC). */
function accreditForm(
  ctx: AppContext,
  bodies: AuditingBody[] | undefined,
  reload: () => Promise<void>,
  current?: Participant,
  close?: () => void,
): HTMLFormElement {
  const a = current?.accreditation;
  const account = h("input", {
    type: "text",
    name: "auditor",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "0x…",
    class: "mono",
    value: current?.account ?? "",
    readonly: current ? true : null,
  });
  // Without the bodies (the wallet is on another chain) the body is entered by its id.
  const body: HTMLSelectElement | HTMLInputElement = bodies
    ? h(
        "select",
        { name: "body" },
        ...bodies.map((b) => h("option", { value: b.id, selected: a?.bodyId === b.id }, `#${b.id} ${b.name}`)),
      )
    : h("input", { type: "number", name: "body", min: 1, step: 1, value: a?.bodyId ?? "" });
  const boxes = CATEGORIES.map((c) =>
    h("input", { type: "checkbox", name: "category", value: c, checked: a ? a.categories.includes(c) : false }),
  );
  const categories = h(
    "fieldset",
    { class: "field checks" },
    h("legend", {}, "Device categories it may attest"),
    ...boxes.map((box) => h("label", {}, box, ` ${box.value}`)),
  );
  const today = new Date();
  const from = dateInput("valid-from", a ? a.validFrom.slice(0, 10) : isoDay(today));
  const until = dateInput(
    "valid-until",
    a ? a.validUntil.slice(0, 10) : isoDay(new Date(today.getTime() + 365 * 86_400_000)),
  );
  return actionForm(ctx, {
    title: current ? `Change the accreditation of ${current.name ?? current.account}` : "Accredit an auditor",
    fields: [
      field("Auditor's signing address", account, "0x followed by 40 hexadecimal digits."),
      field("Auditing body", body, bodies ? undefined : "The body's number (switch chains to pick it by name)."),
      categories,
      field("Valid from (UTC)", from, "The first day it may sign."),
      field("Valid until (UTC)", until, "The last day it may sign, included."),
    ],
    submit: current ? "Review the change" : "Review the accreditation",
    prepare: async () => {
      const address = checkAddress(account);
      if (ctx.session.address && address === ctx.session.address) {
        throw new Refusal(
          "That is the admin's own address: an auditor signs with a key of its own (separation of duties).",
          account,
        );
      }
      const bodyId = Number(body.value);
      if (!Number.isInteger(bodyId) || bodyId < 1) throw new Refusal("Choose the auditing body it signs for.", body);
      if (bodies && bodies.length === 0) throw new Refusal("Register an auditing body first (below).", body);
      const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
      if (chosen.length === 0) throw new Refusal("Tick at least one device category.", boxes[0]);
      if (!from.value) throw new Refusal("Enter the first day of the accreditation.", from);
      if (!until.value) throw new Refusal("Enter the last day of the accreditation.", until);
      if (until.value < from.value) throw new Refusal("The last day is before the first day.", until);
      if (until.value < isoDay(new Date())) {
        throw new Refusal("The last day has passed: such an accreditation would accredit no one.", until);
      }
      return ctx.api.request<UnsignedTx>("PUT", `/admin/auditors/${address}/accreditation`, {
        bodyId,
        categories: chosen,
        validFrom: from.value,
        validUntil: until.value,
      });
    },
    done: () => `${account.value.trim()} is accredited from ${from.value} to ${until.value} (UTC).`,
    reload,
    ...(close ? { close } : {}),
  });
}

function revokeForm(ctx: AppContext, p: Participant, reload: () => Promise<void>, close: () => void): HTMLElement {
  const reason = h("textarea", { name: "reason", rows: 2, maxlength: 1024 });
  const label = p.name ?? p.account;
  return h(
    "div",
    { class: "card inset" },
    h("h3", {}, `Revoke the accreditation of ${label}`),
    h(
      "p",
      {},
      "Its signatures stop counting at once, also on attestations not yet issued. The transaction below says " +
        "whether issuance then needs every body left.",
    ),
    actionForm(ctx, {
      title: `Revoke the accreditation of ${label}`,
      fields: [field("Reason", reason, "Recorded on the chain with the transaction.")],
      submit: "Review the revocation",
      prepare: async () => {
        const why = checkReason(reason);
        return ctx.api.request<UnsignedTx>("POST", `/admin/auditors/${p.account}/revoke`, { reason: why });
      },
      done: () => `The accreditation of ${label} is revoked.`,
      reload,
      close,
    }),
  );
}
