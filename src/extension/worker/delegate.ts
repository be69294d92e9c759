/**
 * The Equinix Metal half of the Worker's compute step, the `WorkerDelegate` of the generic part (../genericworker):
 * the credentials' projectID, the SSH key of the Infrastructure, each pool's WorkerConfig, machine image and node
 * template, the pool hash, the MachineClass, and the WorkerStatus with the images in use. Pure.
 */
import { type FieldError, fieldPath, FieldValidationError, invalid, required } from "../../apis/decode.ts";
import { isInPlaceUpdateStrategy, UpdateStrategy } from "../../apis/core/v1beta1.ts";
import type { IntOrString, WorkerPool } from "../../apis/extensions/v1alpha1.ts";
import { equinixWorkerPoolHash } from "../../apis/extensions/worker_pool_hash.ts";
import {
  appendMachineImage,
  cloudProfileConfigFromCluster,
  encodeWorkerStatus,
  findMachineImage,
  infrastructureStatusOfWorker,
  MachineImageNotFoundError,
  workerConfigOfPool,
  workerStatusOfWorker,
} from "../../apis/equinixmetal/helper.ts";
import type { CloudProfileConfig, MachineImage, WorkerConfig, WorkerStatus } from "../../apis/equinixmetal/v1alpha1.ts";
import { isQuantity } from "../../apis/quantity.ts";
import {
  computeDesiredState,
  type DesiredStateInputs,
  type DesiredWorker,
  type PoolContext,
  type WorkerContext,
  type WorkerDelegate,
} from "../genericworker/mod.ts";
import { ConfigurationError, RetryableConfigurationError } from "../reconciler/mod.ts";
import { credentialsFromSecret } from "../infrastructure/mod.ts";
import { buildMachineClass, type ClassNodeTemplate } from "./machine_class.ts";

/** Architecture of a pool that names none (Gardener's default). */
export const DEFAULT_ARCHITECTURE = "amd64";

/** What the Equinix delegate reads once per Worker. */
export interface EquinixWorker {
  context: WorkerContext;
  /** The Infrastructure's project SSH key (from `spec.infrastructureProviderStatus`); `""` when SSH access is off. */
  sshKeyID: string;
  /** The images of the last reconcile, the fallback for an image the CloudProfile has dropped. */
  workerStatus: WorkerStatus | undefined;
  profileConfig: CloudProfileConfig | undefined;
  credentials: { projectID: string; name: string; namespace: string; missing: boolean };
}

/** What the Equinix delegate decides per pool. */
export interface EquinixPool {
  pool: WorkerPool;
  image: MachineImage;
  workerConfig: WorkerConfig | undefined;
  /** Node template of the pool's classes, without the zone. */
  nodeTemplate: Omit<ClassNodeTemplate, "zone"> | undefined;
  hashes: string[];
}

/** The wanted state of a Worker with the images its pools use (the WorkerStatus). */
export type EquinixDesiredWorker = DesiredWorker<EquinixPool> & { machineImages: MachineImage[] };

/** Field errors of a FieldValidationError, or rethrows anything else. */
function fieldErrorsOf(e: unknown): readonly FieldError[] {
  if (e instanceof FieldValidationError) return e.errors;
  throw e;
}

function quantityMap(
  map: Record<string, IntOrString> | undefined,
  field: string,
  errors: FieldError[],
): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) {
    const text = String(v);
    if (!isQuantity(text)) errors.push(invalid(fieldPath(field, k), v, "must be a quantity such as 4, 500m or 32Gi"));
    else out[k] = text;
  }
  return out;
}

/**
 * Node template of a pool's classes (without the zone): capacity from the pool's own node template, else from the
 * CloudProfile's machine type; undefined if neither exists.
 */
