/**
 * Request counters by verb and by `verb resource` (subresources as `resource/status`). Every resource request that
 * reaches the server is counted, including those answered with an injected fault, since each one is load a client
 * put on the API.
 */
import { Tally } from "../kernel/mod.ts";

export interface RequestCounters {
  /** Requests served, by `verb` and by `verb resource` (e.g. `update machines`, `patch workers/status`). */
  snapshot(): { byVerb: Record<string, number>; byVerbResource: Record<string, number> };
  /** create+update+patch+delete+deletecollection requests, optionally excluding some resources (e.g. leases). */
  writes(opts?: { excludeResources?: string[] }): number;
  reset(): void;
}

const WRITE_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection"]);

/** True for the verbs that change objects. */
export function isWriteVerb(verb: string): boolean {
  return WRITE_VERBS.has(verb);
}

/** In-memory request counters: two tallies, by verb and by `verb resource`. */
export class Counters implements RequestCounters {
  private byVerb = new Tally();
  private byVerbResource = new Tally();

  /** Counts one request. */
  record(verb: string, resource: string): void {
    this.byVerb.record(verb);
    this.byVerbResource.record(`${verb} ${resource}`);
  }

  snapshot(): { byVerb: Record<string, number>; byVerbResource: Record<string, number> } {
    return {
      byVerb: Object.fromEntries(this.byVerb.entries()),
      byVerbResource: Object.fromEntries(this.byVerbResource.entries()),
    };
  }

  writes(opts: { excludeResources?: string[] } = {}): number {
    const excluded = new Set(opts.excludeResources ?? []);
    let n = 0;
    for (const [key, count] of this.byVerbResource.entries()) {
      const [verb, resource] = key.split(" ", 2);
      if (!isWriteVerb(verb)) continue;
      if (excluded.has(resource) || excluded.has(resource.split("/")[0])) continue;
      n += count;
    }
    return n;
  }

  reset(): void {
    this.byVerb.reset();
    this.byVerbResource.reset();
  }
}
