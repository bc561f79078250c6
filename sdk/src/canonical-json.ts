/**
 * RFC 8785 (JSON Canonicalization Scheme) for the values a report holds: objects with members sorted by UTF-16 code
 * units, no insignificant whitespace, strings and numbers serialised as ECMAScript's JSON.stringify does.
 * Object members whose value is `undefined` are omitted (as JSON.stringify does); anything not representable in
 * I-JSON (non-finite numbers, bigint, functions, lone surrogates, `undefined` in an array) is an error.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A string as canonical JSON (JSON.stringify's escaping; lone surrogates refused). */
export function canonicalString(value: string): string {
  if (LONE_SURROGATE.test(value)) throw new TypeError("canonicalJson: string contains a lone surrogate");
  return JSON.stringify(value);
}

/** Canonical JSON text of `value`. */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return canonicalString(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        return `[${value
          .map((item: unknown) => {
            if (item === undefined) throw new TypeError("canonicalJson: undefined in an array");
            return canonicalJson(item);
          })
          .join(",")}]`;
      }
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${canonicalString(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot serialise a ${typeof value}`);
  }
}
