/**
 * SIMULATION of gardener-resource-manager for the playground and tests: every pass it reconciles each ManagedResource
 * of the seed (from informers, so a pass costs reads only for objects it applies). Class `seed` objects go into the
 * seed, unclassed ones into the shoot API server of the MR's namespace. It puts its finalizer on the MR, applies the
 * objects of the referenced Secrets (compared first: an applied, unchanged MR costs no write; an object annotated
 * `resources.gardener.cloud/delete-on-invalid-update` whose update is refused as invalid is re-created), deletes
 * objects it applied earlier that are no longer wanted, and reports ResourcesApplied/ResourcesHealthy/ResourcesProgressing
 * (Deployments must be rolled out and available). On deletion it deletes the applied objects unless `keepObjects`,
 * then removes its finalizer. As its TokenRequestor, it creates the shoot ServiceAccount a `shoot-access-*` Secret
 * (purpose `token-requestor`, class `shoot`) names; the playground issues that account's tokens directly (the fake
 * API server's TokenRequest), so the Secret's `token` key is not written.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import { Informer } from "../../k8s/cache/informer.ts";
import { isAlreadyExists, isConflict, isInvalid, isNotFound, undefinedIfNotFound } from "../../k8s/api/errors.ts";
import { AppsV1, CoreV1, ResourcesV1alpha1 } from "../../k8s/api/resources.ts";
import { hasFinalizer, type KubeObject, objectKey } from "../../k8s/api/objects.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { PolledSimulation, PollLoop } from "../kernel/mod.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import {
  appliedRef,
  deploymentProblem,
  desiredObject,
  GRM_FINALIZER,
  type ManagedResource,
  type ManagedResourceStatus,
  mrConditions,
  type MrObservation,
  objectsOfSecretData,
  objectUpdate,
  refKey,
  resourceTypeOf,
  secretsChecksum,
  statusChanged,
  withConditionTimes,
} from "./managed_objects.ts";

export interface ResourceManagerOptions {
  /** Client of the seed (where the ManagedResources and their Secrets live). */
  seed: KubeClient;
  /** Client of the shoot whose control plane runs in `namespace` (unclassed MRs), if it has an API server. */
  shootClient: (namespace: string) => KubeClient | undefined;
  clock?: Clock;
  /** Poll period (default 1 s). */
  pollMs?: number;
  log?: Logger;
  /** Changes an object of an MR before it is applied (tests take a permission away from what an MR carries). */
  edit?: (obj: KubeObject, mr: ManagedResource) => KubeObject;
  /** Told the objects of an MR after they were applied (the playground's authorization report reads them). */
  onApplied?: (mr: ManagedResource, objects: KubeObject[]) => void;
}

/** Labels and annotations of a token-requestor Secret (gardener-resource-manager's TokenRequestor). */
const TOKEN_REQUESTOR_PURPOSE = "resources.gardener.cloud/purpose";
const CLASS_LABEL = "resources.gardener.cloud/class";
/** An object whose update is rejected as invalid is deleted and created again (gardener-resource-manager's rule). */
const DELETE_ON_INVALID_UPDATE = "resources.gardener.cloud/delete-on-invalid-update";
const SA_NAME = "serviceaccount.resources.gardener.cloud/name";
const SA_NAMESPACE = "serviceaccount.resources.gardener.cloud/namespace";

/** Writes of the simulation (counted apart from ours in the steady-state checks). */
export interface ResourceManagerStats {
  objectsApplied: number;
  objectsDeleted: number;
  statusWrites: number;
  finalizerWrites: number;
  /** Shoot ServiceAccounts created for token-requestor Secrets. */
  serviceAccountsCreated: number;
  /** Every write request sent, failed ones included. */
  writes: number;
}

type Secret = KubeObject & { data?: Record<string, string> };

/**
 * Applies one object into `target` as gardener-resource-manager does: created when absent, updated when it differs
 * and, when the update is refused as invalid (an immutable field) and the object carries
 * `resources.gardener.cloud/delete-on-invalid-update`, deleted and created again. `onWrite` hears of every write
 * request sent. Returns the object as applied (its namespace defaulted) and whether anything was written.
 */
export async function applyObject(
  target: KubeClient,
  obj: KubeObject,
  onWrite: () => void = () => {},
): Promise<{ want: KubeObject; written: boolean }> {
  const type = resourceTypeOf(obj.apiVersion ?? "", obj.kind ?? "");
  if (!type) throw new Error(`unknown kind ${obj.apiVersion}/${obj.kind}`);
  const namespace = type.namespaced ? obj.metadata.namespace ?? "default" : undefined;
  const want = namespace ? { ...obj, metadata: { ...obj.metadata, namespace } } : obj;
  const current = await undefinedIfNotFound(target.get(type, want.metadata.name!, { namespace }));
  if (!current) {
    onWrite();
    await target.create(type, want, { namespace });
    return { want, written: true };
  }
  const update = objectUpdate(current, want);
  if (!update) return { want, written: false };
  onWrite();
  try {
    await target.update(type, update, { namespace });
  } catch (e) {
    // An immutable field differs: with the annotation the object is replaced, without it the apply fails.
    if (!isInvalid(e) || want.metadata.annotations?.[DELETE_ON_INVALID_UPDATE] !== "true") throw e;
    onWrite();
    await target.delete(type, want.metadata.name!, { namespace });
    onWrite();
    await target.create(type, want, { namespace });
  }
  return { want, written: true };
}

