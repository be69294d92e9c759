/**
 * What every reconciler of the machine controller shares: the two clusters' clients and caches, the driver, the
 * settings, the clock, the in-memory creation set (MCM's pendingMachineCreationMap) and a read-your-writes view of
 * Machines (an object we just wrote is used until the informer has caught up, so a quick requeue never acts on a
 * stale copy and repeats a driver call).
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import type { Informer } from "../../k8s/cache/informer.ts";
import { type KubeObject, objectKey, resourceVersionNumber } from "../../k8s/api/objects.ts";
import { DecodeError, decodeMachine, type Machine, type MachineClass } from "../../apis/machine/v1alpha1.ts";
import { LONG_RETRY_MS, SHORT_RETRY_MS } from "./retry.ts";
import type { Driver, SecretData } from "../driver/driver.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { Logger } from "../../observability/log.ts";
import type { MachineControllerOptions } from "../options.ts";
import type { Node } from "./health.ts";
import type { Pod, PodDisruptionBudget } from "./drain.ts";
import type { Secret } from "./bootstrap_token.ts";
import { mergeSecretData, secretData } from "./userdata.ts";

/** A storage.k8s.io/v1 VolumeAttachment, as far as we read it. */
export interface VolumeAttachment extends KubeObject {
  spec?: { nodeName?: string; attacher?: string; source?: { persistentVolumeName?: string } };
  status?: { attached?: boolean };
}

/** A core/v1 PersistentVolumeClaim, as far as we read it. */
export interface PersistentVolumeClaim extends KubeObject {
  spec?: { volumeName?: string };
}

/** Index names used by the controller's informers. */
export const INDEX_MACHINE_BY_NODE = "machineByNode";
export const INDEX_MACHINE_BY_CLASS = "machineByClass";
export const INDEX_MACHINE_BY_DEPLOYMENT = "machineByDeployment";
export const INDEX_CLASS_BY_SECRET = "classBySecret";
export const INDEX_POD_BY_NODE = "podByNode";
export const INDEX_VA_BY_NODE = "vaByNode";

/** Caches of the target cluster (absent in target-less mode). */
export interface TargetCaches {
  nodes: Informer<Node>;
  pods: Informer<Pod>;
  pdbs: Informer<PodDisruptionBudget>;
  volumeAttachments: Informer<VolumeAttachment>;
  pvcs: Informer<PersistentVolumeClaim>;
  pvs: Informer<KubeObject>;
}

/** Enqueue functions of the controller's queues. */
export interface Queues {
  machine(key: string, afterMs?: number): void;
  termination(key: string, afterMs?: number): void;
  machineClass(key: string, afterMs?: number): void;
  secret(key: string, afterMs?: number): void;
  node(key: string, afterMs?: number): void;
  /** Runs the orphan collection soon. */
  orphanCollection(): void;
}

export interface ControllerContext {
  options: MachineControllerOptions;
  namespace: string;
  control: KubeClient;
  target?: KubeClient;
  driver: Driver;
  /** Provider name in metrics (`mcm_cloud_api_*`). */
  providerName: string;
  clock: Clock;
  log: Logger;
  machines: Informer<Machine>;
  classes: Informer<MachineClass>;
  secrets: Informer<Secret>;
  targetCaches?: TargetCaches;
  queues: Queues;
  /** Keys of machines inside the creation flow; their deletion waits. */
  creating: Set<string>;
  /** API-server safety: non-deleting machines are not reconciled while frozen. */
  safety: { frozen: boolean };
  fresh: FreshObjects<Machine>;
  /** Nodes whose delete event has not been handled yet. */
  deletedNodes: Set<string>;
  /** Bootstrap tokens registered for redaction and their secrets' uids, by machine key. */
  bootstrapTokens: Map<string, { token: string; uid?: string }>;
}

/** Keeps the objects we wrote until the cache has caught up with them. */
export class FreshObjects<T extends KubeObject> {
  private readonly written = new Map<string, T>();

  /** Remembers an object returned by a write. */
  remember(obj: T): T {
    this.written.set(objectKey(obj), obj);
    return obj;
  }

  /** Forgets a key (deleted object). */
  forget(key: string): void {
    this.written.delete(key);
  }

  /** The newer of the cached object and the one we wrote last. */
  latest(key: string, cached: T | undefined): T | undefined {
    const mine = this.written.get(key);
    if (!mine) return cached;
    if (!cached) {
      // Deleted (cache dropped it) or not yet seen: a deletion wins once the cache knew the object.
      return mine;
    }
    if (resourceVersionNumber(cached) >= resourceVersionNumber(mine)) {
      this.written.delete(key);
      return cached;
    }
    return mine;
  }

  size(): number {
    return this.written.size;
  }
}

/** Decoded Machines by the (immutable) object they were decoded from: each version is validated once. */
const decoded = new WeakMap<object, Machine>();

/** `decodeMachine` with a cache per object version (cached objects are frozen; written ones are never mutated). */
export function decodeMachineOnce(obj: Machine): Machine {
  const hit = decoded.get(obj);
  if (hit) return hit;
  const m = decodeMachine(obj);
  decoded.set(obj, m);
  return m;
}

/** The current Machine of a key: cache, or our own newer write. */
export function currentMachine(ctx: ControllerContext, key: string): Machine | undefined {
  const cached = ctx.machines.get(key);
  if (!cached) {
    ctx.fresh.forget(key);
    return undefined;
  }
  return ctx.fresh.latest(key, cached);
}

/**
 * The current Machine of a key, decoded, for a reconcile: `{ machine }`, or the requeue period when there is nothing
 * to do (0: gone) or the Machine cannot be decoded (logged; a decoding error waits long, anything else short).
 */
export function machineToReconcile(ctx: ControllerContext, key: string): { machine: Machine } | { requeueMs: number } {
  const cached = currentMachine(ctx, key);
  if (!cached) return { requeueMs: 0 };
  try {
    return { machine: decodeMachineOnce(cached) };
  } catch (e) {
    ctx.log.error("Skipping machine that cannot be decoded", { machine: key, error: e });
    return { requeueMs: e instanceof DecodeError ? LONG_RETRY_MS : SHORT_RETRY_MS };
  }
}

/** Secret data of a class: secretRef then credentialsSecretRef merged (missing secrets contribute nothing). */
export function classSecretData(ctx: ControllerContext, cls: MachineClass): SecretData {
  const parts: SecretData[] = [];
  for (const ref of [cls.secretRef, cls.credentialsSecretRef]) {
    if (!ref?.name) continue;
    const ns = ref.namespace ?? cls.metadata.namespace ?? ctx.namespace;
    const s = ctx.secrets.get({ namespace: ns, name: ref.name });
    if (s) parts.push(secretData(s));
  }
  return mergeSecretData(...parts);
}

/** Machines in the controller namespace. */
export function listMachines(ctx: ControllerContext): Machine[] {
  return ctx.machines.list(ctx.namespace).map((m) => ctx.fresh.latest(objectKey(m), m)!);
}
