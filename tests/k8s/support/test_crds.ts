/** CustomResourceDefinitions for test resource types: any spec and status, served at the type's one version. */
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import type { ResourceType } from "../../../src/k8s/api/resources.ts";

const ANY_OBJECT = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

/** The CRD that serves `type` (scope, kind and status subresource as the type declares). */
export function crdFor(type: ResourceType): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${type.resource}.${type.group}` },
    spec: {
      group: type.group,
      scope: type.namespaced ? "Namespaced" : "Cluster",
      names: { plural: type.resource, singular: type.kind.toLowerCase(), kind: type.kind },
      versions: [{
        name: type.version,
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", properties: { spec: ANY_OBJECT, status: ANY_OBJECT } } },
        subresources: type.subresources?.includes("status") ? { status: {} } : {},
      }],
    },
  } as KubeObject;
}
