/**
 * Shared checks of rendered charts: built-in objects are created in a fake API server (its admission, name and
 * metadata validation), objects of CRD kinds are validated against the vendored CRDs, and gardenlet-shaped values.
 */
import assert from "node:assert/strict";
import { KubeClient } from "../../src/k8s/client/client.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { apiVersionOf, BuiltinResources, CoreV1 } from "../../src/k8s/api/resources.ts";
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { assertValidAgainstCrd } from "../support/crd_validation.ts";

/** The values gardenlet merges into an extension chart's root (Gardener's ControllerInstallation reconciler). */
export const GARDENLET_VALUES = {
  gardener: {
    version: "v1.128.2",
    garden: { clusterIdentity: "landscape-garden" },
    gardenlet: { featureGates: { DefaultSeccompProfile: true, NewVPN: false } },
    seed: {
      name: "seed-ny",
      clusterIdentity: "seed-ny-identity",
      annotations: {},
      labels: { "seed.gardener.cloud/gardenlet": "true" },
      provider: "equinixmetal",
      region: "ny",
      volumeProvider: "",
      volumeProviders: [],
      ingressDomain: "ingress.seed-ny.example.com",
      protected: false,
      visible: true,
      taints: [],
      networks: { nodes: "10.250.0.0/16", pods: "100.96.0.0/11", services: "100.64.0.0/13", ipFamilies: ["IPv4"] },
      blockCIDRs: [],
      spec: { provider: { type: "equinixmetal", region: "ny" } },
    },
  },
};

/** What gardenlet sends for a self-hosted shoot: no `gardener.seed`. */
export const SELF_HOSTED_VALUES = {
  gardener: {
    version: "v1.128.2",
    selfHostedShootCluster: true,
    shoot: {
      name: "self",
      namespace: "kube-system",
      labels: {},
      annotations: {},
      spec: { provider: { type: "equinixmetal" } },
      clusterIdentity: "self-id",
    },
  },
};

/** The one object of that kind and name; fails naming what was rendered. */
export function find<T = KubeObject>(objects: readonly KubeObject[], kind: string, name?: string): T {
  const hits = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  assert.equal(
    hits.length,
    1,
    `exactly one ${kind} ${name ?? ""} expected; rendered: ${objects.map((o) => `${o.kind}/${o.metadata?.name}`)}`,
  );
  return hits[0] as T;
}

/**
 * Creates every built-in object in a fresh fake API server (namespaces first) and validates every other one against
 * its CRD; returns the kinds checked each way.
 */
export async function validateRendered(
  objects: readonly KubeObject[],
  namespaces: readonly string[],
): Promise<{ builtin: string[]; crd: string[] }> {
  const api = await startApiServer();
  const client = new KubeClient(api.connection());
  const builtin: string[] = [];
  const crd: string[] = [];
  try {
    for (const name of namespaces) {
      await client.create(CoreV1.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name } })
        .catch((e) => {
          if (!String(e).includes("already exists")) throw e;
        });
    }
    for (const obj of objects) {
      const res = BuiltinResources.find((r) => apiVersionOf(r) === obj.apiVersion && r.kind === obj.kind);
      if (res) {
        await client.create(res, obj, { namespace: res.namespaced ? obj.metadata.namespace : undefined });
        builtin.push(obj.kind!);
      } else {
        assertValidAgainstCrd(obj, { message: `${obj.kind} ${obj.metadata?.name}` });
        crd.push(obj.kind!);
      }
    }
  } finally {
    await api.stop();
  }
  return { builtin, crd };
}
