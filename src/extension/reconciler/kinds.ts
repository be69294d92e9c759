/** The extension kinds this provider reconciles, as the generic reconciler needs to know them. */
import { Finalizer } from "../../apis/extensions/constants.ts";
import { ExtensionsV1alpha1 } from "../../k8s/api/resources.ts";
import type { ExtensionKind } from "./actuator.ts";

/** `Infrastructure` (finalizer `extensions.gardener.cloud/infrastructure`). */
export const INFRASTRUCTURE: ExtensionKind = {
  kind: "Infrastructure",
  resource: ExtensionsV1alpha1.infrastructures,
  finalizer: Finalizer.Infrastructure,
  noun: "infrastructure",
};

/** `Worker` (finalizer `extensions.gardener.cloud/worker`). */
export const WORKER: ExtensionKind = {
  kind: "Worker",
  resource: ExtensionsV1alpha1.workers,
  finalizer: Finalizer.Worker,
  noun: "worker",
};

/** `ControlPlane` (finalizer `extensions.gardener.cloud/controlplane`). */
export const CONTROL_PLANE: ExtensionKind = {
  kind: "ControlPlane",
  resource: ExtensionsV1alpha1.controlPlanes,
  finalizer: Finalizer.ControlPlane,
  noun: "control plane",
};
