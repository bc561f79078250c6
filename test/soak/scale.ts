/**
 * The hardening campaign's one knob (issue 18 item 7): every scenario under test/soak/ takes its size from here.
 * `ITEC_SOAK=full` (`npm run soak`) is the campaign the issue asks for; unset (or `ci`) is the slice `npm test`
 * runs, a few minutes on a two-core machine. Test code, like ITEC_TEST_CHAIN in test/helpers/chain.ts: the
 * registry's own entry points never read it, so it is not among core/config.ts's VARIABLES.
 */
export type SoakScale = "ci" | "full";

export interface Scale {
  name: SoakScale;
  fuzz: {
    /** Generated requests in all, spread over every operation (seeded). */
    requests: number;
    seed: number;
  };
  dos: {
    /** Devices in the lot calculated while the probes run. */
    devices: number;
    /** Scope 3 reports rendered at once, and their inventory rows. */
    reports: number;
    inventoryRows: number;
    idleProbes: number;
    /** Assert the latency budget (verify p99 ≤ 50 ms under load); the CI slice only reports it. */
    assertBudget: boolean;
  };
  /** SIGKILLs of `itec serve`, lots submitted meanwhile, and the seed of the kills' random instants. */
  chaos: { kills: number; lots: number; seed: number };
  load: { transfers: number; retirements: number; accounts: number };
  /** fast-check runs of test/contracts/invariants.test.ts. */
  invariantRuns: number;
}

export const SCALES: Readonly<Record<SoakScale, Scale>> = {
  ci: {
    name: "ci",
    fuzz: { requests: 1_500, seed: 18_07 },
    dos: { devices: 2_000, reports: 1, inventoryRows: 1_000, idleProbes: 100, assertBudget: false },
    chaos: { kills: 3, lots: 3, seed: 18_07 },
    load: { transfers: 100, retirements: 100, accounts: 10 },
    invariantRuns: 100,
  },
  full: {
    name: "full",
    fuzz: { requests: 12_000, seed: 18_07 },
    dos: { devices: 50_000, reports: 4, inventoryRows: 10_000, idleProbes: 300, assertBudget: true },
    chaos: { kills: 20, lots: 20, seed: 18_07 },
    load: { transfers: 1_000, retirements: 1_000, accounts: 12 },
    invariantRuns: 10_000,
  },
};

/** The scale of this run: `ITEC_SOAK` (ci | full; default ci). Anything else stops the run with the fix. */
export function soakScale(env: NodeJS.ProcessEnv = process.env): Scale {
  const raw = env.ITEC_SOAK ?? "ci";
  if (raw === "ci" || raw === "full") return SCALES[raw];
  throw new Error(`ITEC_SOAK: expected ci or full, got ${JSON.stringify(raw)} (e.g. ITEC_SOAK=full, or unset it)`);
}

export const SCALE: Scale = soakScale();
