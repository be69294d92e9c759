/**
 * Schemaless CustomResourceDefinitions for the kinds the playground uses, generated from a table of facts (group,
 * version, kind, plural, scope, subresources, short names, kubectl printer columns) for a fresh clone without
 * `../shared/crds`. Their schema is `x-kubernetes-preserve-unknown-fields: true`: the fake API server stores what it
 * gets, and our objects are validated against the real CRDs in tests, not here. Pure.
 */
import type { KubeObject } from "../k8s/objects.ts";

interface Column {
  name: string;
  jsonPath: string;
  type: "string" | "integer" | "date";
  priority?: number;
}

interface CrdFacts {
  group: string;
  version: string;
  kind: string;
  plural: string;
  scope: "Namespaced" | "Cluster";
  shortNames?: string[];
  /** The status subresource (all but MachineClass, which has no status). */
  status: boolean;
  /** The scale subresource (MachineSets, MachineDeployments). */
  scale?: boolean;
  columns: Column[];
}

const EXTENSIONS = "extensions.gardener.cloud";
const MACHINE = "machine.sapcloud.io";
const AGE: Column = { name: "Age", jsonPath: ".metadata.creationTimestamp", type: "date" };
const extensionColumns = (withRegion: boolean): Column[] => [
  { name: "Type", jsonPath: ".spec.type", type: "string" },
  ...(withRegion ? [{ name: "Region", jsonPath: ".spec.region", type: "string" as const }] : []),
  { name: "Status", jsonPath: ".status.lastOperation.state", type: "string" },
  AGE,
];

/** The kinds the extension, the machine controller and the simulations read and write. */
export const EMBEDDED_CRD_FACTS: readonly CrdFacts[] = [
  {
    group: EXTENSIONS,
    version: "v1alpha1",
    kind: "Cluster",
    plural: "clusters",
    scope: "Cluster",
    status: true,
    columns: [AGE],
  },
  {
    group: EXTENSIONS,
    version: "v1alpha1",
    kind: "Infrastructure",
    plural: "infrastructures",
    scope: "Namespaced",
    shortNames: ["infra"],
    status: true,
    columns: extensionColumns(true),
  },
  {
    group: EXTENSIONS,
    version: "v1alpha1",
    kind: "Worker",
    plural: "workers",
    scope: "Namespaced",
    status: true,
    columns: extensionColumns(true),
  },
  {
    group: EXTENSIONS,
    version: "v1alpha1",
    kind: "ControlPlane",
    plural: "controlplanes",
    scope: "Namespaced",
    shortNames: ["cp"],
    status: true,
    columns: extensionColumns(false),
  },
  {
    group: MACHINE,
    version: "v1alpha1",
    kind: "MachineClass",
    plural: "machineclasses",
    scope: "Namespaced",
    shortNames: ["mcc"],
    status: false,
    columns: [],
  },
  {
    group: MACHINE,
    version: "v1alpha1",
    kind: "Machine",
    plural: "machines",
    scope: "Namespaced",
    shortNames: ["mc"],
    status: true,
    columns: [
      { name: "Status", jsonPath: ".status.currentStatus.phase", type: "string" },
      AGE,
      { name: "Node", jsonPath: ".metadata.labels.node", type: "string" },
      { name: "ProviderID", jsonPath: ".spec.providerID", type: "string", priority: 1 },
    ],
  },
  {
    group: MACHINE,
    version: "v1alpha1",
    kind: "MachineSet",
    plural: "machinesets",
    scope: "Namespaced",
    shortNames: ["mcs"],
    status: true,
    scale: true,
    columns: [
      { name: "Desired", jsonPath: ".spec.replicas", type: "integer" },
      { name: "Current", jsonPath: ".status.replicas", type: "integer" },
      { name: "Ready", jsonPath: ".status.readyReplicas", type: "integer" },
      AGE,
    ],
  },
  {
    group: MACHINE,
    version: "v1alpha1",
    kind: "MachineDeployment",
    plural: "machinedeployments",
    scope: "Namespaced",
    shortNames: ["mcd"],
    status: true,
    scale: true,
    columns: [
      { name: "Ready", jsonPath: ".status.readyReplicas", type: "integer" },
      { name: "Desired", jsonPath: ".spec.replicas", type: "integer" },
      { name: "Up-to-date", jsonPath: ".status.updatedReplicas", type: "integer" },
      { name: "Available", jsonPath: ".status.availableReplicas", type: "integer" },
      AGE,
    ],
  },
];

/** One schemaless CRD from its facts. */
export function schemalessCrd(f: CrdFacts): KubeObject {
  const singular = f.kind.toLowerCase();
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${f.plural}.${f.group}`, labels: { "playground.provider-equinix-metal/embedded": "true" } },
    spec: {
      group: f.group,
      scope: f.scope,
      names: {
        kind: f.kind,
        listKind: `${f.kind}List`,
        plural: f.plural,
        singular,
        ...(f.shortNames ? { shortNames: [...f.shortNames] } : {}),
      },
      versions: [{
        name: f.version,
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        subresources: {
          ...(f.status ? { status: {} } : {}),
          ...(f.scale ? { scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" } } : {}),
        },
        ...(f.columns.length ? { additionalPrinterColumns: f.columns.map((c) => ({ ...c })) } : {}),
      }],
    },
  } as KubeObject;
}

/** Every embedded CRD. */
export function embeddedCrds(): KubeObject[] {
  return EMBEDDED_CRD_FACTS.map(schemalessCrd);
}
