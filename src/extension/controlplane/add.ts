/** `add` of the ControlPlane kind: the generic reconciler with the generic ControlPlane actuator and our renderers. */
import type { ControlPlane } from "../../apis/extensions/v1alpha1.ts";
import { type AddArgs, addExtensionController, type ControllerManager } from "../reconciler/mod.ts";
import { type ControlPlaneControllerOptions, newControlPlaneController } from "./controller.ts";

/** The ControlPlane controller's own options. */
export interface ControlPlaneAddOptions extends ControlPlaneControllerOptions {
  /** `--controlplane-max-concurrent-reconciles`. */
  concurrency: number;
}

/** Adds the ControlPlane controller to the manager. */
export function add(manager: ControllerManager, args: AddArgs<ControlPlaneAddOptions>): void {
  const { concurrency, ...opts } = args.options;
  addExtensionController<ControlPlane>(manager, args, { ...newControlPlaneController(opts), concurrency });
}
