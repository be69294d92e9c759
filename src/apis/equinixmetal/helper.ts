/**
 * Helpers around the provider API: machine image lookup (CloudProfile first, then the Worker's own status), the
 * used-images list, reading the CloudProfileConfig from a Cluster, and encoding kinds with apiVersion/kind set.
 */
import {
  type DecodeOptions,
  describeObject,
  fieldPath,
  FieldValidationError,
  required,
  throwIfErrors,
} from "../decode.ts";
import type { Cluster, Worker } from "../extensions/v1alpha1.ts";
import {
  API_VERSION,
  type CloudProfileConfig,
  type ControlPlaneConfig,
  decodeCloudProfileConfig,
  decodeInfrastructureStatus,
  decodeWorkerConfig,
  decodeWorkerStatus,
  type InfrastructureConfig,
  type InfrastructureStatus,
  type MachineImage,
  type WorkerConfig,
  type WorkerStatus,
} from "./v1alpha1.ts";
import { validateInfrastructureStatus, validateWorkerConfig } from "./validation.ts";

/** No image for a pool's name/version in the CloudProfile or the Worker status; the text matches Gardener's. */
export class MachineImageNotFoundError extends Error {
  constructor(readonly imageName: string, readonly imageVersion: string) {
    super(
      `could not find machine image for ${imageName}/${imageVersion} neither in cloud profile nor in worker status`,
    );
    this.name = "MachineImageNotFoundError";
  }
}

/** Copies only the defined boot settings, so absent fields stay absent (not `undefined`) in encoded objects. */
function image(name: string, version: string, id: string | undefined, url: string | undefined): MachineImage {
  const out: MachineImage = { name, version };
  if (id !== undefined) out.id = id;
  if (url !== undefined) out.ipxeScriptUrl = url;
  return out;
}

/** The CloudProfileConfig entry for `name`/`version`, if any (first match wins, as upstream). */
export function findImageInCloudProfile(
  cfg: CloudProfileConfig | undefined,
  name: string,
  version: string,
): MachineImage | undefined {
  for (const img of cfg?.machineImages ?? []) {
    if (img.name !== name) continue;
    const v = img.versions.find((v) => v.version === version);
    if (v) return image(name, version, v.id, v.ipxeScriptUrl);
  }
  return undefined;
}

/**
 * The image recorded in a WorkerStatus for `name`/`version`, if any. Keeps `ipxeScriptUrl` (upstream copied only the
 * `id`, so an iPXE-only image broke once its version left the CloudProfile).
 */
export function findImageInWorkerStatus(
  status: WorkerStatus | undefined,
  name: string,
  version: string,
): MachineImage | undefined {
  const found = status?.machineImages?.find((m) => m.name === name && m.version === version);
  return found ? image(name, version, found.id, found.ipxeScriptUrl) : undefined;
}

/**
 * Resolves a pool's image: the CloudProfileConfig first, then the Worker's current status (for versions removed from
 * the profile); throws `MachineImageNotFoundError` otherwise.
 */
export function findMachineImage(
  cfg: CloudProfileConfig | undefined,
  name: string,
  version: string,
  workerStatus?: WorkerStatus,
): MachineImage {
  const found = findImageInCloudProfile(cfg, name, version) ?? findImageInWorkerStatus(workerStatus, name, version);
  if (!found) throw new MachineImageNotFoundError(name, version);
  return found;
}

/** Returns `images` plus `img` unless an entry with the same name and version is already there. */
export function appendMachineImage(images: readonly MachineImage[], img: MachineImage): MachineImage[] {
  if (images.some((m) => m.name === img.name && m.version === img.version)) return [...images];
  return [...images, img];
}

/**
 * The CloudProfileConfig of the Cluster's CloudProfile, strictly decoded; `undefined` if the profile has none.
 * Errors name `spec.cloudProfile.spec.providerConfig` and the Cluster.
 */