/** Runs the resource manager simulation until stopped. */
export class ResourceManagerSimulation extends PolledSimulation {
  readonly stats: ResourceManagerStats = {
    objectsApplied: 0,
    objectsDeleted: 0,
    statusWrites: 0,
    finalizerWrites: 0,
    serviceAccountsCreated: 0,
    writes: 0,
  };
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly mrs: Informer<ManagedResource>;
  private readonly secrets: Informer<Secret>;
  private readonly deployments: Informer<KubeObject>;
  protected readonly loop: PollLoop;
  /** `<seed namespace>/<namespace>/<name>` of the shoot ServiceAccounts known to exist. */
  private readonly serviceAccounts = new Set<string>();

  constructor(private readonly opts: ResourceManagerOptions) {
    super();
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? getLogger("sim.resourcemanager");
    const common = { clock: this.clock, log: this.log };
    this.mrs = new Informer<ManagedResource>(opts.seed, ResourcesV1alpha1.managedResources, common);
    this.secrets = new Informer<Secret>(opts.seed, CoreV1.secrets, common);
    this.deployments = new Informer<KubeObject>(opts.seed, AppsV1.deployments, common);
    this.loop = new PollLoop({
      clock: this.clock,
      periodMs: this.opts.pollMs ?? 1000,
      caches: [this.mrs, this.secrets, this.deployments],
      pass: () => this.runPass(),
    });
  }

  private async runPass(): Promise<void> {
    for (const mr of this.mrs.list()) {
      try {
        await this.reconcile(mr);
      } catch (e) {
        if (!this.stopped && !isConflict(e)) {
          this.log.info("Resource manager step failed; retrying next pass", {
            managedResource: objectKey(mr),
            error: e,
          });
        }
      }
    }
    for (const secret of this.secrets.list()) {
      try {
        await this.requestToken(secret);
      } catch (e) {
        if (!this.stopped) {
          this.log.info("Token requestor step failed; retrying next pass", { secret: objectKey(secret), error: e });
        }
      }
    }
  }

