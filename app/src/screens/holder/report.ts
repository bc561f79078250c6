/**
 * Scope 3 report (#/report): the corporate's procurement inventory (CSV: year, category, devices,
 * pcf_kg_per_device, manufacturer, model[, scope3_category]; chosen or dropped here) goes to POST /reports/scope3
 * with this account and a reporting year; the registry applies the account's retirements from the chain and
 * answers the certificate-adjusted intensity. Shown here, and downloadable as PDF, CSV and JSON (the same request
 * in each format, saved from a blob).
 */
import type { AppContext, Screen } from "../../context.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { sentence } from "../../ui/errors.ts";
import { count, quantity } from "../../ui/format.ts";
import { ApiError } from "../../../../sdk/src/api-client.ts";

/** The parts of the report (core/documents/scope3-types.ts) this screen shows. */
interface Figures {
  devices: number;
  inventoryEmissionsKg: string;
  inventoryIntensityKgPerDevice: string;
  certificatesApplied: number;
  reductionKg: string;
  adjustedEmissionsKg: string;
  adjustedIntensityKgPerDevice: string;
}
interface YearReport {
  year: number;
  categories: (Figures & { category: string; scope3Category: number | null })[];
  totals: Figures;
  applied: { retirementId: string; batchId: string; certificates: number; reductionKg: string }[];
  unapplied: { retirementId: string; certificates: number; detail: string }[];
}
interface Scope3Report {
  account: string;
  accountName: string | null;
  reportingYear: number;
  notes: string[];
  current: YearReport;
}

const MAX_BYTES = 10 * 1024 * 1024;

function reportUrl(ctx: AppContext, format: string, account: string, year: number): string {
  return `${ctx.api.baseUrl}/reports/scope3?${new URLSearchParams({ format, account, year: String(year) })}`;
}

function kg(v: string): string {
  return quantity(v, "kgCO2e");
}

function figuresRow(label: string, f: Figures): HTMLTableRowElement {
  const cells = [
    label,
    `${count(f.devices)} devices`,
    kg(f.inventoryEmissionsKg),
    `${kg(f.inventoryIntensityKgPerDevice)}/device`,
    `${count(f.certificatesApplied)} I-TEC`,
    kg(f.reductionKg),
    kg(f.adjustedEmissionsKg),
    `${kg(f.adjustedIntensityKgPerDevice)}/device`,
  ];
  return h("tr", {}, ...cells.map((c, i) => h("td", { "data-label": HEADERS[i]!, class: i > 0 ? "num" : null }, c)));
}

const HEADERS = [
  "Category",
  "Devices",
  "Inventory emissions",
  "Inventory intensity",
  "Certificates applied",
  "Reduction",
  "Adjusted emissions",
  "Adjusted intensity",
];

function showReport(report: Scope3Report): HTMLElement {
  const y = report.current;
  const t = y.totals;
  return h(
    "div",
    { class: "report" },
    h("h3", { tabindex: -1 }, `Scope 3 IT procurement, ${y.year}: ${report.accountName ?? report.account}`),
    h(
      "p",
      { class: "report-summary" },
      `Inventory: ${count(t.devices)} devices, ${kg(t.inventoryEmissionsKg)}. ` +
        `${count(t.certificatesApplied)} retired I-TEC applied: ${kg(t.reductionKg)} lower. ` +
        `Certificate-adjusted: ${kg(t.adjustedEmissionsKg)}, ${kg(t.adjustedIntensityKgPerDevice)} per device.`,
    ),
    h(
      "div",
      { class: "table-scroll", tabindex: 0, role: "region", "aria-label": `Figures per device category, ${y.year}` },
      h(
        "table",
        { class: "data stack" },
        h("caption", {}, `Per device category, ${y.year}`),
        h(
          "thead",
          {},
          h("tr", {}, ...HEADERS.map((x, i) => h("th", { scope: "col", class: i > 0 ? "num" : null }, x))),
        ),
        h(
          "tbody",
          {},
          ...y.categories.map((c) =>
            figuresRow(c.scope3Category ? `${c.category} (Scope 3 cat. ${c.scope3Category})` : c.category, c),
          ),
        ),
        h("tfoot", {}, figuresRow("Total", t)),
      ),
    ),
    y.unapplied.length > 0
      ? h(
          "div",
          {},
          h("h4", {}, "Retirements not applied"),
          h(
            "ul",
            {},
            ...y.unapplied.map((u) => h("li", {}, `#${u.retirementId} (${count(u.certificates)} I-TEC): ${u.detail}`)),
          ),
        )
      : null,
    report.notes.length > 0 ? h("ul", { class: "muted" }, ...report.notes.map((n) => h("li", {}, n))) : null,
  );
}

