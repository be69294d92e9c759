/**
 * The seam between Gardener's provider-agnostic Worker logic (this folder) and a provider, the role of Gardener's
 * `WorkerDelegate`: the generic part validates the pools' generic fields, names and sizes the MachineDeployments,
 * writes, rolls out, deletes and restores; the delegate contributes what only the provider knows — its checks of the
 * Worker and of each pool, the machine class of each MachineDeployment (images, machine types, placement,
 * credentials), and the provider status. Every method is pure: it reads its arguments and returns, the generic part
 * does all I/O.
 */
import type { FieldError } from "../../apis/decode.ts";
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import type { Worker, WorkerPool } from "../../apis/extensions/v1alpha1.ts";
import type { MachineClass } from "../../apis/machine/v1alpha1.ts";
import type { ClusterContext } from "../reconciler/mod.ts";
import type { DesiredDeployment } from "./machine_deployment.ts";

/** What the compute step reads. */
export interface DesiredStateInputs {
  worker: Worker;
  cluster: ClusterContext;
  /** The Worker's `spec.secretRef` secret; undefined when it does not exist. */
  credentials: Secret | undefined;
  /** The pools' user data secrets by name; undefined values were not found. */
  userDataSecrets: ReadonlyMap<string, Secret | undefined>;
  /** Names of the MachineDeployments that exist in the namespace (for the adoption of upstream names). */
  existingDeploymentNames: ReadonlySet<string>;
}

/** The Worker as the generic part has read it, handed to `validateWorker`. */
export interface WorkerContext {
  inputs: DesiredStateInputs;
  /** The Worker's namespace (the shoot's namespace in the seed). */
  namespace: string;
  /** The shoot's technical ID (falls back to the namespace). */
  technicalID: string;
  /** `spec.region`. */
  region: string;
}

/** One pool as the generic part has read it, handed to `validatePool`. */
export interface PoolContext {
  pool: WorkerPool;
  /** Index in `spec.pools`. */
  index: number;
  /** Field path of the pool (`spec.pools[<index>]`), the prefix of the pool's field errors. */
  path: string;
  /** The zones that get one MachineDeployment each, in order; `[undefined]` for a pool without zones. */
  zones: readonly (string | undefined)[];
}

/** What a delegate must say about every valid pool: the pool hash of each zone, the suffix of its class names. */
export interface ProviderPool {
  /** One hash per entry of `PoolContext.zones`, in the same order. */
  readonly hashes: readonly string[];
}

/**
 * The provider's half of a Worker. `W` is what the delegate reads once per Worker (credentials, infrastructure
 * status, ...), `P` what it decides per pool (image, provider config, hashes, ...).
 */
export interface WorkerDelegate<W, P extends ProviderPool> {
  /**
   * Reads and checks the Worker-wide provider inputs every pool's classes share (for example the credentials secret
   * and the Infrastructure's provider status). Called once per compute, before any pool. Each problem is pushed onto
   * `errors` with a field path relative to the Worker; the method returns what the other methods need even when it
   * found problems, because the pools are still checked so that every problem is reported at once.
   */
  validateWorker(worker: WorkerContext, errors: FieldError[]): W;

  /**
   * Checks one pool's provider side (its `providerConfig`, its machine image, update strategies the provider cannot
   * honour, ...) and computes the pool hash of each of its zones. Called for every pool, after the generic checks of
   * that pool, whether or not those found problems. Pushes each problem onto `errors` with a field path under
   * `pool.path`; returns undefined when the pool cannot get machine classes (its problems are then on `errors`).
   */
  validatePool(pool: PoolContext, shared: W, errors: FieldError[]): P | undefined;

  /**
   * The MachineClass of one wanted MachineDeployment: named `deployment.className`, in the Worker's namespace, with
   * `secretRef` to the class Secret `deployment.secretName` (the generic part writes that Secret with the pool's user
   * data) and `credentialsSecretRef` to the provider's credentials. Called once per MachineDeployment of a pool whose
   * checks all passed; must not fail.
   */
  machineClass(deployment: DesiredDeployment, pool: P, shared: W): MachineClass;

  /**
   * The `status.providerStatus` the Worker publishes for the pools in use (for example the machine images, so that a
   * later reconcile still finds an image the CloudProfile has dropped). The generic part writes it when it differs
   * from the stored one, as a merge patch that removes what is gone.
   */
  providerStatus(pools: readonly P[], shared: W): Record<string, unknown>;

  /**
   * A problem that is not the user's and makes the reconcile fail and retry (for example a credentials secret that
   * gardenlet has not written yet); undefined when there is none. Asked only after every check passed; `object`
   * names the Worker for the message.
   */
  notReady(shared: W, object: string): Error | undefined;
}
