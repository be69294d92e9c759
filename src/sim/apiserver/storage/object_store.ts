/**
 * The fake API server's storage: objects in maps keyed by resource / namespace / name, one global increasing
 * resourceVersion, a uid index and an owner index (for garbage collection), and per-resource watch caches.
 * Stored objects are never mutated: every commit stores a new object together with its serialisation.
 */
import type { KubeObject } from "../../../k8s/api/objects.ts";
import { ChangeEvent } from "./change_event.ts";
import { WatchHistory } from "./watch_history.ts";
import type { Watcher } from "./watcher.ts";

/** An object as stored: immutable, with its JSON. */
export interface StoredObject {
  readonly object: KubeObject;
  readonly json: string;
  readonly rv: number;
}

/** Location of an object: storage key plus namespace/name. */
export interface ObjectLocation {
  storage: string;
  namespace: string;
  name: string;
}

/** Objects and watch state of one resource (all versions). */
class ResourceTable {
  readonly byNamespace = new Map<string, Map<string, StoredObject>>();
  readonly watchers = new Set<Watcher>();
  size = 0;
  constructor(readonly history: WatchHistory) {}
}

type Listener = (e: ChangeEvent) => void;

function refKey(loc: ObjectLocation): string {
  return `${loc.storage}\u0000${loc.namespace}\u0000${loc.name}`;
}

function parseRefKey(key: string): ObjectLocation {
  const [storage, namespace, name] = key.split("\u0000");
  return { storage, namespace, name };
}

/** A copy with the resourceVersion set, keys in the order the real server writes them. */
function withResourceVersion(obj: KubeObject, rv: number): KubeObject {
  const { apiVersion, kind, metadata, ...rest } = obj;
  return { apiVersion, kind, metadata: { ...metadata, resourceVersion: String(rv) }, ...rest };
}

