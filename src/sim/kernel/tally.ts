/**
 * Counts by key: the one request-counter notion of the simulators. The Metal simulator tallies requests by
 * `<METHOD> <endpoint template> <status>`, the API server by verb and by `verb resource`, fault injectors by what they
 * injected.
 */

/** Counts by key. */
export class Tally {
  private counts = new Map<string, number>();

  /** Counts one occurrence of `key`. */
  record(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** A copy of the counts, sorted by key. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Every key with its count, in the order they were first recorded. */
  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
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
