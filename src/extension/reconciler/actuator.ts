/**
 * The contract between Gardener's generic reconcile protocol and the controller of one extension kind: what the kind
 * plugs in. The generic reconciler
 * (this folder) owns filtering, the operation annotation, the operation type, the finalizer, lastOperation,
 * lastError (with error codes) and observedGeneration; an actuator only does the kind's own work.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import type { ResourceType } from "../../k8s/api/resources.ts";
import type { EventRecorder } from "../../k8s/controller/events.ts";
import type { Cluster } from "../../apis/extensions/v1alpha1.ts";
import type { CloudProfile, Seed, Shoot } from "../../apis/core/v1beta1.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { Logger } from "../../observability/log.ts";

/** The Cluster of the object's namespace, decoded leniently (the seed is optional: self-hosted shoots). */
export interface ClusterContext {
  cluster: Cluster;
  shoot: Shoot;
  cloudProfile: CloudProfile;
  seed?: Seed;
}

/** What an actuator may use while it works on one object. */
export interface ActuatorContext {
  signal: AbortSignal;
  log: Logger;
  clock: Clock;
  /** Seed client (the cluster the extension runs in). */
  client: KubeClient;
  recorder?: EventRecorder;
  /**
   * True when this reconcile answers a request of gardenlet (a `reconcile` or `restore` annotation was present when
   * it started), whatever the clocks say: what gardenlet waits for must be renewed then (e.g. the Worker's
   * `machineDeploymentsLastUpdateTime`).
   */
  requested: boolean;
  /**
   * Merge-patches the object's status subresource at once (e.g. the Worker publishes `machineDeployments` and a
   * newer `machineDeploymentsLastUpdateTime` early in every reconcile). Must not touch lastOperation, lastError,
   * observedGeneration or conditions. Skips the write when the patch would change nothing.
   */
  patchStatus(patch: Record<string, unknown>): Promise<void>;
}

/** What an actuator reports back when it returns normally. */
export interface ActuatorOutcome {
  /**
   * Status fields merged on success (providerStatus, state, resources, networking, ...). Never lastOperation,
   * lastError, observedGeneration or conditions: the generic reconciler owns those, the health checks own conditions.
   */
  status?: Record<string, unknown>;
  /**
   * The operation is not finished (e.g. machines still rolling): the reconciler keeps lastOperation in Processing
   * with this description/progress, writes no error, and reconciles again after `requeueAfterMs`.
   */
  progressing?: { description: string; requeueAfterMs: number; progress?: number };
}

/** The kind-specific work. Errors are thrown (typed errors map to Gardener error codes; see error_codes.ts). */
export interface Actuator<T extends KubeObject> {
  reconcile(obj: T, cluster: ClusterContext, ctx: ActuatorContext): Promise<ActuatorOutcome | void>;
  /** Normal deletion; the finalizer is removed only after it returned without `progressing`. */
  delete(obj: T, cluster: ClusterContext, ctx: ActuatorContext): Promise<ActuatorOutcome | void>;
  /** Shoot annotated for force deletion: must not block; gives up cloud clean-up. */
  forceDelete(obj: T, cluster: ClusterContext, ctx: ActuatorContext): Promise<void>;
  /** Clean up seed objects only; keep cloud resources and status.state. */
  migrate(obj: T, cluster: ClusterContext, ctx: ActuatorContext): Promise<void>;
  /** Rebuild from status.state (already filled in by gardenlet), then reconcile. */
  restore(obj: T, cluster: ClusterContext, ctx: ActuatorContext): Promise<ActuatorOutcome | void>;
}

/** Static description of an extension kind for the generic reconciler. */
export interface ExtensionKind {
  /** `Infrastructure`, `Worker`, `ControlPlane`. */
  kind: string;
  resource: ResourceType;
  /** `extensions.gardener.cloud/<kind>`. */
  finalizer: string;
  /** Lower-case noun used in lastOperation texts, e.g. "infrastructure", "worker". */
  noun: string;
}
