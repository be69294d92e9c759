/** The Worker controller of provider equinixmetal: Gardener's generic Worker actuator with the Equinix delegate. */
export { add, type WorkerAddOptions } from "./add.ts";
export { newWorkerController, type WorkerController } from "./controller.ts";
