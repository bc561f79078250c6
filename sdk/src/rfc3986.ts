/**
 * The parts of RFC 3986 (URI generic syntax) and RFC 3339 (date-time) that EIP-4361 messages are made of, as
 * exact checks of their ABNF: no `new URL(...)` (which repairs, normalises and accepts what the grammar does not)
 * and no `Date.parse` alone (which reads `Wed Oct 05 2011`). Pure: no I/O, usable in the browser.
 */

const ALPHA = "A-Za-z";
const DIGIT = "0-9";
const UNRESERVED = `${ALPHA}${DIGIT}\\-._~`;
const SUB_DELIMS = "!$&'()*+,;=";
const PCT = "%[0-9A-Fa-f]{2}";
/** pchar = unreserved / pct-encoded / sub-delims / ":" / "@" */
const PCHAR = `(?:[${UNRESERVED}${SUB_DELIMS}:@]|${PCT})`;

const SCHEME = new RegExp(`^[${ALPHA}][${ALPHA}${DIGIT}+\\-.]*$`);
const USERINFO = new RegExp(`^(?:[${UNRESERVED}${SUB_DELIMS}:]|${PCT})*$`);
const REG_NAME = new RegExp(`^(?:[${UNRESERVED}${SUB_DELIMS}]|${PCT})*$`);
const IPV_FUTURE = new RegExp(`^[vV][0-9A-Fa-f]+\\.[${UNRESERVED}${SUB_DELIMS}:]+$`);
const PORT = /^[0-9]*$/;
const SEGMENTS = new RegExp(`^(?:/${PCHAR}*)*$`); // path-abempty
const QUERY = new RegExp(`^(?:${PCHAR}|[/?])*$`); // query = fragment = *( pchar / "/" / "?" )
const DEC_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const IPV4 = new RegExp(`^${DEC_OCTET}(?:\\.${DEC_OCTET}){3}$`);
const H16 = /^[0-9A-Fa-f]{1,4}$/;

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
export const isScheme = (s: string): boolean => SCHEME.test(s);

/** IPv4address (dotted decimal, no leading zeros). */
export const isIPv4 = (s: string): boolean => IPV4.test(s);

/** IPv6address: eight h16 groups, or fewer with one "::", optionally ending in an IPv4address. */
export function isIPv6(s: string): boolean {
  let text = s;
  const v4 = /^(.*:)([^:]*\.[^:]*)$/.exec(text);
  if (v4) {
    if (!isIPv4(v4[2]!)) return false;
    text = `${v4[1]!}0:0`; // the IPv4 tail stands for two groups
  }
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...head, ...tail].every((g) => H16.test(g))) return false;
  const count = head.length + tail.length;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** host = IP-literal / IPv4address / reg-name */
function isHost(host: string): boolean {
  if (host.startsWith("[")) {
    if (!host.endsWith("]")) return false;
    const inner = host.slice(1, -1);
    return isIPv6(inner) || IPV_FUTURE.test(inner);
  }
  return REG_NAME.test(host); // an IPv4address is also a reg-name
}

/** authority = [ userinfo "@" ] host [ ":" port ] */
export function isAuthority(s: string): boolean {
  const at = s.lastIndexOf("@");
  if (at >= 0 && !USERINFO.test(s.slice(0, at))) return false;
  const hostPort = s.slice(at + 1);
  const literalEnd = hostPort.startsWith("[") ? hostPort.indexOf("]") : -1;
  const colon = hostPort.indexOf(":", literalEnd + 1);
  const host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
  const port = colon >= 0 ? hostPort.slice(colon + 1) : "";
  return isHost(host) && PORT.test(port);
}

/**
 * URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ], where hier-part is "//" authority path-abempty,
 * path-absolute, path-rootless or path-empty.
 */
export function isUri(s: string): boolean {
  const colon = s.indexOf(":");
  if (colon < 1 || !isScheme(s.slice(0, colon))) return false;
  let rest = s.slice(colon + 1);
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    if (!QUERY.test(rest.slice(hash + 1))) return false;
    rest = rest.slice(0, hash);
  }
  const question = rest.indexOf("?");
  if (question >= 0) {
    if (!QUERY.test(rest.slice(question + 1))) return false;
    rest = rest.slice(0, question);
  }
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const authority = slash >= 0 ? rest.slice(2, slash) : rest.slice(2);
    return isAuthority(authority) && SEGMENTS.test(slash >= 0 ? rest.slice(slash) : "");
  }
  // path-absolute ("/" [ segment-nz *( "/" segment ) ]: "//" was the authority above), path-rootless
  // (segment-nz *( "/" segment )) or path-empty.
  return SEGMENTS.test(rest === "" || rest.startsWith("/") ? rest : `/${rest}`);
}

/** RFC 3986 "reserved" / "unreserved" / " ": the characters of an EIP-4361 statement (no LF, ASCII only). */
export const isStatementText = (s: string): boolean =>
  new RegExp(`^[${UNRESERVED}:/?#\\[\\]@${SUB_DELIMS} ]*$`).test(s);

/** request-id = *pchar */
export const isPchars = (s: string): boolean => new RegExp(`^${PCHAR}*$`).test(s);

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** RFC 3339 date-time, with its ranges (month 1–12, day within the month, hour < 24, minute < 60, second ≤ 60). */
export function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return true;
}

/** The instant of an RFC 3339 date-time (checked with {@link isDateTime} first), in ms since the epoch. */
export const dateTimeMs = (s: string): number => Date.parse(s.toUpperCase());
