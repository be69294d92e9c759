/**
 * The Infrastructure controller: Gardener's generic extension protocol (../reconciler) with the flow-based
 * `InfrastructureActuator` (one project SSH key per shoot, no Terraform).
 */
import { decodeInfrastructure, type Infrastructure } from "../../apis/extensions/v1alpha1.ts";
import {
  type ExtensionController,
  type ExtensionControllerOptions,
  INFRASTRUCTURE,
  newExtensionController,
} from "../reconciler/mod.ts";
import { InfrastructureActuator, type InfrastructureActuatorOptions } from "./actuator_reconcile.ts";

export { InfrastructureActuator, type InfrastructureActuatorOptions } from "./actuator_reconcile.ts";

export type InfrastructureControllerOptions =
  & Omit<ExtensionControllerOptions<Infrastructure>, "kind" | "actuator" | "decode">
  & { actuator?: InfrastructureActuatorOptions };

/** Builds the Infrastructure controller (add it to the Manager). */
export function newInfrastructureController(
  opts: InfrastructureControllerOptions,
): ExtensionController<Infrastructure> {
  const { actuator, ...rest } = opts;
  return newExtensionController<Infrastructure>({
    ...rest,
    kind: INFRASTRUCTURE,
    actuator: new InfrastructureActuator({ clock: opts.clock, log: opts.log?.child("actuator"), ...actuator }),
    decode: (raw, object) => decodeInfrastructure(raw, { object }),
  });
}
