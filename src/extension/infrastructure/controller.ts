/**
 * The Infrastructure controller's parts for the generic extension reconciler (../reconciler): kind, the flow-based
 * `InfrastructureActuator` (one project SSH key per shoot, no Terraform) and decoder.
 */
import { decodeInfrastructure, type Infrastructure } from "../../apis/extensions/v1alpha1.ts";
import {
  type ExtensionController,
  type ExtensionControllerOptions,
  type ExtensionKind,
  INFRASTRUCTURE,
  newExtensionController,
} from "../reconciler/mod.ts";
import { InfrastructureActuator, type InfrastructureActuatorOptions } from "./actuator_reconcile.ts";

export { InfrastructureActuator, type InfrastructureActuatorOptions } from "./actuator_reconcile.ts";

/** The Infrastructure controller's parts: kind, actuator and decoder. */
export interface InfrastructureParts {
  kind: ExtensionKind;
  actuator: InfrastructureActuator;
  /** Decodes an Infrastructure leniently; errors name the field and `object`. */
  decode: (raw: unknown, object: string) => Infrastructure;
}

/** Builds the Infrastructure controller's parts (used by `add`, and by benchmarks through the controller below). */
export function infrastructureParts(actuator: InfrastructureActuatorOptions): InfrastructureParts {
  return {
    kind: INFRASTRUCTURE,
    actuator: new InfrastructureActuator(actuator),
    decode: (raw, object) => decodeInfrastructure(raw, { object }),
  };
}

export type InfrastructureControllerOptions =
  & Omit<ExtensionControllerOptions<Infrastructure>, "kind" | "actuator" | "decode">
  & { actuator?: InfrastructureActuatorOptions };

/** Builds a standalone Infrastructure controller on given informers (benchmarks; the extension uses `add`). */
export function newInfrastructureController(
  opts: InfrastructureControllerOptions,
): ExtensionController<Infrastructure> {
  const { actuator, ...rest } = opts;
  return newExtensionController<Infrastructure>({
    ...rest,
    ...infrastructureParts({ clock: opts.clock, log: opts.log?.child("actuator"), ...actuator }),
  });
}
