/**
 * Compute step of the Worker controller, the generic part: from the Worker, its Cluster and the secrets it references,
 * the complete wanted state (MachineDeployments per pool and zone, their classes and class Secrets, the provider
 * status), with the provider's half asked through its `WorkerDelegate`. Pure.
 *
 * Everything is validated here, before the first write, and every problem is collected: a Worker with a bad pool
 * fails with one FieldValidationError (ERR_CONFIGURATION_PROBLEM) naming each field, and nothing is created. Per pool
 * the generic checks come first, then the delegate's.
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
import { isHibernationEnabled, technicalIDOf } from "../../apis/core/shoot.ts";
import { LABEL_WORKER_POOL } from "../../apis/extensions/constants.ts";
import type { IntOrString, Worker, WorkerPool } from "../../apis/extensions/v1alpha1.ts";
import type { MachineClass } from "../../apis/machine/v1alpha1.ts";
import { decodeBase64 } from "../../runtime/base64.ts";
import { RetryableConfigurationError } from "../reconciler/mod.ts";
import type { DesiredStateInputs, ProviderPool, WorkerContext, WorkerDelegate } from "./delegate.ts";
import { buildClassSecret } from "./machine_class_objects.ts";
import { clusterAutoscalerAnnotationsOf, machineConfigurationOf } from "./machine_configuration.ts";
import type { DesiredDeployment } from "./machine_deployment.ts";
import { deploymentNameFor, machineClassName } from "./names.ts";
import { distributeOverZones, distributePositiveIntOrPercent, parsePercent } from "./zone_distribution.ts";

/** The wanted state of a Worker; `P` is the delegate's data of each valid pool. */
export interface DesiredWorker<P extends ProviderPool = ProviderPool> {
  namespace: string;
  technicalID: string;
  deployments: DesiredDeployment[];
  classes: MachineClass[];
  classSecrets: Secret[];
  /** The delegate's data of the valid pools, in pool order. */
  providerPools: P[];
  /** `status.providerStatus` to publish (the delegate's). */
  providerStatus: Record<string, unknown>;
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

function checkIntOrPercent(value: IntOrString, field: string, errors: FieldError[]): void {
  if (typeof value === "number") {
    if (value < 0) errors.push(invalid(field, value, "must not be negative"));
  } else if (parsePercent(value) === undefined) {
    errors.push(invalid(field, value, 'must be a non-negative integer or a percentage such as "25%"'));
  }
}

/** Text of a base64 `data` value (bytes that are not UTF-8 become U+FFFD); undefined if it is not base64. */
function decodedText(value: string): string | undefined {
  try {
    return new TextDecoder().decode(decodeBase64(value));
  } catch {
    return undefined;
  }
}

/** The user data of a pool (base64 as stored, and decoded for redaction). */
function userDataOf(
  pool: WorkerPool,
  poolPath: string,
  inputs: DesiredStateInputs,
  errors: FieldError[],
  missing: string[],
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
    // gardenlet writes the secret before the Worker: a missing one may still be on its way, so this is no error of
    // the user's configuration (that would fail the shoot at once).
    missing.push(`${fieldPath(refPath, "name")}: secret ${ns}/${ref.name} does not exist (yet)`);
    return undefined;
  }
  const base64 = secret.data?.[ref.key];
  const text = base64 === undefined ? undefined : decodedText(base64);
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

/** Checks the pool's zones: no repeats, each a zone of the Worker's region in the CloudProfile. */
function checkZones(
  pool: WorkerPool,
  poolPath: string,
  region: { name: string; zones: readonly string[] } | undefined,
  errors: FieldError[],
): void {
  const seenZones = new Map<string, number>();
  (pool.zones ?? []).forEach((zone, zi) => {
    const zonePath = fieldPath(poolPath, "zones", zi);
    const firstZone = seenZones.get(zone);
    if (firstZone !== undefined) {
      errors.push(duplicate(zonePath, zone, `already listed at ${fieldPath(poolPath, "zones", firstZone)}`));
    }
    seenZones.set(zone, zi);
    if (region && !region.zones.includes(zone)) {
      errors.push({
        type: "NotSupported",
        field: zonePath,
        value: zone,
        message: `not a zone (Equinix facility) of region ${region.name} in the CloudProfile; supported values: ` +
          (region.zones.length ? region.zones.map((z) => JSON.stringify(z)).join(", ") : "none"),
      });
    }
  });
}

/** The MachineDeployment settings of a pool that do not depend on the zone. */
interface PoolSettings {
  machineConfiguration: DesiredDeployment["machineConfiguration"];
  clusterAutoscalerAnnotations: Record<string, string>;
  autoPreserveFailedMachineMax?: number;
}

/** Checks the pool's sizes and rolling-update settings. */
function checkSizes(pool: WorkerPool, poolPath: string, errors: FieldError[]): void {
  if (pool.minimum < 0) errors.push(invalid(fieldPath(poolPath, "minimum"), pool.minimum, "must not be negative"));
  if (pool.maximum < pool.minimum) {
    errors.push(invalid(fieldPath(poolPath, "maximum"), pool.maximum, `must not be less than minimum ${pool.minimum}`));
  }
  checkIntOrPercent(pool.maxSurge, fieldPath(poolPath, "maxSurge"), errors);
  checkIntOrPercent(pool.maxUnavailable, fieldPath(poolPath, "maxUnavailable"), errors);
}

/** The pool's MCM and cluster-autoscaler settings, checked with its taints and labels. */
function poolSettingsOf(pool: WorkerPool, poolPath: string, errors: FieldError[]): PoolSettings {
  const { config: machineConfiguration, errors: mcErrors } = machineConfigurationOf(pool, poolPath);
  errors.push(...mcErrors);
  const { annotations, errors: caErrors } = clusterAutoscalerAnnotationsOf(pool, poolPath);
  errors.push(...caErrors);
  const preserveMax = pool.machineControllerManager?.autoPreserveFailedMachineMax;
  if (preserveMax !== undefined && preserveMax < 0) {
    const field = fieldPath(poolPath, "machineControllerManager", "autoPreserveFailedMachineMax");
    errors.push(invalid(field, preserveMax, "must not be negative"));
  }
  const effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
  for (const [i, t] of (pool.taints ?? []).entries()) {
    if (!effects.includes(t.effect)) {
      errors.push(notSupported(fieldPath(poolPath, "taints", i, "effect"), t.effect, effects));
    }
  }
  if (pool.labels?.[LABEL_WORKER_POOL] !== undefined && pool.labels[LABEL_WORKER_POOL] !== pool.name) {
    const field = fieldPath(poolPath, "labels", LABEL_WORKER_POOL);
    errors.push(forbidden(field, `must be the pool name ${JSON.stringify(pool.name)}`));
  }
  return { machineConfiguration, clusterAutoscalerAnnotations: annotations, autoPreserveFailedMachineMax: preserveMax };
}

/** The pool's MachineDeployments, one per zone, with the pool's sizes spread over the zones. */
function deploymentsOfPool(
  pool: WorkerPool,
  zones: readonly (string | undefined)[],
  hashes: readonly string[],
  settings: PoolSettings,
  worker: WorkerContext,
): DesiredDeployment[] {
  const labels = { ...(pool.labels ?? {}), [LABEL_WORKER_POOL]: pool.name };
  const zoneCount = zones.length;
  const existing = worker.inputs.existingDeploymentNames;
  return zones.map((zone, zoneIndex) => {
    const name = deploymentNameFor(worker.technicalID, worker.namespace, pool.name, zoneIndex, existing);
    const className = machineClassName(name, hashes[zoneIndex]);
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
      machineConfiguration: settings.machineConfiguration,
      clusterAutoscalerAnnotations: settings.clusterAutoscalerAnnotations,
    };
    if (zone !== undefined) desired.zone = zone;
    if (pool.priority !== undefined) desired.priority = pool.priority;
    if (settings.autoPreserveFailedMachineMax !== undefined) {
      desired.autoPreserveFailedMachineMax = distributeOverZones(
        zoneIndex,
        settings.autoPreserveFailedMachineMax,
        zoneCount,
      );
    }
    return desired;
  });
}

