/**
 * The controllers a real control plane runs next to kube-apiserver, reduced to what clients can observe:
 * - CRD registration: a stored CRD is served at once; a deleted one stops being served;
 * - CRD cleanup: deleting a CRD deletes its custom resources, then the CRD;
 * - namespace lifecycle: a Terminating namespace's objects are deleted, then the namespace;
 * - garbage collection by ownerReferences: background (dependents of a vanished owner are deleted), foreground
 *   (the owner waits with `foregroundDeletion` until blocking dependents are gone) and orphan.
 * They react to committed changes and run in a microtask after the write that triggered them.
 */
import type { KubeObject, OwnerReference } from "../../k8s/api/objects.ts";
import type { Logger } from "../../observability/log.ts";
import type { ChangeEvent } from "./storage/change_event.ts";
import { crdSpec } from "./registry/crd_resources.ts";
import type { ObjectLocation, ObjectStore } from "./storage/object_store.ts";
import type { ResourceRegistry } from "./registry/resource_registry.ts";
import { storageKey } from "./registry/served_resource.ts";
import { CRD_CLEANUP_FINALIZER, type WritePath } from "./write_path.ts";

const CRD_STORAGE = "customresourcedefinitions.apiextensions.k8s.io";
const FOREGROUND = "foregroundDeletion";
const ORPHAN = "orphan";

type Task =
  | { kind: "dependent"; loc: ObjectLocation }
  | { kind: "ownerGone"; uid: string }
  | { kind: "foreground"; uid: string }
  | { kind: "orphan"; uid: string }
  | { kind: "namespace"; name: string }
  | { kind: "crd"; name: string };

function taskKey(t: Task): string {
  switch (t.kind) {
    case "dependent":
      return `dependent ${t.loc.storage} ${t.loc.namespace} ${t.loc.name}`;
    case "namespace":
    case "crd":
      return `${t.kind} ${t.name}`;
    default:
      return `${t.kind} ${t.uid}`;
  }
}

