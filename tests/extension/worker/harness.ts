/**
 * Integration harness of the Worker controller: the fake API server with the real Worker, Cluster and MCM CRDs
 * (vendored in crds/), the Worker actuator behind the generic extension reconciler, gardenlet's actions (annotate, delete,
 * hibernate, restore) and a test-side stand-in for machine-controller-manager (`Mcm`) that writes MachineSets,
 * Machines, finalizers and MachineDeployment status the way MCM would.
 */
import { type ApiServer, startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { AppsV1, CoreV1, ExtensionsV1alpha1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { configureLogging, type LogLevel } from "../../../src/observability/log.ts";
import { ExtensionReconciler } from "../../../src/extension/reconciler/extension_reconcile.ts";
import { deleteConfirmed, errorOf, readinessProblems, reconcileOnce, requestOperation } from "../reconciler/harness.ts";
import type { Result } from "../../../src/k8s/controller/controller.ts";
import type { Worker } from "../../../src/apis/extensions/v1alpha1.ts";
import {
  type Machine,
  type MachineClass,
  type MachineDeployment,
  type MachineSet,
  MC_SECRET_FINALIZER,
  MCM_FINALIZER,
} from "../../../src/apis/machine/v1alpha1.ts";
import { newWorkerController } from "../../../src/extension/worker/controller.ts";
import { isNotFound } from "../../../src/k8s/api/errors.ts";
import { loadCrds } from "../../../src/playground/crds.ts";
import {
  clusterObject,
  type ClusterOptions,
  credentialsSecret,
  NAME,
  NS,
  userDataSecret,
  workerObject,
} from "./fixtures.ts";

configureLogging({ level: (Deno.env.get("TEST_LOG_LEVEL") ?? "error") as LogLevel });

let crds: KubeObject[] | undefined;

/** The Worker and Cluster CRDs and MCM's CRDs, parsed once per test module. */
function workerCrds(): KubeObject[] {
  crds ??= [
    ...loadCrds({
      groups: ["gardener"],
      names: ["clusters.extensions.gardener.cloud", "workers.extensions.gardener.cloud"],
    }),
    ...loadCrds({ groups: ["machine"] }),
  ];
  return crds;
}

/** The seed, the Worker reconciler and gardenlet's side. */
export class WorkerHarness {
  readonly mcm: Mcm;
  private readonly reconciler: ExtensionReconciler<Worker>;

  private constructor(readonly api: ApiServer, readonly client: KubeClient, readonly clock: FakeClock) {
    const { kind, actuator, decode } = newWorkerController();
    this.reconciler = new ExtensionReconciler<Worker>({ kind, actuator, client, decode, clock });
    this.mcm = new Mcm(client);
  }

  /** Starts the seed with the Cluster, the cloudprovider secret and user data secrets for pool-a and pool-b. */
  static async start(opts: ClusterOptions & { mcmDeployment?: boolean } = {}): Promise<WorkerHarness> {
    const clock = new FakeClock();
    const api = await startApiServer({ clock, namespaces: ["default", "kube-system", NS] });
    const h = new WorkerHarness(api, new KubeClient(api.connection()), clock);
    try {
      await api.installCrds(workerCrds());
      await h.client.create(ExtensionsV1alpha1.clusters, clusterObject(opts));
      await h.client.create(CoreV1.secrets, credentialsSecret());
      await h.client.create(CoreV1.secrets, userDataSecret("pool-a"));
      await h.client.create(CoreV1.secrets, userDataSecret("pool-b"));
      if (opts.mcmDeployment) await h.client.create(AppsV1.deployments, mcmDeployment(1));
    } catch (e) {
      await h.close();
      throw e;
    }
    return h;
  }

  /** Replaces the Cluster (as gardenlet re-syncs it, e.g. on hibernation). */
  async updateCluster(opts: ClusterOptions): Promise<void> {
    const current = await this.client.get(ExtensionsV1alpha1.clusters, NS);
    const next = clusterObject(opts);
    await this.client.update(ExtensionsV1alpha1.clusters, {
      ...next,
      metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion },
    });
  }

  async createWorker(worker: Worker = workerObject()): Promise<Worker> {
    return await this.client.create<Worker>(ExtensionsV1alpha1.workers, worker);
  }

  /** Creates the Worker and brings it to a finished reconcile with every deployment rolled out (MCM settled). */
  async readyWorker(worker: Worker = workerObject()): Promise<void> {
    await this.createWorker(worker);
    await this.annotate();
    await this.reconcile();
    await this.mcm.addFinalizers();
    await this.mcm.settleAll();
    await this.clock.advance(5000);
    const result = await this.reconcile();
    const problems = readinessProblems(await this.getWorker());
    if (result !== undefined || problems.length > 0) {
      throw new Error(`the Worker is not ready: reconcile answered ${JSON.stringify(result)}; ${problems.join(", ")}`);
    }
  }

  async getWorker(): Promise<Worker> {
    return await this.client.get<Worker>(ExtensionsV1alpha1.workers, NAME, { namespace: NS });
  }

  /** Replaces the Worker's spec (as gardenlet deploys a new one; a merge patch replaces the pools list whole). */
  async updateWorkerSpec(spec: Worker["spec"]): Promise<void> {
    await this.client.patch(ExtensionsV1alpha1.workers, NAME, { spec }, "merge", { namespace: NS });
  }

  /** gardenlet's request: operation annotation plus a fresh timestamp. */
  async annotate(operation = "reconcile"): Promise<void> {
    await requestOperation(
      this.client,
      ExtensionsV1alpha1.workers,
      { namespace: NS, name: NAME },
      operation,
      this.clock.now(),
    );
  }

  /** One reconcile of the Worker, as the controller runs it. */
  reconcile(): Promise<Result | void> {
    return reconcileOnce(this.reconciler, { namespace: NS, name: NAME }, "test.worker");
  }

  /** Reconciles; an error is returned instead of thrown (the status carries it). */
  reconcileCatching(): Promise<unknown> {
    return errorOf(() => this.reconcile());
  }

  /** gardenlet deletes the Worker (confirmation annotation first). */
  async deleteWorker(): Promise<void> {
    await deleteConfirmed(this.client, ExtensionsV1alpha1.workers, { namespace: NS, name: NAME });
  }

  async workerExists(): Promise<boolean> {
    try {
      await this.getWorker();
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** Patches the Worker status as gardenlet does before a restore. */
  async patchWorkerStatus(status: Record<string, unknown>): Promise<void> {
    await this.client.patch(ExtensionsV1alpha1.workers, NAME, { status }, "merge", {
      namespace: NS,
      subresource: "status",
    });
  }

  async list<T extends KubeObject>(res: typeof MachineV1alpha1[keyof typeof MachineV1alpha1]): Promise<T[]> {
    return (await this.client.list<T>(res, { namespace: NS })).items
      .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
  }

  async names(res: typeof MachineV1alpha1[keyof typeof MachineV1alpha1]): Promise<string[]> {
    return (await this.list(res)).map((o) => o.metadata.name ?? "");
  }

  async classSecretNames(): Promise<string[]> {
    const list = await this.client.list(CoreV1.secrets, {
      namespace: NS,
      labelSelector: "gardener.cloud/purpose=machineclass",
    });
    return list.items.map((s) => s.metadata.name ?? "").sort();
  }

  /** Write requests since the last reset (leases and events excluded). */
  writes(): number {
    return this.api.counters.writes({ excludeResources: ["events", "leases"] });
  }

  resetCounters(): void {
    this.api.counters.reset();
  }

  async close(): Promise<void> {
    this.client.close();
    await this.api.stop();
  }
}

/** gardenlet's machine-controller-manager Deployment (image irrelevant: nothing runs it here). */
export function mcmDeployment(replicas: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "machine-controller-manager", namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { role: "machine-controller-manager" } },
      template: {
        metadata: { labels: { role: "machine-controller-manager" } },
        spec: { containers: [{ name: "mcm", image: "mcm:test" }] },
      },
    },
  } as KubeObject;
}

