/**
 * Deliveries received (#/deliveries, docs/deliveries.md): each delivery an ITAD sent this account — "received with
 * delivery ORD-123: 50 devices, 48 certified (2 not certified: …)" — its certificates per batch, the devices without
 * one and why, and a device-by-device check: each device's Merkle proof (the delivery's own devices only) against
 * its batch's device root as read from the chain. Given your own list of serials, exactly those are checked.
 */
import { deviceInclusionCheck } from "../../../../sdk/src/checks.ts";
import { deviceIdOf, type Delivery, type DeliveryDeviceProof } from "../../../../sdk/src/delivery.ts";
import type { ChainBatch } from "../../../../sdk/src/verification.ts";
import type { AppContext, Screen } from "../../context.ts";
import { field, h, replace, section, table } from "../../ui/dom.ts";
import { sentence } from "../../ui/errors.ts";
import { count, dateTime } from "../../ui/format.ts";
import { REASON_TEXT } from "../refurbisher/deliveries.ts";

export const deliveriesScreen: Screen = {
  path: "/deliveries",
  title: "Deliveries received",
  nav: "Deliveries",
  roles: ["holder"],
  async render(ctx) {
    const received = await ctx.api.deliveries("customer");
    if (received.length === 0) {
      return section(
        "Deliveries received",
        h("p", {}, "No ITAD has sent this account certificates with a delivery yet."),
      );
    }
    return section(
      "Deliveries received",
      h(
        "p",
        {},
        "Certificates your suppliers passed on with the devices they delivered. Check that your devices are the " +
          "certified ones: each is proven against its batch's device root on the chain.",
      ),
      ...received.map((d) => deliveryCard(ctx, d)),
    );
  },
};

function deliveryCard(ctx: AppContext, d: Delivery): HTMLElement {
  const own = h("textarea", { name: `serials-${d.id}`, rows: 3, spellcheck: false });
  own.placeholder = "Dell,CN0LAT54000";
  const check = h("button", { type: "button", class: "primary" }, "Check my devices");
  const results = h("div", { class: "device-checks", role: "status", "aria-live": "polite" });
  check.addEventListener("click", () => {
    void run();
  });

  async function run(): Promise<void> {
    check.disabled = true;
    replace(results, h("p", {}, "Checking…"));
    try {
      const { devices } = await ctx.api.deliveryProofs(d.id);
      const wanted = ownDevices(own.value) ?? devices.map((p) => ({ deviceId: p.deviceId, label: p.deviceId }));
      const rows = await checkDevices(ctx, wanted, devices);
      const ok = rows.filter((r) => r.ok).length;
      replace(
        results,
        h("p", { class: ok === rows.length ? "success" : "warning" }, `${ok} of ${rows.length} devices verified.`),
        table(
          `Devices of delivery ${d.reference}`,
          ["Device", "Batch", "Result"],
          rows.map((r) => [r.label, r.batchId ? `#${r.batchId}` : "—", `${r.ok ? "✓" : "✗"} ${r.detail}`]),
        ),
      );
    } catch (error) {
      if (ctx.session.expired(error)) return;
      replace(results, h("p", { class: "warning" }, sentence(error, "Checking the devices")));
    } finally {
      check.disabled = false;
    }
  }

  return h(
    "article",
    { class: "delivery", "data-delivery": d.id, "aria-labelledby": `delivery-${d.id}` },
    h("h3", { id: `delivery-${d.id}` }, d.summary),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "From"),
      h("dd", { class: "mono" }, d.itad),
      h("dt", {}, "Transfer"),
      h(
        "dd",
        {},
        d.transfer ? `block ${d.transfer.block}, tx ` : "—",
        h("span", { class: "mono" }, d.transfer?.txHash),
      ),
      h("dt", {}, "Reference hash"),
      h("dd", { class: "mono" }, d.referenceHash),
      h("dt", {}, "Recorded"),
      h("dd", {}, dateTime(d.createdAt)),
    ),
    table(
      `Certificates received with delivery ${d.reference}`,
      ["Batch", "Category", "Certificates"],
      d.items.map((i) => [`#${i.batchId}`, i.category, `${count(i.amount)} I-TEC`]),
    ),
    d.refused.length
      ? table(
          `Devices of delivery ${d.reference} without a certificate`,
          ["Row", "Device id", "Why"],
          d.refused.map((r) => [
            String(r.row),
            h("span", { class: "mono" }, r.deviceId),
            REASON_TEXT[r.reason] ?? r.reason,
          ]),
        )
      : null,
    field("Your own list of devices (optional: manufacturer,serial per line)", own),
    h("div", { class: "actions" }, check),
    results,
  );
}

/** The devices typed as "manufacturer,serial" lines (a header line is skipped); undefined when none are given. */
function ownDevices(text: string): { deviceId: string; label: string }[] | undefined {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^manufacturer\s*,/i.test(l));
  if (lines.length === 0) return undefined;
  return lines.map((l) => {
    const [manufacturer = "", serial = ""] = l.split(",").map((s) => s.trim());
    return { deviceId: deviceIdOf(manufacturer, serial), label: serial || l };
  });
}

/** Each device's proof against its batch's root and certificates as the registry read them from the chain. */
async function checkDevices(
  ctx: AppContext,
  wanted: { deviceId: string; label: string }[],
  proofs: DeliveryDeviceProof[],
): Promise<{ label: string; batchId: string | null; ok: boolean; detail: string }[]> {
  const byId = new Map(proofs.map((p) => [p.deviceId.toLowerCase(), p]));
  const batches = new Map<string, Promise<ChainBatch>>();
  const batchOf = (id: string) => {
    if (!batches.has(id)) batches.set(id, ctx.api.verifyBatch(id));
    return batches.get(id)!;
  };
  const rows = [];
  for (const w of wanted) {
    const p = byId.get(w.deviceId.toLowerCase());
    if (!p?.proof || p.proof.deviceId.toLowerCase() !== w.deviceId.toLowerCase()) {
      rows.push({ label: w.label, batchId: null, ok: false, detail: "not in this delivery" });
      continue;
    }
    const c = deviceInclusionCheck(await batchOf(p.batchId), BigInt(p.proof.index), w.deviceId, p.proof.proof);
    rows.push({
      label: w.label,
      batchId: p.batchId,
      ok: c.passed,
      detail: c.passed ? "one of the batch's certified devices" : "the proof does not reach the batch's root",
    });
  }
  return rows;
}
