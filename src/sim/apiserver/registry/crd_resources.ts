/**
 * Turns a CustomResourceDefinition (apiextensions.k8s.io/v1) into the resources it serves, and checks the CRD
 * itself the way kube-apiserver does before accepting it (names, scope, exactly one storage version, ...).
 */
import type { KubeObject } from "../../../k8s/api/objects.ts";
import type { JSONSchemaProps } from "../schema/validation.ts";
import type { CrdScale, PrinterColumn, ServedResource } from "./served_resource.ts";

/** Paths of the scale subresource of a custom resource. */
interface CrdVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: unknown; scale?: Partial<CrdScale> };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: {
    plural?: string;
    singular?: string;
    kind?: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  versions?: CrdVersion[];
}

/** The `spec` of a CRD object, loosely typed (validated by `validateCrd`). */
export function crdSpec(crd: KubeObject): CrdSpec {
  return ((crd as { spec?: CrdSpec }).spec ?? {}) as CrdSpec;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

/** Field errors of a CRD, as `{ type, field, message }` (empty when acceptable). */
export function validateCrd(crd: KubeObject): Array<{ type: string; field: string; message: string }> {
  const errors: Array<{ type: string; field: string; message: string }> = [];
  const required = (field: string) => errors.push({ type: "FieldValueRequired", field, message: "Required value" });
  const bad = (field: string, value: unknown, why: string) =>
    errors.push({ type: "FieldValueInvalid", field, message: `Invalid value: ${JSON.stringify(value)}: ${why}` });
  const spec = crdSpec(crd);
  if (!spec.group) required("spec.group");
  else if (!DNS_SUBDOMAIN.test(spec.group) || !spec.group.includes(".")) {
    bad("spec.group", spec.group, "should be a domain with at least one dot");
  }
  const names = spec.names ?? {};
  if (!names.plural) required("spec.names.plural");
  else if (!DNS_LABEL.test(names.plural)) bad("spec.names.plural", names.plural, "a lowercase RFC 1123 label");
  if (names.singular && !DNS_LABEL.test(names.singular)) {
    bad("spec.names.singular", names.singular, "a lowercase RFC 1123 label");
  }
  if (!names.kind) required("spec.names.kind");
  else if (!KIND.test(names.kind)) bad("spec.names.kind", names.kind, "must be a valid Go identifier");
  for (const [i, s] of (names.shortNames ?? []).entries()) {
    if (!DNS_LABEL.test(s)) bad(`spec.names.shortNames[${i}]`, s, "a lowercase RFC 1123 label");
  }
  if (spec.scope !== "Namespaced" && spec.scope !== "Cluster") {
    if (!spec.scope) required("spec.scope");
    else bad("spec.scope", spec.scope, 'supported values: "Cluster", "Namespaced"');
  }
  const versions = spec.versions ?? [];
  if (versions.length === 0) required("spec.versions");
  const seen = new Set<string>();
  for (const [i, v] of versions.entries()) {
    if (!v.name) required(`spec.versions[${i}].name`);
    else if (!DNS_LABEL.test(v.name)) bad(`spec.versions[${i}].name`, v.name, "a lowercase RFC 1123 label");
    else if (seen.has(v.name)) {
      errors.push({ type: "FieldValueDuplicate", field: `spec.versions[${i}].name`, message: "Duplicate value" });
    }
    if (v.name) seen.add(v.name);
  }
  const storage = versions.filter((v) => v.storage).length;
  if (versions.length && storage !== 1) {
    bad("spec.versions", storage, "must have exactly one version marked as storage version");
  }
  if (versions.length && !versions.some((v) => v.served)) {
    bad("spec.versions", versions.length, "must contain at least one served version");
  }
  const expectedName = names.plural && spec.group ? `${names.plural}.${spec.group}` : undefined;
  if (expectedName && crd.metadata.name !== expectedName) {
    bad("metadata.name", crd.metadata.name, `must be spec.names.plural+"."+spec.group`);
  }
  return errors;
}

/** The served versions of a (valid) CRD as resources, one per served version. */
export function servedResourcesOf(crd: KubeObject): ServedResource[] {
  const spec = crdSpec(crd);
  const names = spec.names ?? {};
  const kind = names.kind ?? "";
  const out: ServedResource[] = [];
  for (const v of spec.versions ?? []) {
    if (!v.served || !v.name) continue;
    const sub = v.subresources ?? {};
    const subresources: Array<"status" | "scale"> = [];
    if (sub.status !== undefined && sub.status !== null) subresources.push("status");
    if (sub.scale) subresources.push("scale");
    out.push({
      type: {
        group: spec.group ?? "",
        version: v.name,
        resource: names.plural ?? "",
        kind,
        namespaced: spec.scope === "Namespaced",
        ...(names.shortNames?.length ? { shortNames: [...names.shortNames] } : {}),
        ...(subresources.length ? { subresources } : {}),
      },
      singular: names.singular ?? kind.toLowerCase(),
      listKind: names.listKind ?? `${kind}List`,
      categories: names.categories ? [...names.categories] : undefined,
      custom: {
        crdName: crd.metadata.name ?? "",
        schema: v.schema?.openAPIV3Schema,
        scale: sub.scale?.specReplicasPath && sub.scale.statusReplicasPath
          ? {
            specReplicasPath: sub.scale.specReplicasPath,
            statusReplicasPath: sub.scale.statusReplicasPath,
            labelSelectorPath: sub.scale.labelSelectorPath,
          }
          : undefined,
        storage: !!v.storage,
        printerColumns: (v.additionalPrinterColumns ?? []).map((c) => ({ ...c })),
      },
    });
  }
  return out;
}

/** Status kube-apiserver gives an accepted CRD (NamesAccepted and Established conditions, storedVersions). */
export function establishedStatus(crd: KubeObject, now: string, previous?: unknown): Record<string, unknown> {
  const spec = crdSpec(crd);
  const names = spec.names ?? {};
  const storageVersion = (spec.versions ?? []).find((v) => v.storage)?.name;
  const prevStored = ((previous as { storedVersions?: string[] } | undefined)?.storedVersions) ?? [];
  const storedVersions = [...prevStored];
  if (storageVersion && !storedVersions.includes(storageVersion)) storedVersions.push(storageVersion);
  const condition = (type: string, reason: string, message: string) => ({
    type,
    status: "True",
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    conditions: [
      condition("NamesAccepted", "NoConflicts", "no conflicts found"),
      condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
    ],
    acceptedNames: {
      plural: names.plural,
      singular: names.singular ?? (names.kind ?? "").toLowerCase(),
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      ...(names.shortNames ? { shortNames: names.shortNames } : {}),
      ...(names.categories ? { categories: names.categories } : {}),
    },
    storedVersions,
  };
}