/** Two pools whose MachineDeployments would get the same name (e.g. an adopted legacy name). */
function checkDeploymentNames(deployments: readonly DesiredDeployment[], errors: FieldError[]): void {
  const seenNames = new Map<string, string>();
  for (const d of deployments) {
    const other = seenNames.get(d.name);
    if (other !== undefined) {
      const message = `pools ${other} and ${d.poolName} would share the MachineDeployment name ${d.name}`;
      errors.push(duplicate("spec.pools", d.name, message));
    }
    seenNames.set(d.name, d.poolName);
  }
}

/**
 * Computes the wanted state with the provider's `delegate`; throws FieldValidationError naming every bad field
 * (nothing may be written then), or the delegate's `notReady` error.
 */
export function computeDesiredState<W, P extends ProviderPool>(
  inputs: DesiredStateInputs,
  delegate: WorkerDelegate<W, P>,
): DesiredWorker<P> {
  const { worker, cluster } = inputs;
  const object = describeWorker(worker);
  const namespace = worker.metadata.namespace ?? "";
  const context: WorkerContext = {
    inputs,
    namespace,
    technicalID: technicalIDOf(cluster.shoot) || namespace,
    region: worker.spec.region,
  };
  const errors: FieldError[] = [];
  const shared = delegate.validateWorker(context, errors);

  const profileRegion = cluster.cloudProfile.spec.regions.find((r) => r.name === context.region);
  if (!profileRegion) {
    errors.push(notSupported("spec.region", context.region, cluster.cloudProfile.spec.regions.map((r) => r.name)));
  }
  const region = profileRegion && { name: context.region, zones: (profileRegion.zones ?? []).map((z) => z.name) };

  const desired: DesiredWorker<P> = {
    namespace,
    technicalID: context.technicalID,
    deployments: [],
    classes: [],
    classSecrets: [],
    providerPools: [],
    providerStatus: {},
    autoscalerUsed: worker.spec.pools.some((p) => p.maximum > p.minimum),
    hibernated: isHibernationEnabled(cluster.shoot),
    userDataTexts: [],
  };
  const poolNames = new Map<string, number>();
  const missingSecrets: string[] = [];
  worker.spec.pools.forEach((pool, index) => {
    const path = fieldPath("spec.pools", index);
    const before = errors.length;
    const first = poolNames.get(pool.name);
    if (first !== undefined) {
      errors.push(duplicate(fieldPath(path, "name"), pool.name, `already used by spec.pools[${first}]`));
    } else poolNames.set(pool.name, index);
    checkSizes(pool, path, errors);
    checkZones(pool, path, region, errors);
    const userData = userDataOf(pool, path, inputs, errors, missingSecrets);
    const settings = poolSettingsOf(pool, path, errors);
    // Zone-less pools get one deployment without a zone (the provider places the machines).
    const zones: (string | undefined)[] = pool.zones?.length ? pool.zones : [undefined];
    const providerPool = delegate.validatePool({ pool, index, path, zones }, shared, errors);
    if (errors.length > before || !providerPool || !userData) return;

    desired.providerPools.push(providerPool);
    desired.userDataTexts.push(userData.text);
    for (const d of deploymentsOfPool(pool, zones, providerPool.hashes, settings, context)) {
      desired.deployments.push(d);
      desired.classes.push(delegate.machineClass(d, providerPool, shared));
      desired.classSecrets.push(buildClassSecret(d.secretName, namespace, userData.base64));
    }
  });
  checkDeploymentNames(desired.deployments, errors);
  if (errors.length > 0) throw new FieldValidationError(errors, object);
  if (missingSecrets.length) throw new RetryableConfigurationError(`${object}: ${missingSecrets.join("; ")}`);
  const notReady = delegate.notReady(shared, object);
  if (notReady) throw notReady;
  desired.providerStatus = delegate.providerStatus(desired.providerPools, shared);
  return desired;
}
