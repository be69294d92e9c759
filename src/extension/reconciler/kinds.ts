/** The extension kinds this provider reconciles, as the generic reconciler needs to know them. */
import { Finalizer } from "../../apis/extensions/constants.ts";
import { Extensions } from "../../k8s/api/resources.ts";
import type { ExtensionKind } from "./actuator.ts";

/** `Infrastructure` (finalizer `extensions.gardener.cloud/infrastructure`). */
export const INFRASTRUCTURE: ExtensionKind = {
  kind: "Infrastructure",
  resource: Extensions.infrastructures,
  finalizer: Finalizer.Infrastructure,
  noun: "infrastructure",
};

/** `Worker` (finalizer `extensions.gardener.cloud/worker`). */
export const WORKER: ExtensionKind = {
  kind: "Worker",
  resource: Extensions.workers,
  finalizer: Finalizer.Worker,
  noun: "worker",
};

/** `ControlPlane` (finalizer `extensions.gardener.cloud/controlplane`). */
export const CONTROL_PLANE: ExtensionKind = {
  kind: "ControlPlane",
  resource: Extensions.controlPlanes,
  finalizer: Finalizer.ControlPlane,
  noun: "control plane",
};
