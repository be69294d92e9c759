/**
 * SIMULATION: the Machine a MachineSet creates from its template, as MCM's MachineSet controller builds it:
 * `generateName: <machineset>-`, the template's labels, annotations and finalizers, the
 * `effective-creation-timeout` annotation of the MachineSet (copied there from its deployment), a controller owner
 * reference that blocks the owner's deletion, and the template's spec (class, node template, MachineConfiguration).
 * Pure.
 */
import {
  ANNOTATION_EFFECTIVE_CREATION_TIMEOUT,
  API_VERSION,
  type Machine,
  type MachineSet,
} from "../../apis/machine/v1alpha1.ts";
import type { OwnerReference } from "../../k8s/api/objects.ts";

/** A controller owner reference to `owner` (controller and blockOwnerDeletion set, as MCM sets them). */
export function controllerReference(
  owner: { metadata: { name?: string; uid?: string } },
  kind: string,
): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind,
    name: owner.metadata.name ?? "",
    uid: owner.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The Machine to create for `ms` (the server picks the name). */
export function machineFromTemplate(ms: MachineSet): Machine {
  const template = ms.spec?.template ?? {};
  const annotations: Record<string, string> = { ...(template.metadata?.annotations ?? {}) };
  const timeout = ms.metadata.annotations?.[ANNOTATION_EFFECTIVE_CREATION_TIMEOUT];
  if (timeout !== undefined) annotations[ANNOTATION_EFFECTIVE_CREATION_TIMEOUT] = timeout;
  const metadata: Machine["metadata"] = {
    generateName: `${ms.metadata.name}-`,
    namespace: ms.metadata.namespace,
    labels: { ...(template.metadata?.labels ?? {}) },
    ownerReferences: [controllerReference(ms, "MachineSet")],
  };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  if (template.metadata?.finalizers?.length) metadata.finalizers = [...template.metadata.finalizers];
  return {
    apiVersion: API_VERSION,
    kind: "Machine",
    metadata,
    spec: structuredClone(template.spec ?? {}),
  };
}