function nodeTemplateOf(
  pool: WorkerPool,
  poolPath: string,
  context: WorkerContext,
  errors: FieldError[],
): Omit<ClassNodeTemplate, "zone"> | undefined {
  const machineType = context.inputs.cluster.cloudProfile.spec.machineTypes.find((t) => t.name === pool.machineType);
  const architecture = pool.architecture ?? machineType?.architecture ?? DEFAULT_ARCHITECTURE;
  let capacity: Record<string, string> | undefined;
  let virtualCapacity: Record<string, string> | undefined;
  if (pool.nodeTemplate) {
    const base = fieldPath(poolPath, "nodeTemplate");
    capacity = quantityMap(pool.nodeTemplate.capacity, fieldPath(base, "capacity"), errors);
    virtualCapacity = quantityMap(pool.nodeTemplate.virtualCapacity, fieldPath(base, "virtualCapacity"), errors);
  } else if (machineType) {
    capacity = { cpu: String(machineType.cpu), gpu: String(machineType.gpu), memory: String(machineType.memory) };
    for (const [k, v] of Object.entries(capacity)) {
      if (!isQuantity(v)) {
        errors.push(invalid(`spec.cloudProfile.spec.machineTypes[${pool.machineType}].${k}`, v, "must be a quantity"));
      }
    }
  }
  if (!capacity) return undefined;
  const t: Omit<ClassNodeTemplate, "zone"> = {
    capacity,
    instanceType: pool.machineType,
    region: context.region,
    architecture,
  };
  if (virtualCapacity && Object.keys(virtualCapacity).length > 0) t.virtualCapacity = virtualCapacity;
  return t;
}

/**
 * Reads the credentials the classes need (projectID; the driver needs apiToken too), with the Infrastructure
 * controller's rules (static credentials only, projectID a UUID). `missing` is set when the secret does not exist.
 */
function credentialsOf(inputs: DesiredStateInputs, errors: FieldError[]): EquinixWorker["credentials"] {
  const { worker } = inputs;
  const ref = worker.spec.secretRef;
  const namespace = ref.namespace || worker.metadata.namespace || "";
  const name = ref.name ?? "";
  const out = { projectID: "", name, namespace, missing: false };
  if (!name) {
    errors.push(required("spec.secretRef.name", "the Worker must reference the cloudprovider secret"));
    return out;
  }
  if (namespace !== worker.metadata.namespace) {
    // MCM only reads secrets of its own namespace.
    errors.push(
      invalid("spec.secretRef.namespace", namespace, `must be the Worker's namespace ${worker.metadata.namespace}`),
    );
  }
  if (!inputs.credentials) return { ...out, missing: true };
  try {
    out.projectID = credentialsFromSecret(inputs.credentials).projectID;
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw e;
    errors.push(invalid("spec.secretRef.name", name, e.message));
  }
  return out;
}

/** The machine image of a pool: the CloudProfile's, else the one the last reconcile recorded. */
function imageOf(pool: WorkerPool, poolPath: string, shared: EquinixWorker, errors: FieldError[]) {
  try {
    return findMachineImage(
      shared.profileConfig,
      pool.machineImage.name,
      pool.machineImage.version,
      shared.workerStatus,
    );
  } catch (e) {
    if (!(e instanceof MachineImageNotFoundError)) throw e;
    const value = `${pool.machineImage.name}/${pool.machineImage.version}`;
    errors.push(invalid(fieldPath(poolPath, "machineImage"), value, e.message));
    return undefined;
  }
}

/** The pool hash of each zone (Gardener's WorkerPoolHash with our provider data); stops at the first failure. */
function hashesOf(p: PoolContext, workerConfig: WorkerConfig | undefined, shared: EquinixWorker, errors: FieldError[]) {
  const { pool, path } = p;
  const shoot = shared.context.inputs.cluster.shoot;
  const hashes: string[] = [];
  for (const zone of p.zones) {
    try {
      hashes.push(equinixWorkerPoolHash(pool, shoot, { workerConfig, zone }));
    } catch (e) {
      if (isInPlaceUpdateStrategy(pool.updateStrategy)) break; // already reported
      const field = pool.kubernetesVersion !== undefined
        ? fieldPath(path, "kubernetesVersion")
        : "spec.kubernetesVersion";
      errors.push(invalid(field, pool.kubernetesVersion ?? shoot.spec.kubernetes.version, (e as Error).message));
      break;
    }
  }
  return hashes;
}