export function cloudProfileConfigFromCluster(
  cluster: Cluster,
  opts: DecodeOptions = {},
): CloudProfileConfig | undefined {
  const raw = cluster.spec.cloudProfile.spec.providerConfig;
  if (raw === undefined) return undefined;
  return decodeCloudProfileConfig(raw, {
    path: "spec.cloudProfile.spec.providerConfig",
    object: `Cluster ${cluster.metadata.name ?? ""}`,
    ...opts,
  });
}

function workerName(worker: Worker): string {
  return describeObject({ ...worker, kind: "Worker" }) ?? "Worker";
}

/**
 * The WorkerConfig of `worker.spec.pools[index]`, strictly decoded and validated; `undefined` if the pool has none.
 * Errors name `spec.pools[<index>].providerConfig...` and the Worker.
 */
export function workerConfigOfPool(worker: Worker, index: number): WorkerConfig | undefined {
  const raw = worker.spec.pools[index]?.providerConfig;
  if (raw === undefined) return undefined;
  const path = fieldPath("spec.pools", index, "providerConfig");
  const object = workerName(worker);
  const cfg = decodeWorkerConfig(raw, { path, object });
  throwIfErrors(validateWorkerConfig(cfg, path), object);
  return cfg;
}

/**
 * The InfrastructureStatus copied into the Worker (`spec.infrastructureProviderStatus`), decoded and validated. A
 * missing one is a Required error (upstream dereferenced nil and panicked).
 */
export function infrastructureStatusOfWorker(worker: Worker): InfrastructureStatus {
  const path = "spec.infrastructureProviderStatus";
  const object = workerName(worker);
  const raw = worker.spec.infrastructureProviderStatus;
  if (raw === undefined) {
    throw new FieldValidationError([required(path, "the Infrastructure has not reported its status yet")], object);
  }
  const status = decodeInfrastructureStatus(raw, { path, object });
  throwIfErrors(validateInfrastructureStatus(status, path), object);
  return status;
}

/** The Worker's current WorkerStatus (`status.providerStatus`), decoded; `undefined` before the first reconcile. */
export function workerStatusOfWorker(worker: Worker): WorkerStatus | undefined {
  const raw = worker.status?.providerStatus;
  if (raw === undefined) return undefined;
  return decodeWorkerStatus(raw, { path: "status.providerStatus", object: workerName(worker) });
}

/** Removes `undefined` members recursively so encoded objects serialise exactly as they compare. */
function pruneUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => pruneUndefined(v)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[k] = pruneUndefined(v);
    }
    return out as T;
  }
  return value;
}

type Body<T> = Omit<T, "apiVersion" | "kind">;

function encode<K extends string, T>(kind: K, body: T): T & { apiVersion: typeof API_VERSION; kind: K } {
  // apiVersion/kind first, as Go serialises TypeMeta; gardenlet copies provider statuses verbatim, so they must be set.
  return pruneUndefined({ apiVersion: API_VERSION, kind, ...body } as T & { apiVersion: typeof API_VERSION; kind: K });
}

/** An InfrastructureStatus with apiVersion/kind, for `Infrastructure.status.providerStatus`. */
export function encodeInfrastructureStatus(body: Body<InfrastructureStatus>): InfrastructureStatus {
  return encode("InfrastructureStatus", body);
}

/** A WorkerStatus with apiVersion/kind, for `Worker.status.providerStatus`. */
export function encodeWorkerStatus(body: Body<WorkerStatus>): WorkerStatus {
  return encode("WorkerStatus", body);
}

/** A WorkerConfig with apiVersion/kind (tests, examples, the playground). */
export function encodeWorkerConfig(body: Body<WorkerConfig>): WorkerConfig {
  return encode("WorkerConfig", body);
}

/** A CloudProfileConfig with apiVersion/kind. */
export function encodeCloudProfileConfig(body: Body<CloudProfileConfig>): CloudProfileConfig {
  return encode("CloudProfileConfig", body);
}

/** An InfrastructureConfig with apiVersion/kind. */
export function encodeInfrastructureConfig(): InfrastructureConfig {
  return encode("InfrastructureConfig", {});
}

/** A ControlPlaneConfig with apiVersion/kind. */
export function encodeControlPlaneConfig(): ControlPlaneConfig {
  return encode("ControlPlaneConfig", {});
}
