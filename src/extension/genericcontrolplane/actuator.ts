/**
 * Gardener's generic ControlPlane actuator with the provider's renderers behind a `ControlPlaneDelegate`
 * (delegate.ts), as observe → compute → apply → report:
 *
 * - reconcile: publish the shoot webhooks MR (when there is a configuration), the shoot access Secrets, then — once a
 *   hibernated shoot's kube-apiserver is at 0 replicas (until then: requeue every 2 s, nothing else written) — the
 *   seed MR (class `seed`: the seed's resource manager applies the seed components, with the `cloudprovider` checksum
 *   and 0 or 1 replicas) and the shoot MR; wait (bounded) until the webhooks MR is healthy unless hibernated. Every
 *   write compares first: an up-to-date ControlPlane costs 0 writes.
 * - delete: delete the shoot MRs and wait (bounded, 2 min each window) until they are gone, then the seed MR (its
 *   resource manager removes the seed components; not waited for, as in Gardener's library) and the shoot access
 *   Secrets, then the webhooks MR (waited for);
 * - forceDelete: the same without waiting; migrate: `keepObjects: true` on the shoot MRs, then the same without
 *   waiting (the shoot objects stay, the seed components go); restore: reconcile.
 */
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import { isHibernationEnabled } from "../../apis/core/shoot.ts";
import type { ControlPlane } from "../../apis/extensions/v1alpha1.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { AppsV1, CoreV1, ResourcesV1alpha1 } from "../../k8s/api/resources.ts";
import type { Actuator, ActuatorContext, ActuatorOutcome, ClusterContext } from "../reconciler/mod.ts";
import { continueWait, type WaitRecord } from "../genericworker/mod.ts";
import { checksumAnnotation, secretChecksum } from "./checksum.ts";
import type { ControlPlaneDelegate, ControlPlaneValues, ShootWebhookConfigSource } from "./delegate.ts";
import {
  managedResourceProblem,
  MR_SEED,
  MR_SHOOT,
  MR_SHOOT_WEBHOOKS,
  MR_STORAGE_CLASSES,
  SEED_CLASS,
} from "./managed_resource.ts";
import {
  deleteManagedResource,
  ensureManagedResource,
  shootWebhooksManagedResource,
} from "./managed_resource_apply.ts";
import { SeedObjectWriter } from "./seed_objects_apply.ts";
import { genericTokenKubeconfigSecretName, shootAccessSecret, shootAccessSecretName } from "./shoot_access_secret.ts";

/** Requeue interval while waiting: the generic ControlPlane reconciler's 2 s. */
export const DEFAULT_POLL_INTERVAL_MS = 2_000;
/** How long one wait for a ManagedResource may last (the library's 2 minutes). */
export const DEFAULT_MR_WAIT_TIMEOUT_MS = 2 * 60_000;
/** gardenlet's kube-apiserver Deployment in the shoot namespace. */
export const KUBE_APISERVER_DEPLOYMENT = "kube-apiserver";

/** Options of the ControlPlane actuator. */
export interface ControlPlaneActuatorOptions {
  delegate: ControlPlaneDelegate;
  /** The shoot webhooks' configuration (with the current caBundle); none: no webhooks MR is written. */
  shootWebhookConfig?: ShootWebhookConfigSource;
  pollIntervalMs?: number;
  waitTimeoutMs?: number;
}

/** The shoot MRs that keep their objects on migrate and are deleted before the seed objects. */
const SHOOT_MRS = [MR_STORAGE_CLASSES, MR_SHOOT] as const;

/** Gardener's generic ControlPlane actuator. */
export class ControlPlaneActuator implements Actuator<ControlPlane> {
  private readonly delegate: ControlPlaneDelegate;
  private readonly shootWebhookConfig?: ShootWebhookConfigSource;
  private readonly pollIntervalMs: number;
  private readonly waitTimeoutMs: number;
  private readonly waits = new Map<string, WaitRecord>();

  constructor(opts: ControlPlaneActuatorOptions) {
    this.delegate = opts.delegate;
    this.shootWebhookConfig = opts.shootWebhookConfig;
    this.pollIntervalMs = opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.waitTimeoutMs = opts.waitTimeoutMs ?? DEFAULT_MR_WAIT_TIMEOUT_MS;
  }

  private static key(cp: ControlPlane): string {
    return `${cp.metadata.namespace}/${cp.metadata.name}`;
  }

  private writer(cp: ControlPlane, ctx: ActuatorContext): SeedObjectWriter {
    return new SeedObjectWriter(ctx.client, cp.metadata.namespace ?? "", ctx.log, ctx.signal);
  }

