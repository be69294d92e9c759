/** The Worker controller's parts for the generic extension reconciler: kind, the generic actuator with our delegate, decoder. */
import { decodeWorker, type Worker } from "../../apis/extensions/v1alpha1.ts";
import { type ExtensionKind, WORKER } from "../reconciler/mod.ts";
import { WorkerActuator } from "../genericworker/mod.ts";
import { EQUINIX_WORKER_DELEGATE, type EquinixPool, type EquinixWorker } from "./delegate.ts";

/** The Worker controller's parts: kind, actuator and decoder. */
export interface WorkerController {
  kind: ExtensionKind;
  actuator: WorkerActuator<EquinixWorker, EquinixPool>;
  /** Decodes a Worker leniently; errors name the field and `object`. */
  decode: (raw: unknown, object: string) => Worker;
}

/** Builds the Worker controller's parts (added by `add`, and by the tests' harness). */
export function newWorkerController(opts: { pollIntervalMs?: number } = {}): WorkerController {
  return {
    kind: WORKER,
    actuator: new WorkerActuator({ ...opts, delegate: EQUINIX_WORKER_DELEGATE }),
    decode: (raw, object) => decodeWorker(raw, { object }),
  };
}
