/**
 * RFC 8785 canonical JSON lives in the SDK (sdk/src/canonical-json.ts), the bottom layer, so the SDK can hash the
 * documents it verifies (the audit sample record) with the very code the calculation uses.
 */
export * from "../../sdk/src/canonical-json.ts";
