/**
 * Health-check test harness: a fake seed (Cluster, Worker, ControlPlane, MCM and ManagedResource CRDs) with one shoot
 * namespace and its `gardener` access secret, a fake shoot API server with nodes, and the Equinix health checks on a
 * Manager (no leader election, no probes) driven by a FakeClock.
 */
import { type ApiServer, startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { CoreV1, ExtensionsV1alpha1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import type { Node } from "../../../src/k8s/api/builtin_types.ts";
import type { MachineDeployment } from "../../../src/apis/machine/v1alpha1.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { encodeBase64 } from "../../../src/runtime/base64.ts";
import { getLogger } from "../../../src/observability/log.ts";
import { Manager } from "../../../src/k8s/controller/manager.ts";
import { add, type HealthChecks } from "../../../src/extension/healthcheck/add.ts";
import { loadCrds } from "../../../src/playground/crds.ts";
import { clusterObject, NAME, NS } from "../reconciler/harness.ts";

export { NAME, NS };
export const SYNC_MS = 30_000;

let crds: KubeObject[] | undefined;
/** The seed CRDs the health checks read (loaded once). */
export function healthCrds(): KubeObject[] {
  crds ??= loadCrds({
    groups: ["gardener", "machine"],
    names: [
      "clusters.extensions.gardener.cloud",
      "workers.extensions.gardener.cloud",
      "controlplanes.extensions.gardener.cloud",
      "managedresources.resources.gardener.cloud",
      "machinedeployments.machine.sapcloud.io",
      "machines.machine.sapcloud.io",
    ],
  });
  return crds;
}

/** A Worker as gardenlet creates it, reconciled successfully. */
export function workerObject(): KubeObject {
  return {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "Worker",
    metadata: { name: NAME, namespace: NS },
    spec: {
      type: "equinixmetal",
      region: "ny",
      secretRef: { name: "cloudprovider", namespace: NS },
      pools: [],
    },
  } as KubeObject;
}

/** A healthy MachineDeployment of `replicas`. */
export function machineDeployment(name: string, replicas: number): MachineDeployment {
  return {
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "MachineDeployment",
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { name } },
      template: { spec: { class: { kind: "MachineClass", name } } },
    },
  } as MachineDeployment;
}

/** The status MCM reports for a deployment with all replicas available. */
export function availableStatus(replicas: number) {
  return {
    observedGeneration: 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    conditions: [
      { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
      { type: "Progressing", status: "True", reason: "NewMachineSetAvailable" },
    ],
  };
}

/** A shoot node, Ready unless told otherwise. */
export function node(name: string, ready = true, unschedulable = false): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    spec: unschedulable ? { unschedulable: true } : {},
    status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  } as Node;
}

/** Seed and shoot, the Worker, one healthy deployment of `replicas` with its nodes, and the checks running. */
export class HealthHarness {
  private readonly stop = new AbortController();
  private done?: Promise<unknown>;
  checks!: HealthChecks;

  private constructor(
    readonly seed: ApiServer,
    readonly shoot: ApiServer,
    readonly seedClient: KubeClient,
    readonly shootClient: KubeClient,
    readonly clock: FakeClock,
  ) {}

  static async start(replicas = 2): Promise<HealthHarness> {
    const clock = new FakeClock();
    const seed = await startApiServer({ clock, namespaces: ["default", "kube-system", "garden", NS] });
    const shoot = await startApiServer({ clock });
    const h = new HealthHarness(
      seed,
      shoot,
      new KubeClient(seed.connection()),
      new KubeClient(shoot.connection()),
      clock,
    );
    try {
      await seed.installCrds(healthCrds());
      await h.seedClient.create(ExtensionsV1alpha1.clusters, clusterObject());
      await h.seedClient.create(CoreV1.secrets, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "gardener", namespace: NS },
        data: { kubeconfig: encodeBase64(shoot.kubeconfigYaml()) },
      } as KubeObject);
      await h.seedClient.create(ExtensionsV1alpha1.workers, workerObject());
      await h.setDeployment("pool-a", replicas, availableStatus(replicas));
      for (let i = 0; i < replicas; i++) await h.shootClient.create(CoreV1.nodes, node(`node-${i}`));
    } catch (e) {
      await h.close();
      throw e;
    }
    return h;
  }

  /** Creates or replaces a MachineDeployment with the given status. */
  async setDeployment(name: string, replicas: number, status: Record<string, unknown>): Promise<void> {
    const res = MachineV1alpha1.machineDeployments;
    let md: KubeObject;
    try {
      const current = await this.seedClient.get<MachineDeployment>(res, name, { namespace: NS });
      md = await this.seedClient.update(res, { ...current, spec: { ...current.spec, replicas } }, { namespace: NS });
    } catch {
      md = await this.seedClient.create(res, machineDeployment(name, replicas), { namespace: NS });
    }
    await this.seedClient.updateStatus(res, {
      ...md,
      status: { ...status, observedGeneration: md.metadata.generation },
    }, {
      namespace: NS,
    });
  }

  /** Starts the health checks on a Manager. */
  startChecks(opts: { nodeThresholds?: { scaleUpMs: number; scaleDownMs: number } } = {}): void {
    const manager = new Manager({ client: this.seedClient, clock: this.clock });
    this.checks = add(manager, {
      client: this.seedClient,
      extensionClasses: ["shoot"],
      ignoreOperationAnnotation: false,
      clock: this.clock,
      log: getLogger("extension.healthcheck"),
      options: {
        syncPeriodMs: SYNC_MS,
        concurrency: 1,
        shootQps: 100,
        shootBurst: 130,
        nodeThresholds: opts.nodeThresholds,
      },
    });
    this.done = manager.start(this.stop.signal);
  }

  /** The Worker as stored. */
  async worker(): Promise<KubeObject & { status?: { conditions?: Record<string, string>[] } }> {
    return await this.seedClient.get(ExtensionsV1alpha1.workers, NAME, { namespace: NS });
  }

  /** Status writes of Workers the seed served. */
  workerStatusWrites(): number {
    const by = this.seed.counters.snapshot().byVerbResource;
    return (by["update workers/status"] ?? 0) + (by["patch workers/status"] ?? 0);
  }

  /** Moves fake time one sync period, in small steps with real I/O between them. */
  async nextPass(): Promise<void> {
    for (let i = 0; i < 6; i++) {
      await this.clock.advance(SYNC_MS / 6);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.done;
    this.seedClient.close();
    this.shootClient.close();
    await this.shoot.stop();
    await this.seed.stop();
  }
}
