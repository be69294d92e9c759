/**
 * Read-your-own-writes on top of an informer cache. A controller that acts on a cache which has not yet seen its own
 * last write would act twice (call a driver again, create a second object, scale a set again with a stale
 * resourceVersion). The view remembers the objects our writes returned and prefers them to cached versions with a
 * lower resourceVersion; an object we deleted is hidden until the cache drops it.
 *
 * An entry ends when the informer delivers the same or a newer version, when it delivers the deletion of the object
 * we wrote (same uid: the deletion wins, whatever resourceVersion the informer last knew), and after `ttlMs` at the
 * latest (a change we never see, e.g. an object created and deleted by others before the informer caught up). The
 * deletion of an earlier object of the same name (another uid, older version) does not hide our re-creation.
 */
import type { Informer } from "./informer.ts";
import { type KubeObject, objectKey, resourceVersionNumber } from "../api/objects.ts";
import type { Clock } from "../../runtime/clock.ts";

/** How long an unobserved write is preferred to the cache at most (default). */
export const FRESH_VIEW_TTL_MS = 120_000;

interface Entry<T> {
  /** The object as our write returned it; undefined for a deletion. */
  obj?: T;
  rv: number;
  expires: number;
}

/** Cache plus our not-yet-observed writes. */
export class FreshView<T extends KubeObject> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly unregister: () => void;

  constructor(
    readonly informer: Informer<T>,
    private readonly clock: Clock,
    private readonly ttlMs = FRESH_VIEW_TTL_MS,
  ) {
    const seen = (o: T) => this.observed(o);
    this.unregister = informer.addEventHandler({
      onAdd: seen,
      onUpdate: (_old, o) => seen(o),
      onDelete: (o) => {
        const key = objectKey(o);
        const e = this.entries.get(key);
        if (e && (e.obj === undefined || sameObject(e.obj, o) || resourceVersionNumber(o) >= e.rv)) {
          this.entries.delete(key);
        }
      },
    });
  }

  /** Stops following the informer. */
  close(): void {
    this.unregister();
    this.entries.clear();
  }

  /** Records the object a create/update/patch (or a delete that left it in place) returned; returns it. */
  wrote(obj: T): T {
    // A deleting object without finalizers no longer exists: the write (e.g. removing the last finalizer) ended it.
    if (obj.metadata.deletionTimestamp && !obj.metadata.finalizers?.length) {
      this.deleted(obj);
      return obj;
    }
    const key = objectKey(obj);
    const rv = resourceVersionNumber(obj);
    const cached = this.informer.get(key);
    if (cached && resourceVersionNumber(cached) >= rv) return obj;
    const current = this.entries.get(key);
    if (current && current.rv > rv) return obj;
    this.entries.set(key, { obj: Object.freeze(obj), rv, expires: this.clock.now() + this.ttlMs });
    return obj;
  }

  /** Records that a delete removed the object (the server answered with a Status). */
  deleted(obj: T): void {
    const key = objectKey(obj);
    const rv = Math.max(resourceVersionNumber(obj), this.entries.get(key)?.rv ?? 0);
    this.entries.set(key, { rv, expires: this.clock.now() + this.ttlMs });
  }

  /** The freshest known version of the object, or undefined if it does not exist (as far as we know). */
  get(key: string): T | undefined {
    return this.resolve(key, this.informer.get(key));
  }

  /** The freshest version of an object the informer returned (a list or index lookup); undefined if we deleted it. */
  latest(cached: T): T | undefined {
    return this.resolve(objectKey(cached), cached);
  }

  /**
   * The freshest versions of `cached` (objects from the informer, e.g. an index lookup) plus objects we wrote that
   * the informer does not have yet and that `belongs` accepts.
   */
  merge(cached: readonly T[], belongs: (obj: T) => boolean): T[] {
    const out: T[] = [];
    const keys = new Set<string>();
    for (const c of cached) {
      const key = objectKey(c);
      keys.add(key);
      const fresh = this.resolve(key, c);
      if (fresh && belongs(fresh)) out.push(fresh);
    }
    // Our writes the index does not reflect yet: new objects, or objects whose change made them belong here.
    for (const key of [...this.entries.keys()]) {
      if (keys.has(key)) continue;
      const fresh = this.resolve(key, this.informer.get(key));
      if (fresh && belongs(fresh)) out.push(fresh);
    }
    return out;
  }

  /** Number of writes not yet seen by the informer (tests, benchmarks). */
  pending(): number {
    return this.entries.size;
  }

  private resolve(key: string, cached: T | undefined): T | undefined {
    const e = this.entries.get(key);
    if (!e) return cached;
    if (e.expires <= this.clock.now() || (cached && resourceVersionNumber(cached) >= e.rv && e.obj)) {
      this.entries.delete(key);
      return cached;
    }
    if (cached && e.obj === undefined && resourceVersionNumber(cached) > e.rv) {
      // The cache holds a newer object of the same name: it was created again after our delete.
      this.entries.delete(key);
      return cached;
    }
    return e.obj;
  }

  private observed(o: T): void {
    const key = objectKey(o);
    const e = this.entries.get(key);
    if (e?.obj && resourceVersionNumber(o) >= e.rv) this.entries.delete(key);
  }
}

/** True unless both objects carry a uid and the uids differ (an object of the same name created anew). */
function sameObject(a: KubeObject, b: KubeObject): boolean {
  return !a.metadata.uid || !b.metadata.uid || a.metadata.uid === b.metadata.uid;
}
