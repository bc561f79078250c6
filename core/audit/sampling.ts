/** The audit sample draw lives in the SDK (sdk/src/sample-draw.ts) so every verifier replays the same code. */
export * from "../../sdk/src/sample-draw.ts";