  async reconcile(cp: ControlPlane, cluster: ClusterContext, ctx: ActuatorContext): Promise<ActuatorOutcome | void> {
    const namespace = cp.metadata.namespace ?? "";
    const w = this.writer(cp, ctx);
    // Self-hosted shoots (kube-system) get their shoot webhooks merged into the seed configuration instead.
    const webhookConfig = namespace === "kube-system" ? undefined : this.shootWebhookConfig?.();
    if (webhookConfig) {
      await ensureManagedResource(w, shootWebhooksManagedResource(namespace, webhookConfig));
    }
    for (const c of this.delegate.shootAccessComponents) {
      await w.ensure(CoreV1.secrets, shootAccessSecret(c, namespace));
    }
    const checksums = await this.checksums(w);

    const hibernated = isHibernationEnabled(cluster.shoot);
    if (hibernated) {
      const kas = await w.get<Deployment & KubeObject>(AppsV1.deployments, KUBE_APISERVER_DEPLOYMENT);
      if (kas && (kas.spec?.replicas ?? 1) > 0) {
        return {
          progressing: {
            description: "Waiting until kube-apiserver is scaled down before the control plane components are",
            requeueAfterMs: this.pollIntervalMs,
          },
        };
      }
    }
    const values = this.values(cp, cluster, hibernated ? 0 : 1, checksums);
    await ensureManagedResource(w, {
      name: MR_SEED,
      namespace,
      class: SEED_CLASS,
      objects: this.delegate.seedObjects(values),
    });
    await ensureManagedResource(w, { name: MR_SHOOT, namespace, objects: this.delegate.shootObjects(values) });

    if (webhookConfig && !hibernated) {
      const mr = await w.get(ResourcesV1alpha1.managedResources, MR_SHOOT_WEBHOOKS);
      const problem = mr ? managedResourceProblem(mr) : "not found";
      if (problem) return this.wait(cp, ctx, `ManagedResource ${MR_SHOOT_WEBHOOKS} to be healthy`, problem);
    }
    this.waits.delete(ControlPlaneActuator.key(cp));
  }

  delete(cp: ControlPlane, _cluster: ClusterContext, ctx: ActuatorContext): Promise<ActuatorOutcome | void> {
    return this.tearDown(cp, ctx, true);
  }

  async forceDelete(cp: ControlPlane, _cluster: ClusterContext, ctx: ActuatorContext): Promise<void> {
    await this.tearDown(cp, ctx, false);
  }

  async migrate(cp: ControlPlane, _cluster: ClusterContext, ctx: ActuatorContext): Promise<void> {
    const w = this.writer(cp, ctx);
    for (const name of [...SHOOT_MRS, MR_SHOOT_WEBHOOKS]) {
      await w.patchIfExists(ResourcesV1alpha1.managedResources, name, { spec: { keepObjects: true } });
    }
    await this.tearDown(cp, ctx, false);
  }

  restore(cp: ControlPlane, cluster: ClusterContext, ctx: ActuatorContext): Promise<ActuatorOutcome | void> {
    return this.reconcile(cp, cluster, ctx);
  }

  private values(
    cp: ControlPlane,
    cluster: ClusterContext,
    replicas: number,
    checksums: Record<string, string>,
  ): ControlPlaneValues {
    return {
      controlPlane: cp,
      cluster,
      namespace: cp.metadata.namespace ?? "",
      replicas,
      checksums,
      genericTokenKubeconfigSecretName: genericTokenKubeconfigSecretName(cluster.cluster),
    };
  }

  private async checksums(w: SeedObjectWriter): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of this.delegate.checksumSecrets) {
      const secret = await w.get<Secret & KubeObject>(CoreV1.secrets, name);
      if (secret) out[checksumAnnotation(name)] = secretChecksum(secret.data);
    }
    return out;
  }

  /** One more look at an unfinished wait: progressing, or an error once the wait has run out. */
  private wait(cp: ControlPlane, ctx: ActuatorContext, what: string, problem: string): ActuatorOutcome {
    const key = ControlPlaneActuator.key(cp);
    const next = continueWait(
      this.waits.get(key),
      what,
      cp.metadata.generation ?? 0,
      ctx.clock.now(),
      this.waitTimeoutMs,
    );
    if (next.expired) {
      this.waits.delete(key); // the retry starts a new window
      throw new Error(`Timed out waiting for ${what}: ${problem}`);
    }
    this.waits.set(key, next.record);
    return { progressing: { description: `Waiting for ${what}: ${problem}`, requeueAfterMs: this.pollIntervalMs } };
  }

  /** Deletion in the generic actuator's order, one step per call; `wait` false: nothing is waited for. */
  private async tearDown(
    cp: ControlPlane,
    ctx: ActuatorContext,
    wait: boolean,
  ): Promise<ActuatorOutcome | void> {
    const w = this.writer(cp, ctx);
    const remaining: string[] = [];
    for (const name of SHOOT_MRS) if (await deleteManagedResource(w, name)) remaining.push(name);
    if (wait && remaining.length) {
      return this.wait(cp, ctx, `deletion of ManagedResource(s) ${remaining.join(", ")}`, "still present");
    }
    await deleteManagedResource(w, MR_SEED);
    for (const c of this.delegate.shootAccessComponents) await w.delete(CoreV1.secrets, shootAccessSecretName(c));
    if (await deleteManagedResource(w, MR_SHOOT_WEBHOOKS) && wait) {
      return this.wait(cp, ctx, `deletion of ManagedResource ${MR_SHOOT_WEBHOOKS}`, "still present");
    }
    this.waits.delete(ControlPlaneActuator.key(cp));
  }
}
