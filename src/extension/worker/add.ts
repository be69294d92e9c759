/** `add` of the Worker kind: the generic reconciler with the Worker actuator and the Equinix delegate. */
import type { Worker } from "../../apis/extensions/v1alpha1.ts";
import { type AddArgs, addExtensionController, type ControllerManager } from "../reconciler/mod.ts";
import { newWorkerController } from "./controller.ts";

/** The Worker controller's own options. */
export interface WorkerAddOptions {
  /** `--worker-max-concurrent-reconciles`. */
  concurrency: number;
}

/** Adds the Worker controller to the manager. */
export function add(manager: ControllerManager, args: AddArgs<WorkerAddOptions>): void {
  addExtensionController<Worker>(manager, args, { ...newWorkerController(), concurrency: args.options.concurrency });
}
