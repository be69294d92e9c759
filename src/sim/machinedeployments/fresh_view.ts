/**
 * Read-your-own-writes on top of an informer cache. A controller that acts on a cache which has not yet seen its
 * own last write would act twice (create a second machine, scale a set again with a stale resourceVersion). The
 * view remembers the objects our writes returned, and gives them precedence over cached versions with a lower
 * resourceVersion; an object we deleted is hidden until the cache drops it. Entries vanish as soon as the informer
 * delivers the same or a newer version (or the deletion), and after `ttlMs` at the latest (a change we never see,
 * e.g. an object created and deleted by others before the informer caught up).
 */
import type { Informer } from "../../k8s/cache/informer.ts";
import { type KubeObject, objectKey, resourceVersionNumber } from "../../k8s/api/objects.ts";
import type { Clock } from "../../runtime/clock.ts";

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

  constructor(readonly informer: Informer<T>, private readonly clock: Clock, private readonly ttlMs = 120_000) {
    const seen = (o: T) => this.observed(o);
    this.unregister = informer.addEventHandler({
      onAdd: seen,
      onUpdate: (_old, o) => seen(o),
      onDelete: (o) => {
        const key = objectKey(o);
        const e = this.entries.get(key);
        if (e && (e.obj === undefined || resourceVersionNumber(o) >= e.rv)) this.entries.delete(key);
      },
    });
  }

  /** Stops following the informer. */
  close(): void {
    this.unregister();
    this.entries.clear();
  }

  /** Records the object a create/update/patch (or a delete that left it in place) returned. */
  wrote(obj: T): void {
    // A deleting object without finalizers no longer exists: the write (e.g. removing the last finalizer) ended it.
    if (obj.metadata.deletionTimestamp && !obj.metadata.finalizers?.length) return this.deleted(obj);
    const key = objectKey(obj);
    const rv = resourceVersionNumber(obj);
    const cached = this.informer.get(key);
    if (cached && resourceVersionNumber(cached) >= rv) return;
    const current = this.entries.get(key);
    if (current && current.rv > rv) return;
    this.entries.set(key, { obj: Object.freeze(obj), rv, expires: this.clock.now() + this.ttlMs });
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

  /** Number of writes not yet seen by the informer (tests). */
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
