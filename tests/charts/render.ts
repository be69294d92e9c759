/**
 * Shared checks of rendered charts: built-in objects are created in a fake API server (its admission, name and
 * metadata validation), objects of CRD kinds are validated against the vendored CRDs, and gardenlet-shaped values.
 */
import assert from "node:assert/strict";
import { KubeClient } from "../../src/k8s/client/client.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import * as resources from "../../src/k8s/api/resources.ts";
import { apiVersionOf, BuiltinResources, CoreV1, type ResourceType } from "../../src/k8s/api/resources.ts";
import type { ClusterRole } from "kubernetes-types/rbac/v1.d.ts";
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

/** The resource types (`group/resource`) the code names (`CoreV1.secrets`, ...), from its sources (tests excluded). */
export async function resourcesNamedBy(dirs: string[]): Promise<Set<string>> {
  const tables = resources as unknown as Record<string, Record<string, ResourceType>>;
  const out = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        for (
          const m of (await Deno.readTextFile(path)).matchAll(/\b([A-Z][A-Za-z]+V1(?:alpha1|beta1)?)\.([a-zA-Z]+)\b/g)
        ) {
          const res = tables[m[1]]?.[m[2]];
          if (res) out.add(`${res.group}/${res.resource}`);
        }
      }
    }
  };
  for (const d of dirs) await walk(new URL(`../../${d}`, import.meta.url).pathname);
  return out;
}

/** The resource types (`group/resource`, subresources folded) the rendered ClusterRoles and Roles grant. */
export function grantedResources(objects: readonly KubeObject[]): Set<string> {
  const rules = objects.filter((o) => o.kind === "ClusterRole" || o.kind === "Role")
    .flatMap((o) => (o as unknown as ClusterRole).rules ?? []);
  return new Set(
    rules.flatMap((r) => r.apiGroups!.flatMap((g) => r.resources!.map((res) => `${g}/${res.split("/")[0]}`))),
  );
}
