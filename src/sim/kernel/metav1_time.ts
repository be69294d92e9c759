/** Kubernetes `metav1.Time` text: RFC 3339 in UTC with second precision. */

/** Formats epoch milliseconds as `2026-11-21T00:00:00Z`. */
export function metav1Time(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Parses RFC 3339 text to epoch milliseconds; undefined when absent or unparsable. */
export function parseTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}