function hash5(text: string): string {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, "0").slice(0, 5);
}

/**
 * What machine-controller-manager does to the objects, reduced to what the Worker controller observes: MachineSets per
 * class, Machines, finalizers and MachineDeployment status.
 */
export class Mcm {
  constructor(private readonly client: KubeClient) {}

  private async md(name: string): Promise<MachineDeployment> {
    return await this.client.get<MachineDeployment>(MachineV1alpha1.machineDeployments, name, { namespace: NS });
  }

  private async setsOf(md: string): Promise<MachineSet[]> {
    const all = (await this.client.list<MachineSet>(MachineV1alpha1.machineSets, { namespace: NS })).items;
    return all.filter((s) =>
      (s.metadata.ownerReferences ?? []).some((o) => o.kind === "MachineDeployment" && o.name === md) ||
      (!s.metadata.ownerReferences?.length && s.metadata.labels?.name === md)
    );
  }

  async machinesOf(set: string): Promise<Machine[]> {
    const all = (await this.client.list<Machine>(MachineV1alpha1.machines, { namespace: NS })).items;
    return all.filter((m) => (m.metadata.ownerReferences ?? []).some((o) => o.name === set));
  }

  /** The MachineSet of the deployment's current class (created if missing), with `replicas` Machines. */
  private async currentSet(md: MachineDeployment, replicas: number): Promise<MachineSet> {
    const cls = md.spec.template.spec?.class?.name ?? "";
    const name = `${md.metadata.name}-${hash5(cls)}`;
    let set: MachineSet;
    try {
      set = await this.client.get<MachineSet>(MachineV1alpha1.machineSets, name, { namespace: NS });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      set = await this.client.create<MachineSet>(MachineV1alpha1.machineSets, {
        apiVersion: "machine.sapcloud.io/v1alpha1",
        kind: "MachineSet",
        metadata: {
          name,
          namespace: NS,
          labels: { name: md.metadata.name! },
          finalizers: [MCM_FINALIZER],
          ownerReferences: [{
            apiVersion: "machine.sapcloud.io/v1alpha1",
            kind: "MachineDeployment",
            name: md.metadata.name!,
            uid: md.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          }],
        },
        spec: {
          replicas,
          selector: md.spec.selector,
          template: md.spec.template,
          machineClass: md.spec.template.spec?.class,
        },
      });
    }
    const machines = await this.machinesOf(name);
    for (let i = machines.length; i < replicas; i++) {
      await this.client.create<Machine>(MachineV1alpha1.machines, {
        apiVersion: "machine.sapcloud.io/v1alpha1",
        kind: "Machine",
        metadata: {
          name: `${name}-m${i}`,
          namespace: NS,
          labels: { name: md.metadata.name!, node: `node-${name}-m${i}` },
          finalizers: [MCM_FINALIZER],
          ownerReferences: [{
            apiVersion: "machine.sapcloud.io/v1alpha1",
            kind: "MachineSet",
            name,
            uid: set.metadata.uid!,
            controller: true,
          }],
        },
        spec: { class: md.spec.template.spec?.class, providerID: `equinixmetal://ny/dev-${name}-${i}` },
      });
    }
    for (const m of machines.slice(replicas)) await this.deleteNow(MachineV1alpha1.machines, m);
    return set;
  }

