/** Block timestamps (Unix seconds, as the chain stores them) as ISO 8601 UTC text. */
export function isoTime(unixSeconds: number | bigint): string {
  return new Date(Number(unixSeconds) * 1000).toISOString();
}
