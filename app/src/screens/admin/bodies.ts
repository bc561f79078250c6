/**
 * The auditing bodies and the signature threshold, as sections of the Auditors screen (auditors.ts): register and
 * rename a body; set how many distinct bodies must sign an issuance. The bodies are read from the contract through
 * the admin's wallet (chain.ts); the threshold from GET /auditors.
 */
import type { UnsignedTx } from "../../../../sdk/src/api-client.ts";

import type { AppContext } from "../../context.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { count } from "../../ui/format.ts";
import { actionForm, checkName, explain, Refusal } from "./action.ts";
import type { AuditingBody } from "./chain.ts";
import { rowActions, stackTable } from "./table.ts";

/** The bodies as read from the chain, or why they could not be read. */
export type BodiesRead = { bodies: AuditingBody[]; registered: number } | { error: unknown };

export function bodiesSection(ctx: AppContext, read: BodiesRead, reload: () => Promise<void>): HTMLElement {
  const area = h("div", { class: "row-form" });
  let list: HTMLElement;
  if ("error" in read) {
    list = h("p", { class: "error" }, explain(read.error, "Reading the auditing bodies"));
  } else if (read.bodies.length === 0) {
    list = h("p", { class: "muted" }, "No auditing body is registered yet: register the first one below.");
  } else {
    const rows = read.bodies.map((b) => {
      const rename: HTMLButtonElement = h(
        "button",
        {
          type: "button",
          "aria-label": `Rename ${b.name}`,
          onclick: () => {
            const form = renameForm(ctx, b, reload, () => {
              replace(area);
              rename.focus();
            });
            replace(area, form);
            form.querySelector("input")?.focus();
          },
        },
        "Rename",
      );
      return [`#${b.id}`, b.name, `${count(b.auditors)} auditor${b.auditors === 1 ? "" : "s"}`, rowActions(rename)];
    });
    list = stackTable("Auditing bodies", ["Body", "Name", "Accredited", "Actions"], rows);
  }
  const name = h("input", { type: "text", name: "body-name", autocomplete: "organization" });
  return section(
    "Auditing bodies",
    h(
      "p",
      {},
      "An issuance needs signatures of auditors from distinct auditing bodies; each auditor signs for the body it " +
        "is accredited for.",
    ),
    list,
    area,
    h("h3", {}, "Register an auditing body"),
    actionForm(ctx, {
      title: "Register an auditing body",
      fields: [field("Name of the auditing body", name, "As the register and verify pages will name it.")],
      submit: "Review the registration",
      prepare: async () => {
        const body = checkName(name, "the auditing body's name");
        if (!("error" in read) && read.bodies.some((b) => b.name === body)) {
          throw new Refusal(`An auditing body named “${body}” is already registered: choose another name.`, name);
        }
        return ctx.api.request<UnsignedTx>("POST", "/admin/auditor-bodies", { name: body });
      },
      done: () => `The auditing body “${name.value.trim()}” is registered.`,
      reload,
    }),
  );
}

function renameForm(ctx: AppContext, body: AuditingBody, reload: () => Promise<void>, close: () => void): HTMLElement {
  const name = h("input", { type: "text", name: "body-rename", value: body.name, autocomplete: "organization" });
  return h(
    "div",
    { class: "card inset" },
    h("h3", {}, `Rename auditing body #${body.id}`),
    actionForm(ctx, {
      title: `Rename auditing body #${body.id}`,
      fields: [field("New name", name)],
      submit: "Review the rename",
      prepare: async () => {
        const next = checkName(name, "the auditing body's name");
        if (next === body.name) throw new Refusal(`The body is already named “${body.name}”.`, name);
        return ctx.api.request<UnsignedTx>("PUT", `/admin/auditor-bodies/${body.id}/name`, { name: next });
      },
      done: () => `Auditing body #${body.id} is now named “${name.value.trim()}”.`,
      reload,
      close,
    }),
  );
}

export function thresholdSection(
  ctx: AppContext,
  threshold: number,
  read: BodiesRead,
  reload: () => Promise<void>,
): HTMLElement {
  const staffed = "error" in read ? undefined : read.bodies.filter((b) => b.auditors > 0).length;
  const input = h("input", { type: "number", name: "threshold", min: 1, max: 255, step: 1, value: threshold });
  return section(
    "Signature threshold",
    h(
      "p",
      {},
      `A batch is issued with the signatures of ${count(threshold)} distinct auditing bod${threshold === 1 ? "y" : "ies"}.`,
      staffed !== undefined
        ? ` ${count(staffed)} bod${staffed === 1 ? "y has" : "ies have"} an accredited auditor.`
        : "",
    ),
    actionForm(ctx, {
      title: "Set the signature threshold",
      fields: [
        field(
          "Auditing bodies that must sign",
          input,
          "At least 1, and at most the number of bodies with an accredited auditor.",
        ),
      ],
      submit: "Review the threshold",
      prepare: async () => {
        const value = Number(input.value);
        if (!Number.isInteger(value) || value < 1 || value > 255) {
          throw new Refusal("Enter a whole number of auditing bodies, from 1 to 255.", input);
        }
        if (value === threshold) throw new Refusal(`The threshold is already ${value}.`, input);
        if (staffed !== undefined && value > staffed) {
          throw new Refusal(
            `Only ${staffed} auditing bod${staffed === 1 ? "y has" : "ies have"} an accredited auditor: a threshold ` +
              `of ${value} would stop all issuance, and the registry refuses it. Accredit auditors first.`,
            input,
          );
        }
        return ctx.api.request<UnsignedTx>("PUT", "/admin/auditors/threshold", { threshold: value });
      },
      done: () => `Issuance now needs signatures of ${input.value} auditing bodies.`,
      reload,
    }),
  );
}