  /** Removes finalizers and deletes an object. */
  async deleteNow(res: typeof MachineV1alpha1[keyof typeof MachineV1alpha1], obj: KubeObject): Promise<void> {
    try {
      if (obj.metadata.finalizers?.length) {
        await this.client.patch(res, obj.metadata.name!, { metadata: { finalizers: null } }, "merge", {
          namespace: NS,
        });
      }
      await this.client.delete(res, obj.metadata.name!, { namespace: NS });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async writeStatus(md: MachineDeployment, status: MachineDeployment["status"]): Promise<void> {
    await this.client.patch(MachineV1alpha1.machineDeployments, md.metadata.name!, { status }, "merge", {
      namespace: NS,
      subresource: "status",
    });
  }

  /** MCM's finalizers on deployments, referenced classes and their secrets (what MCM adds once it sees them). */
  async addFinalizers(): Promise<void> {
    const add = async (res: Parameters<KubeClient["patch"]>[0], o: KubeObject, f: string) => {
      if (o.metadata.deletionTimestamp || o.metadata.finalizers?.includes(f)) return;
      await this.client.patch(
        res,
        o.metadata.name!,
        {
          metadata: { resourceVersion: o.metadata.resourceVersion, finalizers: [...(o.metadata.finalizers ?? []), f] },
        },
        "merge",
        { namespace: NS },
      );
    };
    for (const md of (await this.client.list(MachineV1alpha1.machineDeployments, { namespace: NS })).items) {
      await add(MachineV1alpha1.machineDeployments, md, MCM_FINALIZER);
    }
    const classes = (await this.client.list<MachineClass>(MachineV1alpha1.machineClasses, { namespace: NS })).items;
    const secrets = new Set<string>();
    for (const c of classes) {
      await add(MachineV1alpha1.machineClasses, c, MCM_FINALIZER);
      for (const ref of [c.secretRef, c.credentialsSecretRef]) if (ref?.name) secrets.add(ref.name);
    }
    for (const name of secrets) {
      try {
        const s = await this.client.get(CoreV1.secrets, name, { namespace: NS });
        await add(CoreV1.secrets, s, MC_SECRET_FINALIZER);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** Converges a deployment: one MachineSet of its class with all replicas ready; older sets and machines gone. */
  async settle(name: string): Promise<void> {
    const md = await this.md(name);
    const replicas = md.spec.replicas ?? 0;
    const current = await this.currentSet(md, replicas);
    for (const s of await this.setsOf(name)) {
      if (s.metadata.name === current.metadata.name) continue;
      for (const m of await this.machinesOf(s.metadata.name!)) await this.deleteNow(MachineV1alpha1.machines, m);
      await this.deleteNow(MachineV1alpha1.machineSets, s);
    }
    await this.writeStatus(md, {
      observedGeneration: md.metadata.generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      unavailableReplicas: 0,
      conditions: [
        { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "available" },
        { type: "Progressing", status: "True", reason: "NewMachineSetAvailable", message: "done" },
      ],
    });
  }

  /** Converges every deployment. */
  async settleAll(): Promise<void> {
    for (const md of (await this.client.list(MachineV1alpha1.machineDeployments, { namespace: NS })).items) {
      if (!md.metadata.deletionTimestamp) await this.settle(md.metadata.name!);
    }
  }

  /** Mid-rollout: the new class's set has one new machine, the old machines are still there. */
  async startRolling(name: string): Promise<void> {
    const md = await this.md(name);
    const old = (await this.setsOf(name)).reduce((n, s) => n + (s.spec?.replicas ?? 0), 0);
    await this.currentSet(md, 1);
    await this.writeStatus(md, {
      observedGeneration: md.metadata.generation,
      replicas: old + 1,
      updatedReplicas: 1,
      readyReplicas: old,
      availableReplicas: old,
      unavailableReplicas: 1,
      conditions: [{ type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "available" }],
    });
  }

  /** Reports failed machines in the deployment's status. */
  async failMachines(name: string, failed: NonNullable<MachineDeployment["status"]>["failedMachines"]): Promise<void> {
    await this.writeStatus(await this.md(name), { failedMachines: failed });
  }

  /** Takes or releases MCM's finalizer on the cloudprovider secret. */
  async holdCredentials(hold: boolean): Promise<void> {
    const s = await this.client.get(CoreV1.secrets, "cloudprovider", { namespace: NS });
    const rest = (s.metadata.finalizers ?? []).filter((f) => f !== MC_SECRET_FINALIZER);
    await this.client.patch(
      CoreV1.secrets,
      "cloudprovider",
      {
        metadata: { finalizers: hold ? [...rest, MC_SECRET_FINALIZER] : rest },
      },
      "merge",
      { namespace: NS },
    );
  }

  /** MCM processing deletions: machines and sets of deleted deployments go, then finalizers are released. */
  async processDeletions(): Promise<void> {
    const mds =
      (await this.client.list<MachineDeployment>(MachineV1alpha1.machineDeployments, { namespace: NS })).items;
    for (const md of mds.filter((d) => d.metadata.deletionTimestamp)) {
      for (const s of await this.setsOf(md.metadata.name!)) {
        for (const m of await this.machinesOf(s.metadata.name!)) await this.deleteNow(MachineV1alpha1.machines, m);
        await this.deleteNow(MachineV1alpha1.machineSets, s);
      }
      await this.deleteNow(MachineV1alpha1.machineDeployments, md);
    }
    const machines = (await this.client.list<Machine>(MachineV1alpha1.machines, { namespace: NS })).items;
    const used = new Set(machines.map((m) => m.spec.class?.name));
    for (const c of (await this.client.list(MachineV1alpha1.machineClasses, { namespace: NS })).items) {
      if (c.metadata.deletionTimestamp && !used.has(c.metadata.name)) {
        await this.deleteNow(MachineV1alpha1.machineClasses, c);
      }
    }
    const classes = (await this.client.list<MachineClass>(MachineV1alpha1.machineClasses, { namespace: NS })).items;
    const referenced = new Set(classes.flatMap((c) => [c.secretRef?.name, c.credentialsSecretRef?.name]));
    for (const s of (await this.client.list(CoreV1.secrets, { namespace: NS })).items) {
      if (!s.metadata.finalizers?.includes(MC_SECRET_FINALIZER) || referenced.has(s.metadata.name)) continue;
      const rest = s.metadata.finalizers.filter((f) => f !== MC_SECRET_FINALIZER);
      await this.client.patch(
        CoreV1.secrets,
        s.metadata.name!,
        { metadata: { finalizers: rest.length ? rest : null } },
        "merge",
        {
          namespace: NS,
        },
      );
    }
  }
}
