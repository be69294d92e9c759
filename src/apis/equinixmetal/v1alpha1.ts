/**
 * The provider API `equinixmetal.provider.extensions.gardener.cloud/v1alpha1`: the six kinds users and gardenlet
 * exchange with this extension, as zod schemas (strictly decoded, see `decode.ts`) and inferred types.
 */
import { z } from "zod";
import { type DecodeInput, type DecodeOptions, decodeTyped, type TypedKind } from "../decode.ts";

export const GROUP = "equinixmetal.provider.extensions.gardener.cloud";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}` as const;

const typeMeta = <K extends string>(kind: K) => ({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(kind),
});

/** One version of a machine image: an Equinix OS slug (`id`) and/or a custom iPXE script URL. */
export const MachineImageVersionSchema = z.object({
  version: z.string(),
  /** Equinix Metal operating system slug, e.g. `flatcar_stable`; becomes the MachineClass `OS`. */
  id: z.string().optional(),
  /** Custom iPXE boot script URL; when present the device boots `custom_ipxe`. */
  ipxeScriptUrl: z.string().optional(),
});
export type MachineImageVersion = z.output<typeof MachineImageVersionSchema>;

/** A logical image name (e.g. `flatcar`) and its versions. */
export const MachineImagesSchema = z.object({
  name: z.string(),
  versions: z.array(MachineImageVersionSchema),
});
export type MachineImages = z.output<typeof MachineImagesSchema>;

/** `CloudProfile.spec.providerConfig`: maps image name+version to Equinix boot settings. */
export const CloudProfileConfigSchema = z.object({
  ...typeMeta("CloudProfileConfig"),
  machineImages: z.array(MachineImagesSchema),
});
export type CloudProfileConfig = z.output<typeof CloudProfileConfigSchema>;

/** `Infrastructure.spec.providerConfig`: no fields yet. */
export const InfrastructureConfigSchema = z.object({ ...typeMeta("InfrastructureConfig") });
export type InfrastructureConfig = z.output<typeof InfrastructureConfigSchema>;

/** `Infrastructure.status.providerStatus`: the project SSH key created for the shoot. */
export const InfrastructureStatusSchema = z.object({
  ...typeMeta("InfrastructureStatus"),
  /** UUID of the Equinix project SSH key (`<namespace>-ssh-publickey`). */
  sshKeyID: z.string(),
});
export type InfrastructureStatus = z.output<typeof InfrastructureStatusSchema>;

/** `ControlPlane.spec.providerConfig`: no fields yet. */
export const ControlPlaneConfigSchema = z.object({ ...typeMeta("ControlPlaneConfig") });
export type ControlPlaneConfig = z.output<typeof ControlPlaneConfigSchema>;

/** The literal hardware reservation ID that asks Equinix Metal for any free reservation in the metro. */
export const NEXT_AVAILABLE_RESERVATION = "next-available";

/** `Worker.spec.pools[].providerConfig`: hardware reservations for the pool. */
export const WorkerConfigSchema = z.object({
  ...typeMeta("WorkerConfig"),
  /** Hardware reservation UUIDs (or `next-available`), tried in order. */
  reservationIDs: z.array(z.string()).optional(),
  /** If true, never fall back to on-demand devices when the reservations are exhausted. */
  reservedDevicesOnly: z.boolean().optional(),
});
export type WorkerConfig = z.output<typeof WorkerConfigSchema>;

/** An image in use by a worker pool, as recorded in the WorkerStatus. */
export const MachineImageSchema = z.object({
  name: z.string(),
  version: z.string(),
  id: z.string().optional(),
  ipxeScriptUrl: z.string().optional(),
});
export type MachineImage = z.output<typeof MachineImageSchema>;

/** `Worker.status.providerStatus`: images in use, so reconciles work after an image left the CloudProfile. */
export const WorkerStatusSchema = z.object({
  ...typeMeta("WorkerStatus"),
  machineImages: z.array(MachineImageSchema).optional(),
});
export type WorkerStatus = z.output<typeof WorkerStatusSchema>;

function kind<S extends z.ZodType>(name: string, schema: S): TypedKind<S> {
  return { apiVersion: API_VERSION, kind: name, schema };
}

/** Registered kinds, for `decodeTyped`. */
export const Kinds = {
  CloudProfileConfig: kind("CloudProfileConfig", CloudProfileConfigSchema),
  InfrastructureConfig: kind("InfrastructureConfig", InfrastructureConfigSchema),
  InfrastructureStatus: kind("InfrastructureStatus", InfrastructureStatusSchema),
  ControlPlaneConfig: kind("ControlPlaneConfig", ControlPlaneConfigSchema),
  WorkerConfig: kind("WorkerConfig", WorkerConfigSchema),
  WorkerStatus: kind("WorkerStatus", WorkerStatusSchema),
} as const;

/** Strictly decodes a CloudProfileConfig (pass `path`, e.g. `spec.cloudProfile.spec.providerConfig`). */
export function decodeCloudProfileConfig(input: DecodeInput, opts: DecodeOptions = {}): CloudProfileConfig {
  return decodeTyped(Kinds.CloudProfileConfig, input, opts);
}

/** Strictly decodes an InfrastructureConfig. */
export function decodeInfrastructureConfig(input: DecodeInput, opts: DecodeOptions = {}): InfrastructureConfig {
  return decodeTyped(Kinds.InfrastructureConfig, input, opts);
}

/** Strictly decodes an InfrastructureStatus (e.g. from `spec.infrastructureProviderStatus`). */
export function decodeInfrastructureStatus(input: DecodeInput, opts: DecodeOptions = {}): InfrastructureStatus {
  return decodeTyped(Kinds.InfrastructureStatus, input, opts);
}

/** Strictly decodes a ControlPlaneConfig. */
export function decodeControlPlaneConfig(input: DecodeInput, opts: DecodeOptions = {}): ControlPlaneConfig {
  return decodeTyped(Kinds.ControlPlaneConfig, input, opts);
}

/** Strictly decodes a WorkerConfig (pass `path`, e.g. `spec.pools[1].providerConfig`). */
export function decodeWorkerConfig(input: DecodeInput, opts: DecodeOptions = {}): WorkerConfig {
  return decodeTyped(Kinds.WorkerConfig, input, opts);
}

/** Strictly decodes a WorkerStatus (e.g. from `status.providerStatus`). */
export function decodeWorkerStatus(input: DecodeInput, opts: DecodeOptions = {}): WorkerStatus {
  return decodeTyped(Kinds.WorkerStatus, input, opts);
}