  /** TokenRequestor: the shoot ServiceAccount a token-requestor Secret names exists (created once). */
  private async requestToken(secret: Secret): Promise<void> {
    const labels = secret.metadata.labels ?? {};
    if (labels[TOKEN_REQUESTOR_PURPOSE] !== "token-requestor" || labels[CLASS_LABEL] !== "shoot") return;
    const name = secret.metadata.annotations?.[SA_NAME];
    const namespace = secret.metadata.annotations?.[SA_NAMESPACE] ?? "kube-system";
    const seedNamespace = secret.metadata.namespace ?? "";
    const key = `${seedNamespace}/${namespace}/${name}`;
    const target = this.opts.shootClient(seedNamespace);
    if (!name || !target || this.serviceAccounts.has(key)) return;
    if (!await undefinedIfNotFound(target.get(CoreV1.serviceAccounts, name, { namespace }))) {
      this.stats.writes++;
      try {
        await target.create(CoreV1.serviceAccounts, {
          apiVersion: "v1",
          kind: "ServiceAccount",
          metadata: { name, namespace },
        }, { namespace });
        this.stats.serviceAccountsCreated++;
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
    this.serviceAccounts.add(key);
  }

  private target(mr: ManagedResource): KubeClient | undefined {
    return mr.spec.class === "seed" ? this.opts.seed : this.opts.shootClient(mr.metadata.namespace ?? "");
  }

  private async reconcile(mr: ManagedResource): Promise<void> {
    if (mr.metadata.deletionTimestamp) return await this.finalize(mr);
    if (!hasFinalizer(mr, GRM_FINALIZER)) {
      this.stats.writes++;
      await this.opts.seed.patch(
        ResourcesV1alpha1.managedResources,
        mr.metadata.name!,
        {
          metadata: {
            resourceVersion: mr.metadata.resourceVersion,
            finalizers: [...(mr.metadata.finalizers ?? []), GRM_FINALIZER],
          },
        },
        "merge",
        { namespace: mr.metadata.namespace },
      );
      this.stats.finalizerWrites++;
      return; // the next pass sees the MR with its finalizer
    }
    const ns = mr.metadata.namespace ?? "";
    const datas: Array<Record<string, string> | undefined> = [];
    let missing: string | undefined;
    for (const ref of mr.spec.secretRefs ?? []) {
      const secret = this.secrets.get({ namespace: ns, name: ref.name });
      if (!secret) missing ??= `Secret "${ns}/${ref.name}" not found`;
      datas.push(secret?.data);
    }
    const checksum = secretsChecksum(datas);
    const target = this.target(mr);
    const obs: MrObservation = { unhealthy: [] };
    let resources = mr.status?.resources ?? [];
    const upToDate = mr.status?.observedGeneration === mr.metadata.generation &&
      mr.status?.secretsDataChecksum === checksum &&
      mr.status?.conditions?.find((c) => c.type === "ResourcesApplied")?.status === "True";
    if (missing) obs.applyError = missing;
    else if (!target) obs.applyError = `no API server for the shoot of namespace ${ns}`;
    else if (!upToDate) {
      try {
        resources = await this.apply(mr, target, datas);
      } catch (e) {
        obs.applyError = `applying failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    if (target && !obs.applyError) await this.observeHealth(target, resources, obs);
    const next: ManagedResourceStatus = {
      observedGeneration: mr.metadata.generation,
      conditions: withConditionTimes(
        mr.status?.conditions,
        mrConditions(obs),
        new Date(this.clock.now()).toISOString(),
      ),
      resources,
      secretsDataChecksum: checksum,
    };
    if (!statusChanged(mr.status, next)) return;
    this.stats.writes++;
    await this.opts.seed.updateStatus(ResourcesV1alpha1.managedResources, { ...mr, status: next } as ManagedResource, {
      namespace: ns,
    });
    this.stats.statusWrites++;
  }

  /** Applies every object of the MR into `target`; deletes the ones it applied before that are gone from the MR. */
  private async apply(
    mr: ManagedResource,
    target: KubeClient,
    datas: Array<Record<string, string> | undefined>,
  ): Promise<ManagedResourceStatus["resources"] & object> {
    const edit = this.opts.edit ?? ((o: KubeObject) => o);
    const objects = datas.flatMap((d) => objectsOfSecretData(d)).map((o) => edit(desiredObject(mr, o), mr));
    const applied = [];
    const wanted: KubeObject[] = [];
    for (const obj of objects) {
      const { want, written } = await applyObject(target, obj, () => this.stats.writes++);
      if (written) this.stats.objectsApplied++;
      applied.push(appliedRef(want));
      wanted.push(want);
    }
    this.opts.onApplied?.(mr, wanted);
    const keep = new Set(applied.map(refKey));
    for (const stale of (mr.status?.resources ?? []).filter((r) => !keep.has(refKey(r)))) {
      await this.deleteApplied(target, stale);
    }
    return applied;
  }

  private async deleteApplied(
    target: KubeClient,
    ref: { apiVersion: string; kind: string; name: string; namespace?: string },
  ): Promise<void> {
    const type = resourceTypeOf(ref.apiVersion, ref.kind);
    if (!type) return;
    this.stats.writes++;
    try {
      await target.delete(type, ref.name, { namespace: ref.namespace });
      this.stats.objectsDeleted++;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async observeHealth(
    target: KubeClient,
    resources: NonNullable<ManagedResourceStatus["resources"]>,
    obs: MrObservation,
  ): Promise<void> {
    for (const ref of resources) {
      if (ref.kind !== "Deployment" || ref.apiVersion !== "apps/v1") continue;
      const key = `${ref.namespace}/${ref.name}`;
      let dep: KubeObject | undefined;
      if (target === this.opts.seed) dep = this.deployments.get({ namespace: ref.namespace, name: ref.name });
      else {
        try {
          dep = await target.get(AppsV1.deployments, ref.name, { namespace: ref.namespace });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      const problem = dep ? deploymentProblem(dep) : "not found";
      if (problem) obs.unhealthy.push({ kind: "Deployment", key, problem });
    }
  }

  /** Deletion: the applied objects go unless keepObjects, then the finalizer. */
  private async finalize(mr: ManagedResource): Promise<void> {
    if (!hasFinalizer(mr, GRM_FINALIZER)) return;
    const target = this.target(mr);
    if (target && !mr.spec.keepObjects) {
      for (const ref of mr.status?.resources ?? []) await this.deleteApplied(target, ref);
    }
    this.stats.writes++;
    try {
      await this.opts.seed.patch(
        ResourcesV1alpha1.managedResources,
        mr.metadata.name!,
        {
          metadata: {
            resourceVersion: mr.metadata.resourceVersion,
            finalizers: (mr.metadata.finalizers ?? []).filter((f) => f !== GRM_FINALIZER),
          },
        },
        "merge",
        { namespace: mr.metadata.namespace },
      );
      this.stats.finalizerWrites++;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
