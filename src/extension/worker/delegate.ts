/**
 * Compute step of the Worker controller: from the Worker, its Cluster and the secrets it references, the complete
 * wanted state (MachineDeployments per pool and zone, MachineClasses, class Secrets, the images in use). Pure.
 *
 * Everything is validated here, before the first write, and every problem is collected: a Worker with a bad pool
 * fails with one FieldValidationError (ERR_CONFIGURATION_PROBLEM) naming each field, and nothing is created.
 */
import type { Secret } from "kubernetes-types/core/v1.d.ts";
import {
  duplicate,
  type FieldError,
  fieldPath,
  FieldValidationError,
  forbidden,
  invalid,
  notSupported,
  required,
} from "../../apis/decode.ts";
import { isInPlaceUpdateStrategy, UpdateStrategy } from "../../apis/core/v1beta1.ts";
import { isHibernationEnabled, technicalIDOf } from "../../apis/core/shoot.ts";
import { LABEL_WORKER_POOL } from "../../apis/extensions/constants.ts";
import type { IntOrString, Worker, WorkerPool } from "../../apis/extensions/v1alpha1.ts";
import { equinixWorkerPoolHash } from "../../apis/extensions/worker_pool_hash.ts";
import {
  appendMachineImage,
  cloudProfileConfigFromCluster,
  findMachineImage,
  infrastructureStatusOfWorker,
  MachineImageNotFoundError,
  workerConfigOfPool,
  workerStatusOfWorker,
} from "../../apis/equinixmetal/helper.ts";
import type { CloudProfileConfig, MachineImage, WorkerConfig, WorkerStatus } from "../../apis/equinixmetal/v1alpha1.ts";
import type { MachineClass } from "../../apis/machine/v1alpha1.ts";
import { isQuantity } from "../../apis/quantity.ts";
import type { ClusterContext } from "../reconciler/mod.ts";
import { ConfigurationError, RetryableConfigurationError } from "../reconciler/mod.ts";
import { credentialsFromSecret, type SecretObject } from "../infrastructure/mod.ts";
import { buildClassSecret, buildMachineClass, type ClassNodeTemplate } from "./machine_class.ts";
import { clusterAutoscalerAnnotationsOf, machineConfigurationOf } from "../genericworker/machine_configuration.ts";
import type { DesiredDeployment } from "../genericworker/machine_deployment.ts";
import { deploymentNameFor, machineClassName } from "../genericworker/names.ts";
import { distributeOverZones, distributePositiveIntOrPercent, parsePercent } from "../genericworker/zone_distribution.ts";

/** Architecture of a pool that names none (Gardener's default). */
export const DEFAULT_ARCHITECTURE = "amd64";

/** What the compute step reads. */
export interface DesiredStateInputs {
  worker: Worker;
  cluster: ClusterContext;
  /** The Worker's `spec.secretRef` secret; undefined when it does not exist. */
  credentials: Secret | undefined;
  /** The pools' user data secrets by name; undefined values were not found. */
  userDataSecrets: ReadonlyMap<string, Secret | undefined>;
  /** Names of the MachineDeployments that exist in the namespace (for the adoption of upstream names). */
  existingDeploymentNames: ReadonlySet<string>;
}

/** The wanted state of a Worker. */
export interface DesiredWorker {
  namespace: string;
  technicalID: string;
  deployments: DesiredDeployment[];
  classes: MachineClass[];
  classSecrets: Secret[];
  /** The images the pools use now (for the WorkerStatus). */
  machineImages: MachineImage[];
  /** Any pool has maximum > minimum. */
  autoscalerUsed: boolean;
  hibernated: boolean;
  /** Decoded user data of the pools, for secret redaction while the reconcile runs. */
  userDataTexts: string[];
}

/** Names of the user data secrets the pools reference (to read them before computing). */
export function userDataSecretNames(worker: Worker): string[] {
  const names = new Set<string>();
  for (const pool of worker.spec.pools) if (pool.userDataSecretRef.name) names.add(pool.userDataSecretRef.name);
  return [...names];
}

/** `Worker <namespace>/<name>` for messages. */
export function describeWorker(worker: Worker): string {
  return `Worker ${worker.metadata.namespace ?? ""}/${worker.metadata.name ?? ""}`;
}

