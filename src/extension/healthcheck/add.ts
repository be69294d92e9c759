/**
 * `add` of the health checks of provider equinixmetal (upstream `pkg/controller/healthcheck/add.go`), on the generic
 * library: Worker → `EveryNodeReady` (the nodes check; the stale `ControlPlaneHealthy` of older versions removed);
 * ControlPlane → `ControlPlaneHealthy` (the seed Deployments of the control plane) and `SystemComponentsHealthy` (the
 * ManagedResources of the shoot's system components). Which Deployments and ManagedResources are checked is data
 * (`CONTROL_PLANE_HEALTH`), so the ControlPlane controller's objects plug in by name.
 */
import { ConditionType } from "../../apis/extensions/constants.ts";
import { aborted } from "../../runtime/shutdown.ts";
import type { Runnable } from "../../k8s/controller/manager.ts";
import {
  type HealthCheck,
  type HealthCheckController,
  type HealthCheckRegistration,
  managedResourceCheck,
  newHealthCheckController,
  nodesCheck,
  type NodeThresholds,
  seedDeploymentCheck,
  ShootClusters,
} from "../generichealthcheck/mod.ts";
import { type AddArgs, CONTROL_PLANE, type ControllerManager, WORKER } from "../reconciler/mod.ts";
import { CCM_NAME } from "../controlplane/mod.ts";
import { MR_SHOOT } from "../genericcontrolplane/mod.ts";

/** What the ControlPlane checks look at: seed Deployments and shoot ManagedResources in the shoot namespace. */
export interface ControlPlaneHealthObjects {
  /** Seed Deployments behind `ControlPlaneHealthy`. */
  seedDeployments: readonly string[];
  /** ManagedResources (shoot class) behind `SystemComponentsHealthy`. */
  shootManagedResources: readonly string[];
}

/** The control plane's objects this provider deploys (the ControlPlane controller's names). */
export const CONTROL_PLANE_HEALTH: ControlPlaneHealthObjects = {
  seedDeployments: [CCM_NAME],
  shootManagedResources: [MR_SHOOT],
};

/** The health checks' own options. */
export interface HealthCheckAddOptions {
  /** `healthCheckConfig.syncPeriod`. */
  syncPeriodMs: number;
  /** `--healthcheck-max-concurrent-reconciles`. */
  concurrency: number;
  /** `healthCheckConfig.shootRESTOptions`. */
  shootQps: number;
  shootBurst: number;
  /** `GARDENER_SHOOT_CLIENT=external`: read shoots through the `gardener` secret first. */
  externalShootClient?: boolean;
  /** Overrides of the data above and the nodes check's thresholds (tests). */
  controlPlane?: ControlPlaneHealthObjects;
  nodeThresholds?: NodeThresholds;
}

/** The registrations of provider equinixmetal. */
export function registrations(
  manager: ControllerManager,
  shoots: ShootClusters,
  opts: Pick<HealthCheckAddOptions, "controlPlane" | "nodeThresholds">,
): HealthCheckRegistration[] {
  const informers = manager.informers;
  const cp = opts.controlPlane ?? CONTROL_PLANE_HEALTH;
  const controlPlaneChecks: HealthCheck[] = [
    ...cp.seedDeployments.map((name) =>
      seedDeploymentCheck({ conditionType: ConditionType.ControlPlaneHealthy, informers, name })
    ),
    ...cp.shootManagedResources.map((name) =>
      managedResourceCheck({ conditionType: ConditionType.SystemComponentsHealthy, informers, name })
    ),
  ];
  return [
    {
      kind: WORKER,
      checks: [
        nodesCheck({ conditionType: ConditionType.EveryNodeReady, informers, shoots, thresholds: opts.nodeThresholds }),
      ],
      conditionTypesToRemove: [ConditionType.ControlPlaneHealthy],
    },
    { kind: CONTROL_PLANE, checks: controlPlaneChecks },
  ];
}

/** The health checks as one runnable: a controller per kind and the shoot caches they read. */
export class HealthChecks implements Runnable {
  constructor(readonly controllers: readonly HealthCheckController[], readonly shoots: ShootClusters) {}

  /** Runs the controllers until `signal` aborts, then stops the shoot caches. */
  async start(signal: AbortSignal): Promise<void> {
    this.shoots.bind(signal);
    await Promise.all([...this.controllers.map((c) => c.start(signal)), aborted(signal)]);
    await this.shoots.stopped();
  }
}

/** Adds the health checks (a controller per kind and the shoot caches they read) to the manager. */
export function add(manager: ControllerManager, args: AddArgs<HealthCheckAddOptions>): HealthChecks {
  const o = args.options;
  const shoots = new ShootClusters({
    informers: manager.informers,
    qps: o.shootQps,
    burst: o.shootBurst,
    external: o.externalShootClient,
    syncTimeoutMs: Math.min(o.syncPeriodMs, 30_000),
    clock: args.clock,
    log: args.log.child("shoot"),
  });
  const controllers = registrations(manager, shoots, o).map((reg) =>
    newHealthCheckController(manager, args, reg, {
      syncPeriodMs: o.syncPeriodMs,
      concurrency: o.concurrency,
      release: (ns) => shoots.release(ns),
    })
  );
  const checks = new HealthChecks(controllers, shoots);
  manager.add(checks);
  return checks;
}
