/** What the fake API server knows about one served group/version/resource, built-in or from a CRD. */
import type { ResourceType } from "../../../k8s/api/resources.ts";
import type { JSONSchemaProps } from "../schema/validation.ts";

/** The scale subresource of a CRD: where replicas and the label selector live in its objects. */
export interface CrdScale {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** A CRD version's `additionalPrinterColumns` entry (what `kubectl get` shows). */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

/** One group/version/resource the server answers for. */
export interface ServedResource {
  type: ResourceType;
  singular: string;
  listKind: string;
  categories?: string[];
  /** Present for custom resources: where they come from and how they are validated. */
  custom?: {
    crdName: string;
    schema?: JSONSchemaProps;
    scale?: CrdScale;
    storage: boolean;
    /** `additionalPrinterColumns` of the version (empty: kube's default Age column). */
    printerColumns?: PrinterColumn[];
  };
}

/** Storage key of a resource: objects of every version of a group/resource share one table. */
export function storageKey(t: Pick<ResourceType, "group" | "resource">): string {
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}

/** True if the resource has this subresource. */
export function hasSubresource(r: ServedResource, sub: "status" | "scale" | "eviction"): boolean {
  return r.type.subresources?.includes(sub) ?? false;
}
