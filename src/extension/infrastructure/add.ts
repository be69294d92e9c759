/** `add` of the Infrastructure kind: the generic reconciler with the flow-based `InfrastructureActuator`. */
import type { Infrastructure } from "../../apis/extensions/v1alpha1.ts";
import { type AddArgs, addExtensionController, type ControllerManager } from "../reconciler/mod.ts";
import { infrastructureParts } from "./controller.ts";

/** The Infrastructure controller's own options. */
export interface InfrastructureAddOptions {
  /** `--infrastructure-max-concurrent-reconciles`. */
  concurrency: number;
  /** `--metal-api-url`. */
  metalApiUrl: string;
  /** `--metal-api-allow-plain-http`. */
  metalApiAllowPlainHttp: boolean;
  /** Transport of the Metal API client (the playground passes the simulator's in-process fetch). */
  metalFetch?: typeof fetch;
}

/** Adds the Infrastructure controller to the manager. */
export function add(manager: ControllerManager, args: AddArgs<InfrastructureAddOptions>): void {
  const { concurrency, ...metal } = args.options;
  addExtensionController<Infrastructure>(manager, args, {
    ...infrastructureParts({ ...metal, clock: args.clock, log: args.log }),
    concurrency,
  });
}
