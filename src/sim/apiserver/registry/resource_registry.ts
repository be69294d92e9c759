/**
 * The resources the fake API server serves: the built-in table of `src/k8s/api/resources.ts` plus whatever the stored
 * CustomResourceDefinitions add. Discovery and request routing both read from here.
 */
import { BuiltinResources, type ResourceType } from "../../../k8s/api/resources.ts";
import type { KubeObject } from "../../../k8s/api/objects.ts";
import { servedResourcesOf } from "./crd_resources.ts";
import { compareKubeVersions } from "./kube_versions.ts";
import { type ServedResource, storageKey } from "./served_resource.ts";

/** Built-ins that `kubectl get all` lists. */
const ALL_CATEGORY = new Set(["pods", "services", "deployments", "statefulsets", "daemonsets", "replicasets"]);

function builtin(t: ResourceType): ServedResource {
  return {
    type: t,
    singular: t.kind.toLowerCase(),
    listKind: `${t.kind}List`,
    categories: t.group === "" || t.group === "apps" ? (ALL_CATEGORY.has(t.resource) ? ["all"] : undefined) : undefined,
  };
}

function gvrKey(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

/** The served resources, indexed by group/version/resource and by CRD. */
export class ResourceRegistry {
  private readonly byGvr = new Map<string, ServedResource>();
  private readonly crdResources = new Map<string, ServedResource[]>();

  constructor() {
    for (const t of BuiltinResources) this.byGvr.set(gvrKey(t.group, t.version, t.resource), builtin(t));
  }

  /** The resource served at group/version/resource, if any. */
  resolve(group: string, version: string, resource: string): ServedResource | undefined {
    return this.byGvr.get(gvrKey(group, version, resource));
  }

  /** Every served resource (all versions). */
  all(): ServedResource[] {
    return [...this.byGvr.values()];
  }

  /** Served versions of a group, preferred first. */
  versionsOf(group: string): string[] {
    const versions = new Set<string>();
    for (const r of this.byGvr.values()) if (r.type.group === group) versions.add(r.type.version);
    return [...versions].sort(compareKubeVersions);
  }

  /** Every served group (except core), in a stable order: built-in groups first, then by name. */
  groups(): string[] {
    const builtinOrder = [...new Set(BuiltinResources.map((t) => t.group))].filter((g) => g !== "");
    const custom = new Set<string>();
    for (const r of this.byGvr.values()) {
      if (r.type.group && !builtinOrder.includes(r.type.group)) custom.add(r.type.group);
    }
    return [...builtinOrder, ...[...custom].sort()];
  }

  /** Resources of one group/version, in name order. */
  resourcesOf(group: string, version: string): ServedResource[] {
    return [...this.byGvr.values()]
      .filter((r) => r.type.group === group && r.type.version === version)
      .sort((a, b) => a.type.resource.localeCompare(b.type.resource));
  }

  /** Any served version of the group/resource with this storage key (for internal lookups). */
  byStorageKey(key: string): ServedResource | undefined {
    let best: ServedResource | undefined;
    for (const r of this.byGvr.values()) {
      if (storageKey(r.type) !== key) continue;
      if (r.custom?.storage) return r;
      best ??= r;
    }
    return best;
  }

  /** The resource of a kind in an apiVersion (`apps/v1`, `v1`), if served. */
  byKind(apiVersion: string, kind: string): ServedResource | undefined {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
    for (const r of this.byGvr.values()) {
      if (r.type.group === group && r.type.version === version && r.type.kind === kind) return r;
    }
    return undefined;
  }

  /** (Re-)registers what a stored CRD serves. */
  applyCrd(crd: KubeObject): void {
    this.removeCrd(crd.metadata.name ?? "");
    const served = servedResourcesOf(crd);
    for (const r of served) {
      // A CRD never replaces a built-in resource.
      const key = gvrKey(r.type.group, r.type.version, r.type.resource);
      if (this.byGvr.has(key) && !this.byGvr.get(key)!.custom) continue;
      this.byGvr.set(key, r);
    }
    this.crdResources.set(crd.metadata.name ?? "", served);
  }

  /** Stops serving what a CRD served. */
  removeCrd(name: string): void {
    for (const r of this.crdResources.get(name) ?? []) {
      const key = gvrKey(r.type.group, r.type.version, r.type.resource);
      if (this.byGvr.get(key)?.custom?.crdName === name) this.byGvr.delete(key);
    }
    this.crdResources.delete(name);
  }
}