/** Decoded text of a base64 `data` value; undefined if it is not base64. */
function decodeBase64Text(value: string): string | undefined {
  try {
    const binary = atob(value);
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** Field errors of a FieldValidationError, or rethrows anything else. */
function fieldErrorsOf(e: unknown): readonly FieldError[] {
  if (e instanceof FieldValidationError) return e.errors;
  throw e;
}

function checkIntOrPercent(value: IntOrString, field: string, errors: FieldError[]): void {
  if (typeof value === "number") {
    if (value < 0) errors.push(invalid(field, value, "must not be negative"));
  } else if (parsePercent(value) === undefined) {
    errors.push(invalid(field, value, 'must be a non-negative integer or a percentage such as "25%"'));
  }
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
  cluster: ClusterContext,
  region: string,
  errors: FieldError[],
): Omit<ClassNodeTemplate, "zone"> | undefined {
  const machineType = cluster.cloudProfile.spec.machineTypes.find((t) => t.name === pool.machineType);
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
  const t: Omit<ClassNodeTemplate, "zone"> = { capacity, instanceType: pool.machineType, region, architecture };
  if (virtualCapacity && Object.keys(virtualCapacity).length > 0) t.virtualCapacity = virtualCapacity;
  return t;
}

/**
 * Reads the credentials the classes need (projectID; the driver needs apiToken too), with the Infrastructure
 * controller's rules (static credentials only, projectID a UUID). `missing` is set when the secret does not exist.
 */
function credentialsOf(
  inputs: DesiredStateInputs,
  errors: FieldError[],
): { projectID: string; name: string; namespace: string; missing: boolean } {
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
    out.projectID = credentialsFromSecret(inputs.credentials as SecretObject).projectID;
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw e;
    errors.push(invalid("spec.secretRef.name", name, e.message));
  }
  return out;
}

/** The user data of a pool (base64 as stored, and decoded for redaction). */
function userDataOf(
  pool: WorkerPool,
  poolPath: string,
  inputs: DesiredStateInputs,
  errors: FieldError[],
): { base64: string; text: string } | undefined {
  const ref = pool.userDataSecretRef;
  const refPath = fieldPath(poolPath, "userDataSecretRef");
  const ns = inputs.worker.metadata.namespace ?? "";
  if (!ref.name) {
    errors.push(required(fieldPath(refPath, "name"), `worker pool ${pool.name} needs its user data secret`));
    return undefined;
  }
  const secret = inputs.userDataSecrets.get(ref.name);
  if (!secret) {
    errors.push(invalid(fieldPath(refPath, "name"), ref.name, `secret ${ns}/${ref.name} does not exist`));
    return undefined;
  }
  const base64 = secret.data?.[ref.key];
  const text = base64 === undefined ? undefined : decodeBase64Text(base64);
  if (base64 === undefined || text === undefined || text === "") {
    errors.push(
      invalid(
        fieldPath(refPath, "key"),
        ref.key,
        `secret ${ns}/${ref.name} has no ${JSON.stringify(ref.key)} data or it is empty`,
      ),
    );
    return undefined;
  }
  return { base64, text };
}

/** Computes the wanted state; throws FieldValidationError naming every bad field (nothing may be written then). */
export function computeDesiredWorker(inputs: DesiredStateInputs): DesiredWorker {
  const { worker, cluster } = inputs;
  const object = describeWorker(worker);
  const namespace = worker.metadata.namespace ?? "";
  const technicalID = technicalIDOf(cluster.shoot) || namespace;
  const errors: FieldError[] = [];

  // The CloudProfileConfig belongs to the Cluster: its errors name the Cluster, so they are reported on their own.
  const profileConfig: CloudProfileConfig | undefined = cloudProfileConfigFromCluster(cluster.cluster);

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
  const credentials = credentialsOf(inputs, errors);

  const regionName = worker.spec.region;
  const region = cluster.cloudProfile.spec.regions.find((r) => r.name === regionName);
  if (!region) {
    errors.push(notSupported("spec.region", regionName, cluster.cloudProfile.spec.regions.map((r) => r.name)));
  }
  const regionZones = (region?.zones ?? []).map((z) => z.name);

  const deployments: DesiredDeployment[] = [];
  const classes: MachineClass[] = [];
  const classSecrets: Secret[] = [];
  const userDataTexts: string[] = [];
  let machineImages: MachineImage[] = [];
  const poolNames = new Map<string, number>();

  worker.spec.pools.forEach((pool, index) => {
    const poolPath = fieldPath("spec.pools", index);
    const before = errors.length;

    const first = poolNames.get(pool.name);
    if (first !== undefined) {
      errors.push(duplicate(fieldPath(poolPath, "name"), pool.name, `already used by spec.pools[${first}]`));
    } else poolNames.set(pool.name, index);

    if (isInPlaceUpdateStrategy(pool.updateStrategy)) {
      errors.push({
        type: "NotSupported",
        field: fieldPath(poolPath, "updateStrategy"),
        value: pool.updateStrategy,
        message: `worker pool ${pool.name}: in-place updates are not supported by provider equinixmetal (bare-metal ` +
          `machines are replaced, not updated); supported values: "${UpdateStrategy.AutoRollingUpdate}"`,
      });
    }
    if (pool.minimum < 0) errors.push(invalid(fieldPath(poolPath, "minimum"), pool.minimum, "must not be negative"));
    if (pool.maximum < pool.minimum) {
      errors.push(
        invalid(fieldPath(poolPath, "maximum"), pool.maximum, `must not be less than minimum ${pool.minimum}`),
      );
    }
    checkIntOrPercent(pool.maxSurge, fieldPath(poolPath, "maxSurge"), errors);
    checkIntOrPercent(pool.maxUnavailable, fieldPath(poolPath, "maxUnavailable"), errors);

    let workerConfig: WorkerConfig | undefined;
    try {
      workerConfig = workerConfigOfPool(worker, index);
    } catch (e) {
      errors.push(...fieldErrorsOf(e));
    }

    let image: MachineImage | undefined;
    try {
      image = findMachineImage(profileConfig, pool.machineImage.name, pool.machineImage.version, workerStatus);
    } catch (e) {
      if (!(e instanceof MachineImageNotFoundError)) throw e;
      errors.push(
        invalid(
          fieldPath(poolPath, "machineImage"),
          `${pool.machineImage.name}/${pool.machineImage.version}`,
          e.message,
        ),
      );
    }

    const zones = pool.zones ?? [];
    const seenZones = new Map<string, number>();
    zones.forEach((zone, zi) => {
      const zonePath = fieldPath(poolPath, "zones", zi);
      const firstZone = seenZones.get(zone);
      if (firstZone !== undefined) {
        errors.push(duplicate(zonePath, zone, `already listed at ${fieldPath(poolPath, "zones", firstZone)}`));
      }
      seenZones.set(zone, zi);
      if (region && !regionZones.includes(zone)) {
        errors.push({
          type: "NotSupported",
          field: zonePath,
          value: zone,
          message: `not a zone (Equinix facility) of region ${regionName} in the CloudProfile; supported values: ` +
            (regionZones.length ? regionZones.map((z) => JSON.stringify(z)).join(", ") : "none"),
        });
      }
    });

    const userData = userDataOf(pool, poolPath, inputs, errors);
    const nodeTemplate = nodeTemplateOf(pool, poolPath, cluster, regionName, errors);
    const { config: machineConfiguration, errors: mcErrors } = machineConfigurationOf(pool, poolPath);
    errors.push(...mcErrors);
    const { annotations: caAnnotations, errors: caErrors } = clusterAutoscalerAnnotationsOf(pool, poolPath);
    errors.push(...caErrors);
    const preserveMax = pool.machineControllerManager?.autoPreserveFailedMachineMax;
    if (preserveMax !== undefined && preserveMax < 0) {
      errors.push(
        invalid(
          fieldPath(poolPath, "machineControllerManager", "autoPreserveFailedMachineMax"),
          preserveMax,
          "must not be negative",
        ),
      );
    }
    for (const [i, t] of (pool.taints ?? []).entries()) {
      if (!["NoSchedule", "PreferNoSchedule", "NoExecute"].includes(t.effect)) {
        errors.push(
          notSupported(fieldPath(poolPath, "taints", i, "effect"), t.effect, [
            "NoSchedule",
            "PreferNoSchedule",
            "NoExecute",
          ]),
        );
      }
    }
    if (pool.labels?.[LABEL_WORKER_POOL] !== undefined && pool.labels[LABEL_WORKER_POOL] !== pool.name) {
      errors.push(
        forbidden(
          fieldPath(poolPath, "labels", LABEL_WORKER_POOL),
          `must be the pool name ${JSON.stringify(pool.name)}`,
        ),
      );
    }

    // Zone-less pools get one deployment without a facility (the metro places the devices).
    const zoneList: Array<string | undefined> = zones.length > 0 ? zones : [undefined];
    const hashes: string[] = [];
    for (const zone of zoneList) {
      try {
        hashes.push(equinixWorkerPoolHash(pool, cluster.shoot, { workerConfig, zone }));
      } catch (e) {
        if (isInPlaceUpdateStrategy(pool.updateStrategy)) break; // already reported
        const field = pool.kubernetesVersion !== undefined
          ? fieldPath(poolPath, "kubernetesVersion")
          : "spec.kubernetesVersion";
        errors.push(
          invalid(field, pool.kubernetesVersion ?? cluster.shoot.spec.kubernetes.version, (e as Error).message),
        );
        break;
      }
    }
    if (errors.length > before || !image || !userData) return;

    machineImages = appendMachineImage(machineImages, image);
    userDataTexts.push(userData.text);
    const labels = { ...(pool.labels ?? {}), [LABEL_WORKER_POOL]: pool.name };
    zoneList.forEach((zone, zoneIndex) => {
      const name = deploymentNameFor(technicalID, namespace, pool.name, zoneIndex, inputs.existingDeploymentNames);
      const className = machineClassName(name, hashes[zoneIndex]);
      const zoneCount = zoneList.length;
      const desired: DesiredDeployment = {
        name,
        poolName: pool.name,
        zoneIndex,
        className,
        secretName: className,
        minimum: distributeOverZones(zoneIndex, pool.minimum, zoneCount),
        maximum: distributeOverZones(zoneIndex, pool.maximum, zoneCount),
        maxSurge: distributePositiveIntOrPercent(zoneIndex, pool.maxSurge, zoneCount, pool.maximum),
        maxUnavailable: distributePositiveIntOrPercent(zoneIndex, pool.maxUnavailable, zoneCount, pool.minimum),
        labels,
        annotations: { ...(pool.annotations ?? {}) },
        taints: (pool.taints ?? []).map((t) => ({ ...t })),
        machineConfiguration,
        clusterAutoscalerAnnotations: caAnnotations,
      };
      if (zone !== undefined) desired.zone = zone;
      if (pool.priority !== undefined) desired.priority = pool.priority;
      if (preserveMax !== undefined) {
        desired.autoPreserveFailedMachineMax = distributeOverZones(zoneIndex, preserveMax, zoneCount);
      }
      deployments.push(desired);
      classes.push(buildMachineClass({
        name: className,
        namespace,
        projectID: credentials.projectID,
        image: image!,
        machineType: pool.machineType,
        region: regionName,
        zone,
        sshKeyID,
        technicalID,
        workerConfig,
        credentialsSecret: { name: credentials.name, namespace: credentials.namespace },
        // A pool without zones is placed anywhere in the metro: the metro is the best zone the autoscaler can know.
        nodeTemplate: nodeTemplate && { ...nodeTemplate, zone: zone ?? regionName },
      }));
      classSecrets.push(buildClassSecret(className, namespace, userData.base64));
    });
  });

  const seenNames = new Map<string, string>();
  for (const d of deployments) {
    const other = seenNames.get(d.name);
    if (other !== undefined) {
      errors.push(
        duplicate(
          "spec.pools",
          d.name,
          `pools ${other} and ${d.poolName} would share the MachineDeployment name ${d.name}`,
        ),
      );
    }
    seenNames.set(d.name, d.poolName);
  }
  if (errors.length > 0) throw new FieldValidationError(errors, object);
  if (credentials.missing) {
    // gardenlet writes the secret before the Worker; a missing one may still be on its way (as for Infrastructure).
    throw new RetryableConfigurationError(
      `${object}: credentials secret ${credentials.namespace}/${credentials.name} (spec.secretRef) not found`,
    );
  }

  return {
    namespace,
    technicalID,
    deployments,
    classes,
    classSecrets,
    machineImages,
    autoscalerUsed: worker.spec.pools.some((p) => p.maximum > p.minimum),
    hibernated: isHibernationEnabled(cluster.shoot),
    userDataTexts,
  };
}
