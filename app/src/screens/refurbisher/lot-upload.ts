/**
 * Submit a lot (issue 15 §3): the refurbisher drops or chooses the lot CSV, the calculation runs in the browser with
 * the oracle's engine and reference data (a Web Worker, app/src/calc/), row problems and exclusions show per row,
 * and only a lot with something eligible can be submitted. After submitting, the registry's figures are shown next
 * to the browser's: "identical" when the report hash and every figure match, otherwise each difference is named.
 */
import "./refurbisher.css";

import type { AppContext, Screen } from "../../context.ts";
import { LotCalculator, type Calculated } from "../../calc/client.ts";
import type { BrowserLotOptions } from "../../calc/protocol.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { sentence } from "../../ui/errors.ts";
import { count } from "../../ui/format.ts";
import { comparisonPanel } from "./comparison-panel.ts";
import { batchesTable, exclusionsTable, lotFacts } from "./lot-results.ts";
import type { LotView } from "./lots-api.ts";

export const lotUploadScreen: Screen = {
  path: "/lots/new",
  title: "Submit a lot",
  nav: "Submit a lot",
  roles: ["refurbisher"],
  render: (ctx) => uploadView(ctx),
};

const todayUtc = (): string => new Date().toISOString().slice(0, 10);

function uploadView(ctx: AppContext): HTMLElement {
  const calculator = new LotCalculator(ctx.api.baseUrl);
  let lotText: string | undefined;
  let fileName = "";
  let calculated: { options: BrowserLotOptions; key: string; calc: Calculated } | undefined;
  let generation = 0;
  /** The options of the calculation running now. */
  let calculating: string | undefined;
  /** The lot submitted from this calculation (Submit then stays disabled: a second click would only repeat it). */
  let submittedAs: string | undefined;

  const file = h("input", { type: "file", accept: ".csv,text/csv", name: "lot" });
  const asOf = h("input", {
    type: "date",
    name: "asOf",
    value: todayUtc(),
    min: "2000-01-01",
    max: todayUtc(),
    required: true,
  });
  const transport = h("input", {
    type: "text",
    name: "defaultTransport",
    placeholder: "hgv:600;van:250",
    autocomplete: "off",
    spellcheck: "false",
  });
  const lotRef = h("input", { type: "text", name: "lotRef", maxlength: 200, autocomplete: "off" });
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const results = h("div", { class: "calc-results" });
  const submit = h("button", { type: "button", class: "primary", disabled: true }, "Submit the lot");
  const why = h("p", { class: "muted", id: "submit-why" }, "Choose a lot file first.");
  submit.setAttribute("aria-describedby", why.id);
  const submitted = h("div", { class: "submitted" });

  const dropzone = h(
    "div",
    { class: "dropzone", "data-dropzone": "lot" },
    h("p", {}, "Drag the lot CSV file here, or choose it below."),
    field(
      "Lot file (CSV)",
      file,
      "One device per row with the twelve columns of docs/methodology.md §4. The calculation runs in this browser: " +
        "nothing is sent until you submit.",
    ),
  );
  dropzone.addEventListener("dragover", (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
    dropzone.classList.add("over");
  });
  dropzone.addEventListener("dragleave", () => dropzone.classList.remove("over"));
  dropzone.addEventListener("drop", (event) => {
    event.preventDefault();
    dropzone.classList.remove("over");
    const dropped = event.dataTransfer?.files[0];
    if (dropped) void takeFile(dropped);
    else setStatus("Nothing to read was dropped: drop one CSV file, or choose it with the button.", "error");
  });
  file.addEventListener("change", () => {
    const chosen = file.files?.[0];
    if (chosen) void takeFile(chosen);
  });
  // Only a real change of the options recalculates: a change event also fires on leaving a field that was typed
  // in before the file was chosen, e.g. when its value is already in the figures shown.
  for (const input of [asOf, transport, lotRef]) {
    input.addEventListener("change", () => {
      const key = JSON.stringify(options());
      if (key !== calculating && key !== calculated?.key) void recalculate();
    });
  }

  // Leaving the screen ends the worker (and a calculation still running in it).
  const leave = (): void => {
    calculator.terminate();
    window.removeEventListener("hashchange", leave);
  };
  window.addEventListener("hashchange", leave);

  function setStatus(text: string, kind: "" | "error" | "success" = ""): void {
    status.textContent = text;
    status.className = `status ${kind}`.trim();
  }

  function options(): BrowserLotOptions {
    return {
      asOf: asOf.value,
      ...(transport.value.trim() ? { defaultTransport: transport.value.trim() } : {}),
      ...(lotRef.value.trim() ? { lotRef: lotRef.value.trim() } : {}),
      ...(ctx.session.address ? { refurbisher: ctx.session.address } : {}),
    };
  }

  async function takeFile(f: File): Promise<void> {
    fileName = f.name;
    replace(submitted);
    try {
      lotText = await f.text();
    } catch (error) {
      lotText = undefined;
      setStatus(sentence(error, `Reading ${f.name}`), "error");
      return;
    }
    await recalculate();
  }

  async function recalculate(): Promise<void> {
    if (lotText === undefined) return;
    const mine = ++generation;
    calculated = undefined;
    submittedAs = undefined;
    updateSubmit();
    if (!asOf.value) {
      setStatus("Give the calculation date (YYYY-MM-DD), then the lot is calculated again.", "error");
      replace(results);
      return;
    }
    const opts = options();
    calculating = JSON.stringify(opts);
    setStatus(`Calculating ${fileName} (${count(Math.ceil(lotText.length / 1024))} KB) in your browser…`);
    results.setAttribute("aria-busy", "true");
    try {
      const calc = await calculator.calculate(lotText, opts);
      if (mine !== generation) return; // a newer file or option replaced this calculation
      calculated = { options: opts, key: JSON.stringify(opts), calc };
      showResults(calc);
      setStatus(
        `${fileName}: ${count(calc.result.devices)} devices calculated in your browser, ` +
          `${count(calc.result.eligible)} eligible.`,
        "success",
      );
    } catch (error) {
      if (mine !== generation) return;
      replace(results);
      setStatus(sentence(error, "Calculating the lot"), "error");
    } finally {
      if (mine === generation) {
        results.removeAttribute("aria-busy");
        calculating = undefined;
      }
      updateSubmit();
    }
  }

  function showResults(calc: Calculated): void {
    const { result, ms } = calc;
    const noIssue = result.eligible > 0 && !result.batches.some((b) => b.issued);
    replace(
      results,
      h("h3", {}, "The calculation"),
      lotFacts(result, ms),
      batchesTable(result),
      noIssue
        ? h(
            "p",
            { class: "warning" },
            "No batch passes the issuance gate: the lot can be submitted and recorded, but no I-TEC would be issued.",
          )
        : null,
      exclusionsTable(result),
    );
  }

  function updateSubmit(): void {
    let reason: string | null = null;
    if (lotText === undefined) reason = "Choose a lot file first.";
    else if (!calculated) reason = "Submitting waits for the calculation.";
    else if (calculated.calc.result.eligible === 0) {
      reason =
        "Nothing in this lot is eligible, so there is nothing to submit: correct the excluded rows listed above " +
        "and choose the file again.";
    } else if (submittedAs !== undefined) {
      reason = `This lot is submitted as ${submittedAs}. To submit another lot, choose its file.`;
    } else if (ctx.session.roles.has("refurbisher") === false) {
      reason = "Only an active refurbisher or ITAD account can submit lots.";
    }
    submit.disabled = reason !== null;
    why.textContent = reason ?? "The registry calculates the lot again and shows its figures next to these.";
  }

  submit.addEventListener("click", () => void send());

  async function send(): Promise<void> {
    if (!calculated || lotText === undefined || JSON.stringify(options()) !== calculated.key) {
      await recalculate();
      return;
    }
    const { options: opts, calc } = calculated;
    const query = new URLSearchParams({ asOf: opts.asOf });
    if (opts.defaultTransport) query.set("defaultTransport", opts.defaultTransport);
    if (opts.lotRef) query.set("lotRef", opts.lotRef);
    submit.disabled = true;
    setStatus(`Submitting ${fileName}…`);
    try {
      const { status: code, body: lot } = await ctx.api.send<LotView>("POST", `/lots?${query}`, lotText, {
        "content-type": "text/csv",
      });
      setStatus(
        code === 200
          ? `This lot was already submitted as ${lot.id}: here it is, unchanged.`
          : `Submitted: the registry stored it as lot ${lot.id}.`,
        "success",
      );
      submittedAs = lot.id;
      replace(submitted, comparisonPanel(calc.result, lot));
      submitted.querySelector("h3")?.setAttribute("tabindex", "-1");
      (submitted.querySelector("h3") as HTMLElement | null)?.focus();
    } catch (error) {
      if (ctx.session.expired(error)) return;
      setStatus(sentence(error, "Submitting the lot"), "error");
    } finally {
      updateSubmit();
    }
  }

  const screen = section(
    "Submit a lot",
    h(
      "p",
      {},
      "Your lot is calculated here, in your browser, with the same method (ITEC-CALC 1.0) and reference data as " +
        "the registry's oracle, so you see every excluded row and the figures before anything is sent.",
    ),
    dropzone,
    h(
      "fieldset",
      { class: "options" },
      h("legend", {}, "Options"),
      field("Calculation date", asOf, "The day the figures are calculated for (UTC); today by default."),
      field(
        "Default transport",
        transport,
        "Legs for rows without their own transport, e.g. hgv:600;van:250 (mode:km; modes hgv, van, rail, sea, air).",
      ),
      field(
        "Your lot reference",
        lotRef,
        "Your own name for this lot, unique among your lots. Left empty, the registry uses the hash of the devices.",
      ),
    ),
    status,
    results,
    h("div", { class: "actions" }, submit),
    why,
    submitted,
  );
  screen.classList.add("refurbisher");
  return screen;
}
