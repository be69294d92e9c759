/** The ControlPlane controller's parts for the generic extension reconciler: kind, the generic actuator, decoder. */
import { type ControlPlane, decodeControlPlane } from "../../apis/extensions/v1alpha1.ts";
import { CONTROL_PLANE, type ExtensionKind } from "../reconciler/mod.ts";
import { ControlPlaneActuator, type ShootWebhookConfigSource } from "../genericcontrolplane/mod.ts";
import { defaultImageVector, type ImageVector } from "../imagevector/mod.ts";
import { equinixControlPlaneDelegate } from "./delegate.ts";

/** The ControlPlane controller's parts: kind, actuator and decoder. */
export interface ControlPlaneController {
  kind: ExtensionKind;
  actuator: ControlPlaneActuator;
  /** Decodes a ControlPlane leniently; errors name the field and `object`. */
  decode: (raw: unknown, object: string) => ControlPlane;
}

/** Options of the ControlPlane controller (also used by the tests' harness). */
export interface ControlPlaneControllerOptions {
  /** The image vector after the operator's overwrite (default: the built-in one). */
  images?: ImageVector;
  /** The shoot webhooks' configuration with the current caBundle (published as MR extension-controlplane-shoot-webhooks). */
  shootWebhookConfig?: ShootWebhookConfigSource;
  pollIntervalMs?: number;
  waitTimeoutMs?: number;
}

/** Builds the ControlPlane controller's parts (added by `add`, and by the tests' harness). */
export function newControlPlaneController(opts: ControlPlaneControllerOptions = {}): ControlPlaneController {
  const { images = defaultImageVector(), ...rest } = opts;
  return {
    kind: CONTROL_PLANE,
    actuator: new ControlPlaneActuator({ ...rest, delegate: equinixControlPlaneDelegate(images) }),
    decode: (raw, object) => decodeControlPlane(raw, { object }),
  };
}
