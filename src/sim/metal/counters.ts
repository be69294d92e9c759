/** Requests served, by `<METHOD> <endpoint template> <status>` (or `lost`/`timeout` when no response arrived). */

/** Request counters of one simulator. */
export class RequestCounters {
  private counts = new Map<string, number>();

  /** Counts one request. */
  record(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** A copy of the counts. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Sum of the counts whose key starts with `prefix` (e.g. `POST /projects/{id}/devices`). */
  total(prefix = ""): number {
    let n = 0;
    for (const [k, v] of this.counts) if (k.startsWith(prefix)) n += v;
    return n;
  }

  /** Forgets every count. */
  reset(): void {
    this.counts.clear();
  }
}
