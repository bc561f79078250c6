/** The audit sample record lives in the SDK (sdk/src/sample-record.ts): verifiers hash it with the same code. */
export * from "../../sdk/src/sample-record.ts";
