/**
 * The devices of a delivery as the ITAD sends them: CSV with a header naming at least `manufacturer` and `serial`
 * (other columns are ignored, so a lot CSV or an ERP export works as it is) or a `device_id` column; or JSON, a list
 * of `{ manufacturer, serial }` or `{ deviceId }`. Each becomes the interoperable device id of docs/methodology.md
 * §8.1, computed here so that a serial never needs to leave the ITAD for the customer to check its devices.
 */
import { deviceId } from "../calc/device-id.ts";
import { CsvRecordSplitter } from "../calc/lot/csv-records.ts";
import { DeliveryInputError } from "./reference.ts";

/** The most devices one delivery takes (the bulk device check's limit). */
export const MAX_DELIVERY_DEVICES = 10_000;

const HASH = /^0x[0-9a-fA-F]{64}$/;

/** One delivered device: its 1-based row in what was sent, and its id; the serial when it was given as one. */
export interface DeliveryDevice {
  row: number;
  deviceId: string;
  manufacturer?: string | undefined;
  serial?: string | undefined;
}

/** A device as JSON gives it. */
export type DeliveryDeviceInput = { manufacturer: string; serial: string } | { deviceId: string };

/** The devices of a JSON list, in order. @throws DeliveryInputError */
export function deliveryDevices(items: readonly DeliveryDeviceInput[]): DeliveryDevice[] {
  if (items.length === 0) throw new DeliveryInputError("a delivery has at least one device");
  if (items.length > MAX_DELIVERY_DEVICES) {
    throw new DeliveryInputError(`a delivery has at most ${MAX_DELIVERY_DEVICES} devices, got ${items.length}`);
  }
  return items.map((item, i) => one(item, i + 1));
}

function one(item: DeliveryDeviceInput, row: number): DeliveryDevice {
  if ("deviceId" in item) {
    if (!HASH.test(item.deviceId)) {
      throw new DeliveryInputError(`row ${row}: a device id is 0x and 64 hex digits, got "${item.deviceId}"`);
    }
    return { row, deviceId: item.deviceId.toLowerCase() };
  }
  const manufacturer = item.manufacturer.trim();
  const serial = item.serial.trim();
  if (manufacturer === "" || serial === "") {
    throw new DeliveryInputError(`row ${row}: a device needs its manufacturer and serial`);
  }
  return { row, deviceId: deviceId(manufacturer, serial), manufacturer, serial };
}

/** The devices of a delivery CSV (see the module comment). @throws DeliveryInputError */
export function parseDeliveryCsv(text: string): DeliveryDevice[] {
  let header: string[] | undefined;
  const items: DeliveryDeviceInput[] = [];
  const splitter = new CsvRecordSplitter((record, line, problem) => {
    if (problem !== undefined) {
      throw new DeliveryInputError(`line ${line}: field ${problem.field}: found ${problem.found}`);
    }
    const fields = record.map((f) => f.trim());
    if (header === undefined) {
      header = fields.map((f) => f.toLowerCase());
      const ok = header.includes("device_id") || (header.includes("serial") && header.includes("manufacturer"));
      if (!ok) {
        throw new DeliveryInputError(
          `line ${line}: the delivery CSV's header names columns manufacturer and serial, or device_id ` +
            `(got: ${fields.join(",")})`,
        );
      }
      return;
    }
    if (fields.every((f) => f === "")) return;
    const at = (name: string) => fields[header!.indexOf(name)] ?? "";
    if (header.includes("serial") && at("serial") !== "") {
      items.push({ manufacturer: at("manufacturer"), serial: at("serial") });
    } else {
      items.push({ deviceId: at("device_id") });
    }
  });
  try {
    splitter.push(text.replace(/^\uFEFF/, ""));
    splitter.end();
  } catch (error) {
    if (error instanceof DeliveryInputError) throw error;
    throw new DeliveryInputError(`the delivery CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (header === undefined) throw new DeliveryInputError("the delivery CSV is empty");
  return deliveryDevices(items);
}