/** The delegate of provider equinixmetal. */
export const EQUINIX_WORKER_DELEGATE: WorkerDelegate<EquinixWorker, EquinixPool> = {
  validateWorker(context, errors) {
    const { worker, cluster } = context.inputs;
    // The CloudProfileConfig belongs to the Cluster: its errors name the Cluster, so they are reported on their own.
    const profileConfig = cloudProfileConfigFromCluster(cluster.cluster);
    let sshKeyID = "";
    try {
      sshKeyID = infrastructureStatusOfWorker(worker).sshKeyID;
    } catch (e) {
      errors.push(...fieldErrorsOf(e));
    }
    let workerStatus: WorkerStatus | undefined;
    try {
      workerStatus = workerStatusOfWorker(worker);
    } catch {
      // A status we cannot read only loses the image fallback; it is rewritten by this reconcile.
      workerStatus = undefined;
    }
    return { context, sshKeyID, workerStatus, profileConfig, credentials: credentialsOf(context.inputs, errors) };
  },

  validatePool(p, shared, errors) {
    const { pool, path } = p;
    if (isInPlaceUpdateStrategy(pool.updateStrategy)) {
      errors.push({
        type: "NotSupported",
        field: fieldPath(path, "updateStrategy"),
        value: pool.updateStrategy,
        message: `worker pool ${pool.name}: in-place updates are not supported by provider equinixmetal (bare-metal ` +
          `machines are replaced, not updated); supported values: "${UpdateStrategy.AutoRollingUpdate}"`,
      });
    }
    let workerConfig: WorkerConfig | undefined;
    try {
      workerConfig = workerConfigOfPool(shared.context.inputs.worker, p.index);
    } catch (e) {
      errors.push(...fieldErrorsOf(e));
    }
    const image = imageOf(pool, path, shared, errors);
    const nodeTemplate = nodeTemplateOf(pool, path, shared.context, errors);
    const hashes = hashesOf(p, workerConfig, shared, errors);
    return image && { pool, image, workerConfig, nodeTemplate, hashes };
  },

  machineClass(d, p, shared) {
    const { namespace, region, technicalID } = shared.context;
    return buildMachineClass({
      name: d.className,
      namespace,
      projectID: shared.credentials.projectID,
      image: p.image,
      machineType: p.pool.machineType,
      region,
      zone: d.zone,
      sshKeyID: shared.sshKeyID,
      technicalID,
      workerConfig: p.workerConfig,
      credentialsSecret: { name: shared.credentials.name, namespace: shared.credentials.namespace },
      // A pool without zones is placed anywhere in the metro: the metro is the best zone the autoscaler can know.
      nodeTemplate: p.nodeTemplate && { ...p.nodeTemplate, zone: d.zone ?? region },
    });
  },

  providerStatus(pools) {
    return { ...encodeWorkerStatus({ machineImages: machineImagesOf(pools) }) };
  },

  notReady(shared, object) {
    const { credentials } = shared;
    if (!credentials.missing) return undefined;
    // gardenlet writes the secret before the Worker; a missing one may still be on its way (as for Infrastructure).
    return new RetryableConfigurationError(
      `${object}: credentials secret ${credentials.namespace}/${credentials.name} (spec.secretRef) not found`,
    );
  },
};

/** The images the pools use, each once, in pool order. */
function machineImagesOf(pools: readonly EquinixPool[]): MachineImage[] {
  return pools.reduce((images: MachineImage[], p) => appendMachineImage(images, p.image), []);
}

/** Computes the wanted state of a Worker of type `equinixmetal` (the generic compute with our delegate). Pure. */
export function computeDesiredWorker(inputs: DesiredStateInputs): EquinixDesiredWorker {
  const desired = computeDesiredState(inputs, EQUINIX_WORKER_DELEGATE);
  return { ...desired, machineImages: machineImagesOf(desired.providerPools) };
}
