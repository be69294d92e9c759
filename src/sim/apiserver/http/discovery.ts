/**
 * Legacy (non-aggregated) discovery documents, which kubectl falls back to: `/api`, `/api/v1`, `/apis`,
 * `/apis/<group>`, `/apis/<group>/<version>`. Pure functions of the registry.
 */
import type { ResourceRegistry } from "../registry/resource_registry.ts";
import type { ServedResource } from "../registry/served_resource.ts";

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const SUB_VERBS = ["get", "patch", "update"];

/** `/api`. */
export function apiVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupDoc(registry: ResourceRegistry, group: string) {
  const versions = registry.versionsOf(group).map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** `/apis`. */
export function apiGroupList(registry: ResourceRegistry) {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: registry.groups().map((g) => groupDoc(registry, g)).filter((g) => g.versions.length > 0),
  };
}

/** `/apis/<group>`, or undefined if the group is not served. */
export function apiGroup(registry: ResourceRegistry, group: string) {
  const doc = groupDoc(registry, group);
  if (doc.versions.length === 0) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...doc };
}

function resourceEntries(r: ServedResource) {
  const t = r.type;
  const main = {
    name: t.resource,
    singularName: r.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: VERBS,
    ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
    ...(r.categories?.length ? { categories: r.categories } : {}),
  };
  const subs: Array<Record<string, unknown>> = [];
  for (const sub of t.subresources ?? []) {
    if (sub === "status") {
      subs.push({
        name: `${t.resource}/status`,
        singularName: "",
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: SUB_VERBS,
      });
    } else if (sub === "scale") {
      subs.push({
        name: `${t.resource}/scale`,
        singularName: "",
        namespaced: t.namespaced,
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: SUB_VERBS,
      });
    } else if (sub === "eviction") {
      subs.push({
        name: `${t.resource}/eviction`,
        singularName: "",
        namespaced: t.namespaced,
        group: "policy",
        version: "v1",
        kind: "Eviction",
        verbs: ["create"],
      });
    }
  }
  return [main, ...subs];
}

/** `/api/v1` or `/apis/<group>/<version>`, or undefined if not served. */
export function apiResourceList(registry: ResourceRegistry, group: string, version: string) {
  const resources = registry.resourcesOf(group, version);
  if (resources.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources: resources.flatMap(resourceEntries),
  };
}
