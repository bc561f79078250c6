/**
 * The small subset of TOML that Besu's config and permissions files use: comments, and `key=value` pairs whose value
 * is a string, an integer, a boolean or an array of strings. Output is deterministic (keys in the order given).
 */

export type TomlValue = string | number | boolean | readonly string[];

/** One line of a TOML document: a `# comment`, a blank line, or `key=value`. */
export type TomlLine =
  { readonly comment: string } | { readonly blank: true } | readonly [key: string, value: TomlValue];

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
/** Arrays longer than this are written one element per line. */
const INLINE_ARRAY_LIMIT = 100;

/**
 * A TOML basic string. JSON's escapes (\" \\ \n \t \uXXXX …) are all valid TOML basic-string escapes, and the
 * values written here are validated hosts, paths and URLs, so JSON.stringify is exact.
 */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

function tomlValue(value: TomlValue): string {
  if (typeof value === "string") return tomlString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`TOML integer expected, got ${value}`);
    return String(value);
  }
  const items = value.map(tomlString);
  const inline = `[${items.join(",")}]`;
  if (inline.length <= INLINE_ARRAY_LIMIT) return inline;
  // Multi-line array without a trailing comma (accepted by every TOML version Besu has shipped a parser for).
  return `[\n${items.map((item) => `  ${item}`).join(",\n")}\n]`;
}

/** Renders lines to a TOML document ending with a newline. */
export function renderToml(lines: readonly TomlLine[]): string {
  const out = lines.map((line) => {
    if ("comment" in line) return line.comment === "" ? "#" : `# ${line.comment}`;
    if ("blank" in line) return "";
    const [key, value] = line;
    if (!BARE_KEY.test(key)) throw new RangeError(`not a bare TOML key: ${key}`);
    return `${key}=${tomlValue(value)}`;
  });
  return `${out.join("\n")}\n`;
}