export const reportScreen: Screen = {
  path: "/report",
  title: "Scope 3 report",
  nav: "Scope 3 report",
  roles: ["holder"],
  render(ctx) {
    const account = ctx.session.address!;
    let csv: { name: string; text: string } | undefined;
    const file = h("input", { type: "file", name: "inventory", accept: ".csv,text/csv" });
    const chosen = h("p", { class: "muted", role: "status" }, "No inventory chosen yet.");
    const year = h("input", {
      type: "number",
      name: "year",
      min: 2000,
      max: 2100,
      step: 1,
      value: new Date().getUTCFullYear(),
      required: true,
    });
    const message = h("div", { class: "form-message", role: "alert" });
    const result = h("div", { class: "report-area" });
    const submit = h("button", { type: "submit", class: "primary" }, "Make the report");

    async function take(f: File | undefined): Promise<void> {
      replace(message);
      if (!f) return;
      if (f.size > MAX_BYTES) {
        message.className = "form-message error";
        replace(message, h("p", {}, `${f.name} is ${count(f.size)} bytes: at most 10 MB.`));
        return;
      }
      csv = { name: f.name, text: await f.text() };
      const lines = csv.text.split(/\r?\n/).filter((l) => l.trim()).length;
      chosen.textContent = `Chosen: ${f.name} (${count(Math.max(0, lines - 1))} rows).`;
    }
    file.addEventListener("change", () => void take(file.files?.[0]));
    const drop = h(
      "div",
      { class: "dropzone" },
      h("p", {}, "Drop the inventory CSV here, or choose it below."),
      field(
        "Inventory CSV",
        file,
        "Columns: year, category, devices, pcf_kg_per_device, manufacturer, model (optionally scope3_category).",
      ),
      chosen,
    );
    drop.addEventListener("dragover", (e) => {
      e.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      void take(e.dataTransfer?.files[0]);
    });

    const form = h(
      "form",
      { novalidate: true, "aria-label": "Scope 3 report" },
      drop,
      field("Reporting year", year, "Retirements whose claim period falls in this year are applied."),
      h("div", { class: "actions" }, submit),
      message,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void make();
    });

    async function make(): Promise<void> {
      replace(message);
      message.className = "form-message";
      const y = Number(year.value);
      const refuse = (text: string, focus?: HTMLElement) => {
        message.className = "form-message error";
        replace(message, h("p", {}, text));
        focus?.focus();
      };
      if (!csv) return refuse("Choose or drop the inventory CSV first.", file);
      if (!Number.isInteger(y) || y < 2000 || y > 2100) return refuse("Give the reporting year, e.g. 2026.", year);
      submit.disabled = true;
      replace(result, h("p", { role: "status" }, "Reading your retirements from the chain…"));
      try {
        const query = new URLSearchParams({ format: "json", account, year: String(y) });
        const report = await ctx.api.request<Scope3Report>("POST", `/reports/scope3?${query}`, csv.text, {
          "content-type": "text/csv",
        });
        const downloads = h("div", { class: "actions downloads" });
        for (const [format, label] of [
          ["pdf", "Download PDF"],
          ["csv", "Download CSV"],
          ["json", "Download JSON"],
        ] as const) {
          downloads.append(h("button", { type: "button", onclick: () => download(format, y, downloads) }, label));
        }
        const shown = showReport(report);
        replace(result, shown, downloads);
        (shown.firstElementChild as HTMLElement).focus();
      } catch (error) {
        if (ctx.session.expired(error)) return;
        replace(result);
        refuse(
          error instanceof ApiError && error.code === "BAD_INVENTORY"
            ? `The inventory was refused: ${sentence(error)}`
            : sentence(error, "Making the report"),
        );
      } finally {
        submit.disabled = false;
      }
    }

    async function download(format: "pdf" | "csv" | "json", y: number, where: HTMLElement): Promise<void> {
      const status =
        where.querySelector(".download-status") ??
        where.appendChild(h("span", { class: "download-status", role: "status" }));
      status.textContent = `Preparing the ${format.toUpperCase()}…`;
      try {
        const res = await fetch(reportUrl(ctx, format, account, y), {
          method: "POST",
          headers: { "content-type": "text/csv" },
          body: csv!.text,
        });
        if (!res.ok) throw new Error(`the registry answered HTTP ${res.status}`);
        const url = URL.createObjectURL(await res.blob());
        const a = h("a", { href: url, download: `scope3-${y}.${format}` }, `scope3-${y}.${format}`);
        a.click();
        status.textContent = "Saved ";
        status.append(a, " (click to save again).");
      } catch (error) {
        status.textContent = sentence(error, `Downloading the ${format.toUpperCase()}`);
      }
    }

    return section(
      "Scope 3 report",
      h(
        "p",
        {},
        "Upload this year's IT procurement inventory: the registry applies this account's retirements, read from the chain, and reports the certificate-adjusted intensity of the procurement (GHG Protocol Scope 3, categories 1 and 2). I-TECs are not offsets: the report restates what was bought, it compensates nothing.",
      ),
      form,
      result,
    );
  },
};
