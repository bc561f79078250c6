/** The inputs of a lot calculation besides its devices, and the state the report and the batch results come from. */
import type { Text } from "./lot-inputs.ts";
import type { Figures, RefInfo } from "./memo.ts";
import type { ReferenceTable } from "./reference.ts";
import type { BatchReport, BatchResult, DeviceInput, ExclusionReason, ExternalClaim, InputProblem } from "./types.ts";

/** Lot-level inputs of the calculation. */
export interface LotOptions {
  /** The calculation date, `YYYY-MM-DD` (recorded in the report; never read from a clock). */
  readonly asOf: string;
  /** Legs applied to devices whose `transport` is empty, e.g. `hgv:600;van:250`. */
  readonly defaultTransport?: string | undefined;
  readonly lotId?: string | undefined;
  readonly refurbisher?: string | undefined;
  /** Device ids (`0x` lower-case hex) already certified in the registry: such devices are `SERIAL_DUPLICATE`. */
  readonly certifiedDeviceIds?: ReadonlySet<string> | undefined;
  /**
   * Device ids (`0x` lower-case hex) listed by a registered external device set, with that set: such devices are
   * `CLAIMED_ELSEWHERE` (docs/adr/0056). An id in several sets names the lowest set id.
   */
  readonly claimedElsewhere?: ReadonlyMap<string, ExternalClaim> | undefined;
  /** Called now and then during the calculation with (devices done, devices in the lot). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Sizes of the memo tables (how much distinct work a lot needed) and Decimal fallbacks of the shortcut. */
export interface MemoStats {
  references: number;
  projects: number;
  lives: number;
  figures: number;
  /** Figures the double filter left to the exact fixed-point path / to the Decimal evaluation. */
  exact: number;
  fallbacks: number;
}

/** Normalised manufacturer and model of a raw spelling, and the references of that pair per category. */
export interface NameInfo {
  readonly manufacturer: Text;
  readonly model: Text;
  readonly refs: (RefInfo | undefined)[];
}

/** Everything the report and the batch results are rendered from. */
export interface LotState {
  readonly devices: readonly DeviceInput[];
  readonly options: LotOptions;
  readonly asOf: string;
  readonly defaultTransport: string | null;
  readonly reference: ReferenceTable;
  /** Per device: normalised serial; normalised names and category; the report's text of the other inputs. */
  readonly serials: string[];
  readonly names: NameInfo[];
  readonly categories: Text[];
  readonly madeTexts: Text[];
  readonly refurbishedTexts: Text[];
  readonly monthsTexts: Text[];
  readonly partsTexts: Text[];
  /** Per device: 0 eligible, else 1 + index in EXCLUSION_REASONS. */
  readonly codes: Uint8Array;
  /** Per device: 1 when it has a device id. */
  readonly hasId: Uint8Array;
  /** 32 bytes per device. */
  readonly idBytes: Uint8Array;
  /** Per device: its figures when eligible. */
  readonly figures: (Figures | undefined)[];
  /** Per device: applied mass and transport. */
  readonly masses: Text[];
  readonly transports: Text[];
  readonly problems: Map<number, InputProblem[]>;
  /** Per `CLAIMED_ELSEWHERE` device: the set that lists it. */
  readonly claims: Map<number, ExternalClaim>;
  readonly batches: readonly BatchResult[];
  readonly batchReports: readonly BatchReport[];
  readonly excluded: Partial<Record<ExclusionReason, number>>;
  readonly eligible: number;
  readonly stats: MemoStats;
}
