/**
 * What every reconciler of the machine controller takes, in two parts: its dependencies (the two clusters' clients
 * and caches, the driver, the settings, the clock, the log), fixed for the controller's lifetime, and the state one
 * controller instance owns: the in-memory creation set (MCM's pendingMachineCreationMap), the freeze of the API-server
 * safety, the meltdown locks, and a read-your-writes view of Machines (an object we just wrote is used until the
 * informer has caught up, so a quick requeue never acts on a stale copy and repeats a driver call).
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import type { Informer } from "../../k8s/cache/informer.ts";
import { FreshView } from "../../k8s/cache/fresh_view.ts";
import { DecodeError, decodeMachine, type Machine, type MachineClass } from "../../apis/machine/v1alpha1.ts";
import { LONG_RETRY_MS, SHORT_RETRY_MS } from "./retry.ts";
import type { Driver, SecretData } from "../driver/driver.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { Logger } from "../../observability/log.ts";
import type { MachineControllerOptions } from "../options.ts";
import type {
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  Secret,
  VolumeAttachment,
} from "../../k8s/api/builtin_types.ts";
import { mergeSecretData, secretData } from "./creation/userdata.ts";
import { KeyedMutex } from "./keyed_mutex.ts";

/** Index names used by the controller's informers. */
export const INDEX_MACHINE_BY_NODE = "machineByNode";
export const INDEX_MACHINE_BY_CLASS = "machineByClass";
export const INDEX_MACHINE_BY_DEPLOYMENT = "machineByDeployment";
export const INDEX_CLASS_BY_SECRET = "classBySecret";
export const INDEX_POD_BY_NODE = "podByNode";
export const INDEX_VA_BY_NODE = "vaByNode";

/** Caches of the target cluster (absent in target-less mode). */
export interface TargetCaches {
  readonly nodes: Informer<Node>;
  readonly pods: Informer<Pod>;
  readonly pdbs: Informer<PodDisruptionBudget>;
  readonly volumeAttachments: Informer<VolumeAttachment>;
  readonly pvcs: Informer<PersistentVolumeClaim>;
  readonly pvs: Informer<PersistentVolume>;
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

/** What the machine controller's parts read and call: fixed for the controller's lifetime. */
export interface ControllerDeps {
  readonly options: MachineControllerOptions;
  readonly namespace: string;
  readonly control: KubeClient;
  readonly target?: KubeClient;
  readonly driver: Driver;
  /** Provider name in metrics (`mcm_cloud_api_*`). */
  readonly providerName: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly machines: Informer<Machine>;
  readonly classes: Informer<MachineClass>;
  readonly secrets: Informer<Secret>;
  readonly targetCaches?: TargetCaches;
  readonly queues: Queues;
}

/**
 * What one machine controller remembers between reconciles. Each `MachineController` creates its own and shares it
 * with no other (the playground runs several controllers in one process).
 */
export class MachineControllerState {
  /** Keys of machines inside the creation flow; their deletion waits. */
  readonly creating = new Set<string>();
  /** API-server safety: non-deleting machines are not reconciled while frozen. */
  frozen = false;
  /** Machines as our writes returned them, until the informer has caught up (read-your-writes). */
  readonly fresh: FreshView<Machine>;
  /** Nodes whose delete event has not been handled yet. */
  readonly deletedNodes = new Set<string>();
  /** Bootstrap tokens registered for redaction and their secrets' uids, by machine key. */
  readonly bootstrapTokens = new Map<string, { token: string; uid?: string }>();
  /** Serialises Unknown → Failed decisions per MachineDeployment (MCM's permit per deployment). */
  readonly meltdownLocks = new KeyedMutex();
  /** Secret values this controller registered for redaction (registrations are reference counted: once each). */
  readonly redacted = new Set<string>();
  /** Decoded Machines by the (immutable) object they were decoded from: each version is validated once. */
  readonly decoded = new WeakMap<object, Machine>();

  constructor(machines: Informer<Machine>, clock: Clock) {
    this.fresh = new FreshView(machines, clock);
  }
}

/** What every reconciler of the machine controller takes: the dependencies and the controller's own state. */
export interface ControllerContext extends ControllerDeps {
  readonly state: MachineControllerState;
}

/** `decodeMachine` with a cache per object version (cached objects are frozen; written ones are never mutated). */
function decodeMachineOnce(ctx: ControllerContext, obj: Machine): Machine {
  const hit = ctx.state.decoded.get(obj);
  if (hit) return hit;
  const m = decodeMachine(obj);
  ctx.state.decoded.set(obj, m);
  return m;
}

/** The current Machine of a key: cache, or our own newer write. */
export function currentMachine(ctx: ControllerContext, key: string): Machine | undefined {
  return ctx.state.fresh.get(key);
}

/** The freshest versions of Machines from a list or index lookup (without those we deleted). */
export function latestMachines(ctx: ControllerContext, cached: readonly Machine[]): Machine[] {
  return cached.flatMap((m) => ctx.state.fresh.latest(m) ?? []);
}

/**
 * The current Machine of a key, decoded, for a reconcile: `{ machine }`, or the requeue period when there is nothing
 * to do (0: gone) or the Machine cannot be decoded (logged; a decoding error waits long, anything else short).
 */
export function machineToReconcile(ctx: ControllerContext, key: string): { machine: Machine } | { requeueMs: number } {
  const cached = currentMachine(ctx, key);
  if (!cached) return { requeueMs: 0 };
  try {
    return { machine: decodeMachineOnce(ctx, cached) };
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
  return latestMachines(ctx, ctx.machines.list(ctx.namespace));
}
