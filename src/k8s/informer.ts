/**
 * CONTRACT STUB (implemented by the k8s-runtime work): an informer keeps an indexed, eventually consistent cache of
 * one resource type (list, then watch with bookmarks; re-list on 410 and on watch failure with backoff) and calls
 * event handlers in the order the server produced the changes.
 */
import type { KubeClient } from "./client.ts";
import type { KubeObject, ObjectRef } from "./objects.ts";
import type { ResourceType } from "./resources.ts";
import type { Clock } from "../runtime/clock.ts";
import type { Logger } from "../observability/log.ts";

export interface EventHandler<T> {
  /** `initialList` is true for objects delivered by the first list. */
  onAdd?(obj: T, initialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** Receives the last known state of the object. */
  onDelete?(obj: T): void;
}

/** Maps an object to the index values it is filed under. */
export type IndexFunc<T> = (obj: T) => string[];

export interface InformerOptions<T> {
  /** Watch one namespace only (undefined: all namespaces, or cluster-scoped). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Periodic re-delivery of every cached object as an update (0/undefined: never). */
  resyncMs?: number;
  indexers?: Record<string, IndexFunc<T>>;
  log?: Logger;
  clock?: Clock;
}

/** Cached, indexed view of one resource type. */
export class Informer<T extends KubeObject = KubeObject> {
  constructor(
    readonly client: KubeClient,
    readonly resource: ResourceType,
    readonly options: InformerOptions<T> = {},
  ) {}

  /** Registers handlers; objects already cached are delivered as adds. Returns an unregister function. */
  addEventHandler(_handler: EventHandler<T>): () => void {
    throw new Error("not implemented yet: src/k8s/informer.ts");
  }
  addIndexer(_name: string, _fn: IndexFunc<T>): void {
    throw new Error("not implemented yet");
  }
  /** Starts list+watch in the background until the signal aborts. */
  start(_signal: AbortSignal): void {
    throw new Error("not implemented yet");
  }
  hasSynced(): boolean {
    throw new Error("not implemented yet");
  }
  waitForSync(_signal?: AbortSignal): Promise<void> {
    throw new Error("not implemented yet");
  }
  get(_ref: ObjectRef | string): T | undefined {
    throw new Error("not implemented yet");
  }
  list(_namespace?: string): T[] {
    throw new Error("not implemented yet");
  }
  byIndex(_indexName: string, _value: string): T[] {
    throw new Error("not implemented yet");
  }
}

/** Index name and function: objects by namespace. */
export const NAMESPACE_INDEX = "namespace";
/** Index function: objects by `metadata.namespace`. */
export function indexByNamespace(obj: KubeObject): string[] {
  return obj.metadata.namespace ? [obj.metadata.namespace] : [];
}
/** Index function factory: objects by the value of one label. */
export function indexByLabel(key: string): IndexFunc<KubeObject> {
  return (obj) => {
    const v = obj.metadata.labels?.[key];
    return v === undefined ? [] : [v];
  };
}
/** Index function: objects by owner UID. */
export function indexByOwnerUid(obj: KubeObject): string[] {
  return (obj.metadata.ownerReferences ?? []).map((o) => o.uid);
}

/** Shares one informer per resource type (and namespace/selector) among controllers. */
export class InformerFactory {
  constructor(
    readonly client: KubeClient,
    readonly defaults: { namespace?: string; resyncMs?: number; log?: Logger; clock?: Clock } = {},
  ) {}
  /** Returns the shared informer for this resource type and options, creating it on first use. */
  informer<T extends KubeObject>(_res: ResourceType, _opts?: InformerOptions<T>): Informer<T> {
    throw new Error("not implemented yet");
  }
  /** Starts every informer created so far and any created later. */
  start(_signal: AbortSignal): void {
    throw new Error("not implemented yet");
  }
  hasSynced(): boolean {
    throw new Error("not implemented yet");
  }
  waitForSync(_signal?: AbortSignal): Promise<void> {
    throw new Error("not implemented yet");
  }
}
