/**
 * Test harness of the extension controllers: the fake API server with the real Cluster and Infrastructure CRDs
 * (crds/), a shoot namespace with its Cluster, and helpers that act as gardenlet (annotate, delete, force-delete,
 * fail the shoot). `readinessProblems` is an independent copy of gardenlet's readiness check (§2.4).
 */
import { type ApiServer, startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { ExtensionsV1alpha1, type ResourceType } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { configureLogging, getLogger, type LogLevel } from "../../../src/observability/log.ts";
import type { Reconciler, Result } from "../../../src/k8s/controller/controller.ts";
import { encodeSshPublicKey, type Infrastructure } from "../../../src/apis/extensions/v1alpha1.ts";
import { loadCrds } from "../../../src/playground/crds.ts";

configureLogging({ level: (Deno.env.get("TEST_LOG_LEVEL") ?? "error") as LogLevel });

export const NS = "shoot--garden--playground";
export const NAME = "playground";
/** Real ed25519 keys (ssh-keygen), with their MD5 fingerprints as `ssh-keygen -l -E md5` prints them. */
export const KEY_1 = {
  key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICHmytVYfxGIx+vuTN/Hr+y4zvLSjXOo+Ag0pHLGlPMh gardener@playground",
  fingerprint: "4c:a9:78:d2:3e:ed:b3:8b:a8:a9:a6:15:f7:91:6e:ac",
};
export const KEY_2 = {
  key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHeAAFePAepdYjcm85Na8IhkkokmYjmyC14+gY60Fl0H gardener@rotated",
  fingerprint: "c3:24:9b:d8:40:83:41:a7:a6:d9:e6:0c:ac:86:52:59",
};

const CRDS = new Set([
  "clusters.extensions.gardener.cloud",
  "infrastructures.extensions.gardener.cloud",
  "workers.extensions.gardener.cloud",
]);
let crds: KubeObject[] | undefined;

/** The Cluster, Infrastructure and Worker CRDs (parsed once per test module: parsing is the slow part). */
export function extensionCrds(): KubeObject[] {
  crds ??= loadCrds({ groups: ["gardener"], names: [...CRDS] });
  return crds;
}

/** A Cluster for `NS` whose shoot is in region ny (enough for the protocol; the examples carry the full one). */
export function clusterObject(shootAnnotations: Record<string, string> = {}, shootFailed = false): KubeObject {
  return {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "Cluster",
    metadata: { name: NS },
    spec: {
      shoot: {
        apiVersion: "core.gardener.cloud/v1beta1",
        kind: "Shoot",
        metadata: { name: NAME, namespace: "garden-garden", annotations: shootAnnotations },
        spec: {
          region: "ny",
          kubernetes: { version: "1.31.4" },
          provider: { type: "equinixmetal" },
        },
        status: {
          technicalID: NS,
          lastOperation: { type: "Reconcile", state: shootFailed ? "Failed" : "Processing", progress: 10 },
        },
      },
      cloudProfile: {
        apiVersion: "core.gardener.cloud/v1beta1",
        kind: "CloudProfile",
        metadata: { name: "equinix-metal" },
        spec: { type: "equinixmetal", regions: [{ name: "ny" }], machineTypes: [], machineImages: [] },
      },
    },
  } as KubeObject;
}

/** An Infrastructure as gardenlet creates it (no status yet). */
export function infrastructureObject(publicKey = KEY_1.key): Infrastructure {
  return {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "Infrastructure",
    metadata: { name: NAME, namespace: NS },
    spec: {
      type: "equinixmetal",
      region: "ny",
      secretRef: { name: "cloudprovider", namespace: NS },
      sshPublicKey: encodeSshPublicKey(publicKey),
      providerConfig: {
        apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
        kind: "InfrastructureConfig",
      },
    },
  };
}

/** gardenlet's RFC3339Nano UTC timestamp. */
export function nanoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

/** gardenlet's request on an extension object: `gardener.cloud/operation` and a fresh `gardener.cloud/timestamp`. */
export async function requestOperation(
  client: KubeClient,
  res: ResourceType,
  ref: { namespace: string; name: string },
  operation: string,
  now: number,
): Promise<void> {
  await client.patch(
    res,
    ref.name,
    {
      metadata: {
        annotations: { "gardener.cloud/operation": operation, "gardener.cloud/timestamp": nanoTimestamp(now) },
      },
    },
    "merge",
    { namespace: ref.namespace },
  );
}

/** gardenlet deletes an extension object: `confirmation.gardener.cloud/deletion` first, then the delete. */
export async function deleteConfirmed(
  client: KubeClient,
  res: ResourceType,
  ref: { namespace: string; name: string },
): Promise<void> {
  await client.patch(
    res,
    ref.name,
    { metadata: { annotations: { "confirmation.gardener.cloud/deletion": "true" } } },
    "merge",
    { namespace: ref.namespace },
  );
  await client.delete(res, ref.name, { namespace: ref.namespace });
}

/** One reconcile of `ref`, as the controller runs it (`logName`: the logger of the test). */
export async function reconcileOnce(
  reconciler: Reconciler,
  ref: { namespace: string; name: string },
  logName: string,
): Promise<Result | void> {
  return await reconciler.reconcile(ref, { signal: new AbortController().signal, log: getLogger(logName) });
}

/** Runs a reconcile; its error is returned instead of thrown (the status carries it), undefined on success. */
export async function errorOf(reconcile: () => Promise<unknown>): Promise<unknown> {
  try {
    await reconcile();
    return undefined;
  } catch (e) {
    return e;
  }
}

/** gardenlet's `CheckExtensionObject` (pkg/utils/kubernetes/health): empty when the object counts as ready. */
export function readinessProblems(obj: KubeObject & { status?: Record<string, unknown> }): string[] {
  const problems: string[] = [];
  const status = (obj.status ?? {}) as {
    lastError?: { description?: string };
    observedGeneration?: number;
    lastOperation?: { state?: string; lastUpdateTime?: string };
  };
  if (status.lastError) problems.push(`lastError: ${status.lastError.description}`);
  if (status.observedGeneration !== obj.metadata.generation) {
    problems.push(`observedGeneration ${status.observedGeneration} != generation ${obj.metadata.generation}`);
  }
  const op = obj.metadata.annotations?.["gardener.cloud/operation"];
  if (op !== undefined) problems.push(`operation annotation ${op} still present`);
  if (status.lastOperation?.state !== "Succeeded") problems.push(`lastOperation.state ${status.lastOperation?.state}`);
  const ts = obj.metadata.annotations?.["gardener.cloud/timestamp"];
  if (ts !== undefined) {
    const requested = Math.floor(Date.parse(ts) / 1000) * 1000;
    const updated = Date.parse(status.lastOperation?.lastUpdateTime ?? "");
    if (!(requested <= updated)) {
      problems.push(`timestamp ${ts} is after lastOperation.lastUpdateTime ${status.lastOperation?.lastUpdateTime}`);
    }
  }
  return problems;
}

/** The fake seed with one shoot namespace. */
export class ExtensionHarness {
  private constructor(readonly api: ApiServer, readonly client: KubeClient, readonly clock: FakeClock) {}

  static async start(opts: { clock?: FakeClock; shootFailed?: boolean } = {}): Promise<ExtensionHarness> {
    const clock = opts.clock ?? new FakeClock();
    const api = await startApiServer({ clock, namespaces: ["default", "kube-system", "garden", NS] });
    try {
      await api.installCrds(extensionCrds());
    } catch (e) {
      await api.stop();
      throw e;
    }
    const h = new ExtensionHarness(api, new KubeClient(api.connection()), clock);
    await h.client.create(ExtensionsV1alpha1.clusters, clusterObject({}, opts.shootFailed));
    return h;
  }

  /** Replaces the shoot's annotations / failed state in the Cluster (as gardenlet re-syncs it). */
  async updateCluster(shootAnnotations: Record<string, string>, shootFailed = false): Promise<void> {
    const current = await this.client.get(ExtensionsV1alpha1.clusters, NS);
    const next = clusterObject(shootAnnotations, shootFailed);
    await this.client.update(ExtensionsV1alpha1.clusters, {
      ...next,
      metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion },
    });
  }

  async createInfrastructure(obj: Infrastructure = infrastructureObject()): Promise<Infrastructure> {
    return await this.client.create<Infrastructure>(ExtensionsV1alpha1.infrastructures, obj);
  }

  async getInfrastructure(name = NAME): Promise<Infrastructure> {
    return await this.client.get<Infrastructure>(ExtensionsV1alpha1.infrastructures, name, { namespace: NS });
  }

  /** Sets `gardener.cloud/operation` and a fresh `gardener.cloud/timestamp`, as gardenlet does for every request. */
  async annotate(operation: string, name = NAME): Promise<void> {
    await requestOperation(
      this.client,
      ExtensionsV1alpha1.infrastructures,
      { namespace: NS, name },
      operation,
      this.clock.now(),
    );
  }

  /** Patches the status as gardenlet does before a restore (state, resources). */
  async patchStatus(status: Record<string, unknown>, name = NAME): Promise<void> {
    await this.client.patch(ExtensionsV1alpha1.infrastructures, name, { status }, "merge", {
      namespace: NS,
      subresource: "status",
    });
  }

  /** Deletes the Infrastructure (gardenlet confirms deletion first). */
  async deleteInfrastructure(name = NAME): Promise<void> {
    await deleteConfirmed(this.client, ExtensionsV1alpha1.infrastructures, { namespace: NS, name });
  }

  async close(): Promise<void> {
    this.client.close();
    await this.api.stop();
  }
}