/** Reacts to committed changes like kube-controller-manager and apiextensions controllers would. */
export class ServerControllers {
  private queue: Task[] = [];
  private readonly pending = new Set<string>();
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly writes: WritePath,
    private readonly log: Logger,
  ) {
    store.onChange((e) => this.observe(e));
  }

  /** Stops reacting (server shutdown). */
  stop(): void {
    this.stopped = true;
    this.queue = [];
    this.pending.clear();
  }

  private observe(e: ChangeEvent): void {
    if (this.stopped) return;
    const obj = e.object;
    const meta = obj.metadata;
    if (e.storage === CRD_STORAGE) this.syncCrdRegistration(e);

    if (e.type === "DELETED") {
      if (meta.uid && this.store.dependentsOf(meta.uid).length) this.enqueue({ kind: "ownerGone", uid: meta.uid });
    } else {
      if (meta.ownerReferences?.length) {
        this.enqueue({
          kind: "dependent",
          loc: { storage: e.storage, namespace: meta.namespace ?? "", name: meta.name ?? "" },
        });
      }
      if (meta.deletionTimestamp && meta.uid) {
        if (meta.finalizers?.includes(FOREGROUND)) this.enqueue({ kind: "foreground", uid: meta.uid });
        if (meta.finalizers?.includes(ORPHAN)) this.enqueue({ kind: "orphan", uid: meta.uid });
      }
    }
    // A dependent that changed or went away may unblock an owner waiting in foreground deletion.
    for (const ref of [...(e.previous?.metadata.ownerReferences ?? []), ...(meta.ownerReferences ?? [])]) {
      const owner = this.ownerObject(ref.uid);
      if (owner?.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(FOREGROUND)) {
        this.enqueue({ kind: "foreground", uid: ref.uid });
      }
    }

    if (e.storage === "namespaces" && e.type !== "DELETED" && meta.deletionTimestamp) {
      this.enqueue({ kind: "namespace", name: meta.name ?? "" });
    }
    if (meta.namespace && e.type === "DELETED") {
      const ns = this.store.get("namespaces", "", meta.namespace);
      if (ns?.object.metadata.deletionTimestamp) this.enqueue({ kind: "namespace", name: meta.namespace });
    }

    if (e.storage === CRD_STORAGE && e.type !== "DELETED" && meta.deletionTimestamp) {
      this.enqueue({ kind: "crd", name: meta.name ?? "" });
    }
    if (e.type === "DELETED") {
      const r = this.registry.byStorageKey(e.storage);
      if (r?.custom) {
        const crd = this.store.get(CRD_STORAGE, "", r.custom.crdName);
        if (crd?.object.metadata.deletionTimestamp) this.enqueue({ kind: "crd", name: r.custom.crdName });
      }
    }
  }

  /** Serving follows the stored CRDs synchronously, so a CR can be created right after its CRD. */
  private syncCrdRegistration(e: ChangeEvent): void {
    const name = e.object.metadata.name ?? "";
    if (e.type === "DELETED") {
      const spec = crdSpec(e.object);
      this.registry.removeCrd(name);
      const key = storageKey({ group: spec.group ?? "", resource: spec.names?.plural ?? "" });
      if (!this.registry.byStorageKey(key)) this.store.dropResource(key);
      return;
    }
    this.registry.applyCrd(e.object);
  }

  private enqueue(t: Task): void {
    const key = taskKey(t);
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.queue.push(t);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    let i = 0;
    while (i < this.queue.length && !this.stopped) {
      const t = this.queue[i++];
      this.pending.delete(taskKey(t));
      try {
        this.run(t);
      } catch (e) {
        this.log.error("server controller task failed", { task: taskKey(t), error: e });
      }
    }
    this.queue = this.queue.slice(i);
  }

  private run(t: Task): void {
    switch (t.kind) {
      case "dependent":
        return this.collectDependent(t.loc);
      case "ownerGone":
        for (const loc of this.store.dependentsOf(t.uid)) this.collectDependent(loc);
        return;
      case "foreground":
        return this.foreground(t.uid);
      case "orphan":
        return this.orphan(t.uid);
      case "namespace":
        return this.namespace(t.name);
      case "crd":
        return this.crdCleanup(t.name);
    }
  }

  private ownerObject(uid: string): KubeObject | undefined {
    const loc = this.store.locateUid(uid);
    return loc ? this.store.get(loc.storage, loc.namespace, loc.name)?.object : undefined;
  }

  /** A dependent whose owners are all gone is deleted; dangling references next to live owners are removed. */
  private collectDependent(loc: ObjectLocation): void {
    const stored = this.store.get(loc.storage, loc.namespace, loc.name);
    const refs: OwnerReference[] = stored?.object.metadata.ownerReferences ?? [];
    if (!stored || refs.length === 0) return;
    const absent = refs.filter((ref) => !this.ownerObject(ref.uid));
    if (absent.length === 0) return;
    const r = this.registry.byStorageKey(loc.storage);
    if (!r) return;
    if (absent.length === refs.length) {
      if (stored.object.metadata.deletionTimestamp) return;
      const hasDependents = !!stored.object.metadata.uid &&
        this.store.dependentsOf(stored.object.metadata.uid).length > 0;
      this.writes.deleteNow(r, stored, hasDependents ? "Foreground" : "Background");
      return;
    }
    const gone = new Set(absent.map((a) => a.uid));
    this.writes.updateNow(loc.storage, loc.namespace, loc.name, (obj) => {
      obj.metadata.ownerReferences = refs.filter((ref) => !gone.has(ref.uid));
    });
  }

  /** Foreground deletion: delete every dependent; release the owner once no blocking dependent remains. */
  private foreground(uid: string): void {
    const loc = this.store.locateUid(uid);
    const owner = loc && this.store.get(loc.storage, loc.namespace, loc.name);
    if (!loc || !owner?.object.metadata.deletionTimestamp || !owner.object.metadata.finalizers?.includes(FOREGROUND)) {
      return;
    }
    let blocking = 0;
    for (const dep of this.store.dependentsOf(uid)) {
      const stored = this.store.get(dep.storage, dep.namespace, dep.name);
      const r = this.registry.byStorageKey(dep.storage);
      if (!stored || !r) continue;
      if (!stored.object.metadata.deletionTimestamp) {
        const depUid = stored.object.metadata.uid;
        const hasDependents = !!depUid && this.store.dependentsOf(depUid).length > 0;
        const result = this.writes.deleteNow(r, stored, hasDependents ? "Foreground" : "Background");
        if (result.deleted) continue;
      }
      const ref = (this.store.get(dep.storage, dep.namespace, dep.name)?.object.metadata.ownerReferences ?? [])
        .find((o) => o.uid === uid);
      if (ref?.blockOwnerDeletion) blocking++;
    }
    if (blocking === 0) {
      this.writes.updateNow(loc.storage, loc.namespace, loc.name, (obj) => {
        obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND);
      });
    }
  }

  /** Orphan deletion: dependents lose their reference to the owner, then the owner goes. */
  private orphan(uid: string): void {
    const loc = this.store.locateUid(uid);
    const owner = loc && this.store.get(loc.storage, loc.namespace, loc.name);
    if (!loc || !owner?.object.metadata.deletionTimestamp || !owner.object.metadata.finalizers?.includes(ORPHAN)) {
      return;
    }
    for (const dep of this.store.dependentsOf(uid)) {
      this.writes.updateNow(dep.storage, dep.namespace, dep.name, (obj) => {
        obj.metadata.ownerReferences = (obj.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid);
        if (obj.metadata.ownerReferences.length === 0) delete obj.metadata.ownerReferences;
      });
    }
    this.writes.updateNow(loc.storage, loc.namespace, loc.name, (obj) => {
      obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== ORPHAN);
    });
  }

  /** Namespace lifecycle: delete the content of a Terminating namespace, then release the namespace. */
  private namespace(name: string): void {
    const ns = this.store.get("namespaces", "", name);
    if (!ns?.object.metadata.deletionTimestamp) return;
    for (const storage of this.store.resourcesInNamespace(name)) {
      const r = this.registry.byStorageKey(storage);
      if (!r) continue;
      for (const { stored } of this.store.list(storage, name)) {
        if (!stored.object.metadata.deletionTimestamp) this.writes.deleteNow(r, stored, "Background");
      }
    }
    if (this.store.countInNamespace(name) === 0) this.writes.finalizeNamespace(name);
  }

  /** CRD cleanup: delete the custom resources of a deleted CRD, then drop its finalizer. */
  private crdCleanup(name: string): void {
    const crd = this.store.get(CRD_STORAGE, "", name);
    if (!crd?.object.metadata.deletionTimestamp || !crd.object.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER)) {
      return;
    }
    const spec = crdSpec(crd.object);
    const key = storageKey({ group: spec.group ?? "", resource: spec.names?.plural ?? "" });
    const r = this.registry.byStorageKey(key);
    if (r) {
      for (const { stored } of this.store.list(key)) {
        if (!stored.object.metadata.deletionTimestamp) this.writes.deleteNow(r, stored, "Background");
      }
    }
    if (this.store.size(key) === 0) {
      this.writes.updateNow(CRD_STORAGE, "", name, (obj) => {
        obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
      });
    }
  }
}