/** Sort key of an object inside its resource: `namespace/name` (name alone for cluster-scoped). */
export function listKey(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** All objects, watch caches and indexes. */
export class ObjectStore {
  private rv = 0;
  /** Watch history before this resourceVersion is gone for every resource (see `compact`). */
  private compactedRv = 0;
  private readonly tables = new Map<string, ResourceTable>();
  private readonly byUid = new Map<string, ObjectLocation>();
  private readonly byOwnerUid = new Map<string, Set<string>>();
  private readonly listeners: Listener[] = [];

  constructor(private readonly historyCapacity: number) {}

  /** The current (latest committed) resourceVersion. */
  currentRv(): number {
    return this.rv;
  }

  /** Registers a function called synchronously after every commit. */
  onChange(l: Listener): void {
    this.listeners.push(l);
  }

  private table(storage: string): ResourceTable {
    let t = this.tables.get(storage);
    if (!t) {
      t = new ResourceTable(new WatchHistory(this.historyCapacity, this.compactedRv));
      this.tables.set(storage, t);
    }
    return t;
  }

  /** One object, or undefined. */
  get(storage: string, namespace: string, name: string): StoredObject | undefined {
    return this.tables.get(storage)?.byNamespace.get(namespace)?.get(name);
  }

  /** Where the object with this uid lives, if it exists. */
  locateUid(uid: string): ObjectLocation | undefined {
    return this.byUid.get(uid);
  }

  /** Objects whose ownerReferences name this uid. */
  dependentsOf(uid: string): ObjectLocation[] {
    return [...(this.byOwnerUid.get(uid) ?? [])].map(parseRefKey);
  }

  /** Objects of a resource (in one namespace, or all), sorted by list key. */
  list(storage: string, namespace?: string): Array<{ key: string; stored: StoredObject }> {
    const t = this.tables.get(storage);
    if (!t) return [];
    const out: Array<{ key: string; stored: StoredObject }> = [];
    const add = (ns: string, m: Map<string, StoredObject>) => {
      for (const [name, stored] of m) out.push({ key: listKey(ns, name), stored });
    };
    if (namespace !== undefined) {
      const m = t.byNamespace.get(namespace);
      if (m) add(namespace, m);
    } else {
      for (const [ns, m] of t.byNamespace) add(ns, m);
    }
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  /** Number of objects of a resource in a namespace (all resources with `namespace` set). */
  countInNamespace(namespace: string): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.byNamespace.get(namespace)?.size ?? 0;
    return n;
  }

  /** Storage keys that have at least one object in the namespace. */
  resourcesInNamespace(namespace: string): string[] {
    const out: string[] = [];
    for (const [storage, t] of this.tables) if (t.byNamespace.get(namespace)?.size) out.push(storage);
    return out;
  }

  /** Number of objects of a resource. */
  size(storage: string): number {
    return this.tables.get(storage)?.size ?? 0;
  }

  /** Stores a new or changed object at the next resourceVersion and notifies watchers; returns what was stored. */
  put(storage: string, obj: KubeObject): StoredObject {
    const namespace = obj.metadata.namespace ?? "";
    const name = obj.metadata.name ?? "";
    const t = this.table(storage);
    let ns = t.byNamespace.get(namespace);
    const previous = ns?.get(name);
    const rv = ++this.rv;
    const object = withResourceVersion(obj, rv);
    const json = JSON.stringify(object);
    const stored: StoredObject = { object, json, rv };
    if (!ns) {
      ns = new Map();
      t.byNamespace.set(namespace, ns);
    }
    ns.set(name, stored);
    if (!previous) t.size++;
    const loc = { storage, namespace, name };
    this.index(loc, previous?.object, object);
    this.publish(t, new ChangeEvent(previous ? "MODIFIED" : "ADDED", rv, storage, object, json, previous?.object));
    return stored;
  }

  /** Removes an object at the next resourceVersion; `last` is its final state (e.g. without finalizers). */
  remove(storage: string, last: KubeObject): StoredObject | undefined {
    const namespace = last.metadata.namespace ?? "";
    const name = last.metadata.name ?? "";
    const t = this.tables.get(storage);
    const ns = t?.byNamespace.get(namespace);
    const previous = ns?.get(name);
    if (!t || !ns || !previous) return undefined;
    ns.delete(name);
    if (ns.size === 0) t.byNamespace.delete(namespace);
    t.size--;
    const rv = ++this.rv;
    const object = withResourceVersion(last, rv);
    const json = JSON.stringify(object);
    this.index({ storage, namespace, name }, previous.object, undefined);
    this.publish(t, new ChangeEvent("DELETED", rv, storage, object, json, previous.object));
    return { object, json, rv };
  }

  private index(loc: ObjectLocation, before: KubeObject | undefined, after: KubeObject | undefined): void {
    const key = refKey(loc);
    const beforeOwners = new Set((before?.metadata.ownerReferences ?? []).map((o) => o.uid));
    const afterOwners = new Set((after?.metadata.ownerReferences ?? []).map((o) => o.uid));
    for (const uid of beforeOwners) {
      if (afterOwners.has(uid)) continue;
      const set = this.byOwnerUid.get(uid);
      set?.delete(key);
      if (set?.size === 0) this.byOwnerUid.delete(uid);
    }
    for (const uid of afterOwners) {
      if (beforeOwners.has(uid)) continue;
      let set = this.byOwnerUid.get(uid);
      if (!set) this.byOwnerUid.set(uid, set = new Set());
      set.add(key);
    }
    if (before?.metadata.uid && before.metadata.uid !== after?.metadata.uid) this.byUid.delete(before.metadata.uid);
    if (after?.metadata.uid) this.byUid.set(after.metadata.uid, loc);
  }

  private publish(t: ResourceTable, e: ChangeEvent): void {
    t.history.push(e);
    for (const w of t.watchers) w.offer(e);
    for (const l of this.listeners) l(e);
  }

  /** Adds a watcher to a resource; events are offered to it from now on. */
  addWatcher(storage: string, w: Watcher): void {
    this.table(storage).watchers.add(w);
  }

  /** Removes a watcher. */
  removeWatcher(storage: string, w: Watcher): void {
    this.tables.get(storage)?.watchers.delete(w);
  }

  /** Events of a resource after `rv`, or undefined when that is older than the retained history (410). */
  historySince(storage: string, rv: number): ChangeEvent[] | undefined {
    return this.table(storage).history.since(rv);
  }

  /** Oldest resourceVersion a watch of this resource can resume from. */
  oldestResumable(storage: string): number {
    return this.table(storage).history.oldestResumable();
  }

  /** Every open watcher. */
  allWatchers(): Watcher[] {
    return [...this.tables.values()].flatMap((t) => [...t.watchers]);
  }

  /** Forgets every resource's watch history up to now. */
  compact(): void {
    this.compactedRv = this.rv;
    for (const t of this.tables.values()) t.history.compact(this.rv);
  }

  /** Drops every object of a resource without events (the resource stopped being served). */
  dropResource(storage: string): void {
    const t = this.tables.get(storage);
    if (!t) return;
    for (const [ns, m] of t.byNamespace) {
      for (const [name, stored] of m) this.index({ storage, namespace: ns, name }, stored.object, undefined);
    }
    for (const w of t.watchers) w.close("stopped");
    this.tables.delete(storage);
  }
}
