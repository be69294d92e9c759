/**
 * Apply step shared by the extension controllers that write objects into one namespace of the seed: every write is
 * counted, a create that races with another writer falls back to comparing with the stored object, and an update is
 * a merge patch of the difference between two views of the stored and the desired object, sent only if there is one
 * (so an up-to-date namespace costs no write request). Deletes of objects that are already gone count as done.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import { isAlreadyExists, isNotFound } from "../../k8s/api/errors.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { jsonEqual } from "../../k8s/api/patch/json_value.ts";
import { createMergePatch } from "../../k8s/api/patch/merge_patch.ts";
import type { ResourceType } from "../../k8s/api/resources.ts";
import type { Logger } from "../../observability/log.ts";
import type { Counter } from "../../observability/metrics.ts";

/** The two sides of a compare-before-write: what is stored and what we want, in the same projection. */
export interface WriteViews {
  from: unknown;
  to: unknown;
}

/** Counted, compare-before-write writes to one namespace; controllers extend it with their kinds' particulars. */
export class NamespaceWriter {
  /** Write requests sent so far (tests and logs). */
  writes = 0;

  constructor(
    protected readonly client: KubeClient,
    protected readonly namespace: string,
    protected readonly log: Logger,
    protected readonly signal: AbortSignal | undefined,
    private readonly writesTotal: Counter<"verb" | "resource">,
  ) {}

  /** Counts one write request. */
  protected count(verb: string, res: ResourceType): void {
    this.writes++;
    this.writesTotal.inc({ verb, resource: res.resource });
  }

  /** Request options of this namespace. */
  protected get opts(): { namespace: string; signal?: AbortSignal } {
    return { namespace: this.namespace, signal: this.signal };
  }

  /**
   * Creates `desired` if `existing` is undefined, else merge-patches the difference of `views(existing)` (a create
   * that finds the name taken compares with the stored object); returns the stored object.
   */
  protected async createOrPatch<T extends KubeObject>(
    res: ResourceType,
    desired: T,
    existing: T | undefined,
    views: (stored: T) => WriteViews,
  ): Promise<T> {
    const name = desired.metadata.name ?? "";
    if (existing === undefined) {
      try {
        this.count("create", res);
        const created = await this.client.create<T>(res, desired, this.opts);
        this.log.info("Created", { kind: res.kind, name });
        return created;
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        // Another writer (or our own earlier attempt) won the race: compare with what is stored.
        existing = await this.client.get<T>(res, name, this.opts);
      }
    }
    const { from, to } = views(existing);
    if (jsonEqual(from, to)) return existing;
    this.count("patch", res);
    const patched = await this.client.patch<T>(res, name, createMergePatch(from, to), "merge", this.opts);
    this.log.info("Updated", { kind: res.kind, name });
    return patched;
  }

  /** Sends a delete; false if the object was already gone. */
  protected async sendDelete(res: ResourceType, name: string): Promise<boolean> {
    try {
      this.count("delete", res);
      await this.client.delete(res, name, this.opts);
      this.log.info("Deleted", { kind: res.kind, name });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}
