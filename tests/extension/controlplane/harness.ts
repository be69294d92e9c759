/**
 * Integration harness of the ControlPlane controller: the fake seed with the real Cluster, ControlPlane,
 * ManagedResource, VPA and monitoring CRDs (crds/), the generic extension reconciler with our ControlPlane actuator,
 * gardenlet's side (annotate, hibernate, delete, force-delete, migrate, restore; the kube-apiserver Deployment) and a
 * stand-in for gardener-resource-manager (`Grm`) that takes MRs with its finalizer, applies the seed-class ones into
 * the seed (with the simulation's `applyObject`, listed in `status.resources`), reports their conditions and releases
 * them on deletion (removing what a seed-class MR applied).
 */
import type { MutatingWebhookConfiguration } from "kubernetes-types/admissionregistration/v1.d.ts";
import { parseAllDocuments } from "yaml";
import { type ApiServer, startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import {
  AppsV1,
  AutoscalingV1,
  CoreV1,
  ExtensionsV1alpha1,
  MonitoringV1,
  PolicyV1,
  ResourcesV1alpha1,
  type ResourceType,
} from "../../../src/k8s/api/resources.ts";
import { undefinedIfNotFound } from "../../../src/k8s/api/errors.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { decodeBase64Text, encodeBase64 } from "../../../src/runtime/base64.ts";
import { ExtensionReconciler } from "../../../src/extension/reconciler/extension_reconcile.ts";
import type { Result } from "../../../src/k8s/controller/controller.ts";
import type { ControlPlane } from "../../../src/apis/extensions/v1alpha1.ts";
import { newControlPlaneController } from "../../../src/extension/controlplane/mod.ts";
import { managedResourceSecretName, MANIFESTS_KEY } from "../../../src/extension/genericcontrolplane/mod.ts";
import { loadCrds } from "../../../src/playground/crds.ts";
import {
  appliedRef,
  applyObject,
  desiredObject,
  type ManagedResource,
  objectsOfSecretData,
} from "../../../src/sim/resourcemanager/mod.ts";
import {
  clusterObject,
  deleteConfirmed,
  errorOf,
  NAME,
  NS,
  reconcileOnce,
  requestOperation,
} from "../reconciler/harness.ts";

export { NAME, NS };

/** gardener-resource-manager's finalizer on ManagedResources. */
export const GRM_FINALIZER = "resources.gardener.cloud/gardener-resource-manager";

let crds: KubeObject[] | undefined;

function controlPlaneCrds(): KubeObject[] {
  crds ??= loadCrds({
    groups: ["gardener"],
    names: [
      "clusters.extensions.gardener.cloud",
      "controlplanes.extensions.gardener.cloud",
      "managedresources.resources.gardener.cloud",
      "verticalpodautoscalers.autoscaling.k8s.io",
      "servicemonitors.monitoring.coreos.com",
      "prometheusrules.monitoring.coreos.com",
    ],
  });
  return crds;
}

/** What the Cluster's shoot looks like. */
export interface ShootState {
  hibernated?: boolean;
  forceDeletion?: boolean;
  /** `generic-token-kubeconfig.secret.gardener.cloud/name` on the Cluster. */
  genericKubeconfig?: string;
}

function cluster(state: ShootState): KubeObject {
  const c = clusterObject(state.forceDeletion ? { "confirmation.gardener.cloud/force-deletion": "true" } : {}) as
    & KubeObject
    & { spec: { shoot: { spec: Record<string, unknown> } } };
  if (state.hibernated) c.spec.shoot.spec.hibernation = { enabled: true };
  c.metadata.annotations = {
    "generic-token-kubeconfig.secret.gardener.cloud/name": state.genericKubeconfig ?? "generic-token-kubeconfig-abc12",
  };
  return c;
}

/** The ControlPlane gardenlet creates for the shoot. */
export function controlPlaneObject(): ControlPlane {
  return {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "ControlPlane",
    metadata: { name: NAME, namespace: NS },
    spec: {
      type: "equinixmetal",
      region: "ny",
      secretRef: { name: "cloudprovider", namespace: NS },
      providerConfig: {
        apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
        kind: "ControlPlaneConfig",
      },
      infrastructureProviderStatus: {
        apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
        kind: "InfrastructureStatus",
      },
    },
  } as ControlPlane;
}

/** The seed resources the controller writes to, for listing what is left. */
export const SEED_RESOURCES: readonly ResourceType[] = [
  AppsV1.deployments,
  CoreV1.services,
  CoreV1.secrets,
  PolicyV1.podDisruptionBudgets,
  AutoscalingV1.verticalPodAutoscalers,
  MonitoringV1.serviceMonitors,
  MonitoringV1.prometheusRules,
  ResourcesV1alpha1.managedResources,
];

/** Objects gardenlet keeps in the shoot namespace (not the controller's). */
const GARDENLET_OBJECTS = new Set([
  "Secret/cloudprovider",
  "Deployment/kube-apiserver",
  "Secret/generic-token-kubeconfig-abc12",
]);

/** The fake seed, the ControlPlane reconciler and gardenlet's side. */
export class ControlPlaneHarness {
  readonly grm: Grm;
  private readonly reconciler: ExtensionReconciler<ControlPlane>;
  webhookConfig: MutatingWebhookConfiguration | undefined;

  private constructor(readonly api: ApiServer, readonly client: KubeClient, readonly clock: FakeClock) {
    const { kind, actuator, decode } = newControlPlaneController({ shootWebhookConfig: () => this.webhookConfig });
    this.reconciler = new ExtensionReconciler<ControlPlane>({ kind, actuator, client, decode, clock });
    this.grm = new Grm(client);
  }

  /** Starts the seed with the Cluster, the cloudprovider Secret, the generic kubeconfig and kube-apiserver (1 replica). */
  static async start(state: ShootState = {}): Promise<ControlPlaneHarness> {
    const clock = new FakeClock();
    const api = await startApiServer({ clock, namespaces: ["default", "kube-system", "garden", NS] });
    const h = new ControlPlaneHarness(api, new KubeClient(api.connection()), clock);
    try {
      await api.installCrds(controlPlaneCrds());
      await h.client.create(ExtensionsV1alpha1.clusters, cluster(state));
      await h.client.create(CoreV1.secrets, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "cloudprovider", namespace: NS, labels: { "gardener.cloud/purpose": "cloudprovider" } },
        data: { apiToken: encodeBase64("token-1"), projectID: encodeBase64("project-1") },
      } as KubeObject);
      await h.client.create(CoreV1.secrets, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "generic-token-kubeconfig-abc12", namespace: NS },
        data: { kubeconfig: encodeBase64("apiVersion: v1\nkind: Config\n") },
      } as KubeObject);
      await h.client.create(AppsV1.deployments, kubeApiServer(1));
    } catch (e) {
      await h.close();
      throw e;
    }
    return h;
  }

  /** Replaces the Cluster (as gardenlet re-syncs it on hibernation or force-deletion). */
  async updateCluster(state: ShootState): Promise<void> {
    const current = await this.client.get(ExtensionsV1alpha1.clusters, NS);
    const next = cluster(state);
    await this.client.update(ExtensionsV1alpha1.clusters, {
      ...next,
      metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion },
    });
  }

  /** Scales gardenlet's kube-apiserver. */
  async scaleKubeApiServer(replicas: number): Promise<void> {
    await this.client.patch(AppsV1.deployments, "kube-apiserver", { spec: { replicas } }, "merge", { namespace: NS });
  }

  /** Rotates the credentials in the cloudprovider Secret. */
  async rotateCredentials(token: string): Promise<void> {
    await this.client.patch(CoreV1.secrets, "cloudprovider", { data: { apiToken: encodeBase64(token) } }, "merge", {
      namespace: NS,
    });
  }

  async createControlPlane(): Promise<ControlPlane> {
    return await this.client.create<ControlPlane>(ExtensionsV1alpha1.controlPlanes, controlPlaneObject());
  }

  async getControlPlane(): Promise<ControlPlane> {
    return await this.client.get<ControlPlane>(ExtensionsV1alpha1.controlPlanes, NAME, { namespace: NS });
  }

  async controlPlaneExists(): Promise<boolean> {
    return (await this.get(ExtensionsV1alpha1.controlPlanes, NAME)) !== undefined;
  }

  /** gardenlet's request: operation annotation plus a fresh timestamp. */
  async annotate(operation = "reconcile"): Promise<void> {
    await requestOperation(
      this.client,
      ExtensionsV1alpha1.controlPlanes,
      { namespace: NS, name: NAME },
      operation,
      this.clock.now(),
    );
  }

  /** One reconcile of the ControlPlane, as the controller runs it. */
  reconcile(): Promise<Result | void> {
    return reconcileOnce(this.reconciler, { namespace: NS, name: NAME }, "test.controlplane");
  }

  /** Reconciles; an error is returned instead of thrown (the status carries it). */
  reconcileCatching(): Promise<unknown> {
    return errorOf(() => this.reconcile());
  }

  /** gardenlet deletes the ControlPlane (confirmation annotation first). */
  async deleteControlPlane(): Promise<void> {
    await deleteConfirmed(this.client, ExtensionsV1alpha1.controlPlanes, { namespace: NS, name: NAME });
  }

  /** The stored object, or undefined. */
  async get<T extends KubeObject>(res: ResourceType, name: string): Promise<T | undefined> {
    return await undefinedIfNotFound(this.client.get<T>(res, name, { namespace: NS }));
  }

  /** `Kind/name` of every object of the controller's resource types in the shoot namespace, gardenlet's left out. */
  async seedObjects(): Promise<string[]> {
    const out: string[] = [];
    for (const res of SEED_RESOURCES) {
      for (const o of (await this.client.list(res, { namespace: NS })).items) {
        const key = `${res.kind}/${o.metadata.name}`;
        if (!GARDENLET_OBJECTS.has(key)) out.push(key);
      }
    }
    return out.sort();
  }

  /** The manifests of an MR's Secret. */
  async manifests(mr: string): Promise<KubeObject[]> {
    const secret = await this.client.get<KubeObject & { data: Record<string, string> }>(
      CoreV1.secrets,
      managedResourceSecretName(mr),
      { namespace: NS },
    );
    return parseAllDocuments(decodeBase64Text(secret.data[MANIFESTS_KEY])).map((d) => d.toJSON() as KubeObject);
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

/** gardenlet's kube-apiserver Deployment (nothing runs it here). */
export function kubeApiServer(replicas: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "kube-apiserver", namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: "kubernetes", role: "apiserver" } },
      template: {
        metadata: { labels: { app: "kubernetes", role: "apiserver" } },
        spec: { containers: [{ name: "kube-apiserver", image: "kube-apiserver:test" }] },
      },
    },
  } as KubeObject;
}

/** What gardener-resource-manager does to ManagedResources, reduced to what the ControlPlane controller observes. */
export class Grm {
  constructor(private readonly client: KubeClient) {}

  private async all(): Promise<ManagedResource[]> {
    return (await this.client.list<ManagedResource>(ResourcesV1alpha1.managedResources, { namespace: NS })).items;
  }

  /** The objects of a seed-class MR (none for other MRs). */
  private async seedObjectsOf(mr: ManagedResource): Promise<KubeObject[]> {
    if (mr.spec.class !== "seed") return [];
    const out: KubeObject[] = [];
    for (const ref of mr.spec.secretRefs ?? []) {
      const secret = await this.client.get<KubeObject & { data?: Record<string, string> }>(CoreV1.secrets, ref.name, {
        namespace: NS,
      });
      out.push(...objectsOfSecretData(secret.data).map((o) => desiredObject(mr, o)));
    }
    return out;
  }

  /** Takes every MR (finalizer) and reports it applied and healthy for its current generation. */
  async applyAll(healthy = true): Promise<void> {
    for (const mr of await this.all()) {
      if (mr.metadata.deletionTimestamp) continue;
      if (!mr.metadata.finalizers?.includes(GRM_FINALIZER)) {
        await this.client.patch(
          ResourcesV1alpha1.managedResources,
          mr.metadata.name!,
          { metadata: { finalizers: [...(mr.metadata.finalizers ?? []), GRM_FINALIZER] } },
          "merge",
          { namespace: NS },
        );
      }
      const resources = [];
      for (const o of await this.seedObjectsOf(mr)) {
        resources.push(appliedRef((await applyObject(this.client, o)).want));
      }
      const status = healthy ? "True" : "False";
      const at = "2026-01-01T00:00:00Z";
      await this.client.patch(
        ResourcesV1alpha1.managedResources,
        mr.metadata.name!,
        {
          status: {
            resources,
            observedGeneration: mr.metadata.generation,
            conditions: [
              {
                type: "ResourcesApplied",
                status: "True",
                reason: "ApplySucceeded",
                message: "applied",
                lastTransitionTime: at,
                lastUpdateTime: at,
              },
              {
                type: "ResourcesHealthy",
                status,
                reason: healthy ? "ResourcesHealthy" : "NotHealthy",
                message: "checked",
                lastTransitionTime: at,
                lastUpdateTime: at,
              },
              {
                type: "ResourcesProgressing",
                status: "False",
                reason: "ResourcesRolledOut",
                message: "done",
                lastTransitionTime: at,
                lastUpdateTime: at,
              },
            ],
          },
        },
        "merge",
        { namespace: NS, subresource: "status" },
      );
    }
  }

  /** Finishes deleting MRs (their objects removed, or kept with keepObjects); returns the names released. */
  async processDeletions(): Promise<string[]> {
    const released: string[] = [];
    for (const mr of await this.all()) {
      if (!mr.metadata.deletionTimestamp) continue;
      // What a seed-class MR applied (its status says; the MR's Secret is already gone).
      for (const ref of mr.spec.keepObjects ? [] : mr.status?.resources ?? []) {
        const type = SEED_RESOURCES.find((r) => r.kind === ref.kind)!;
        await undefinedIfNotFound(this.client.delete(type, ref.name, { namespace: NS }));
      }
      await this.client.patch(
        ResourcesV1alpha1.managedResources,
        mr.metadata.name!,
        { metadata: { finalizers: null } },
        "merge",
        {
          namespace: NS,
        },
      );
      released.push(mr.metadata.name!);
    }
    return released.sort();
  }

  /** The MR's keepObjects as stored. */
  async keepObjects(name: string): Promise<boolean | undefined> {
    const mr = await this.client.get<ManagedResource>(ResourcesV1alpha1.managedResources, name, { namespace: NS });
    return mr.spec.keepObjects;
  }
}
