/**
 * The library's health checks as `HealthCheck`s over cached reads: the worker nodes check (seed MachineDeployments
 * and Machines, shoot Nodes), a seed Deployment and a ManagedResource by name. Informers come from the seed's shared
 * factory, created at a check's first run (a seed without objects of a kind to check needs neither the cache nor the
 * CRD, and readiness does not wait for it); objects looked up by name use a field selector, so the cache holds only
 * those objects.
 */
import type { Machine, MachineDeployment } from "../../apis/machine/v1alpha1.ts";
import type { Deployment } from "../../k8s/api/builtin_types.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { AppsV1, MachineV1alpha1, ResourcesV1alpha1 } from "../../k8s/api/resources.ts";
import type { Informer, InformerFactory } from "../../k8s/cache/informer.ts";
import type { HealthCheck } from "./healthcheck_reconcile.ts";
import { checkNodes, DEFAULT_NODE_THRESHOLDS, type NodeThresholds } from "./nodes_check.ts";
import type { ShootClusters } from "./shoot_access.ts";
import { checkDeployment, checkManagedResource } from "./workload_checks.ts";

/** An informer for objects of one name in every namespace. */
function byName<T extends KubeObject>(
  informers: InformerFactory,
  res: Parameters<InformerFactory["informer"]>[0],
  name: string,
) {
  return informers.informer<T>(res, { fieldSelector: `metadata.name=${name}` });
}

async function synced(informers: Pick<Informer, "hasSynced" | "waitForSync">[], signal: AbortSignal): Promise<void> {
  for (const i of informers) if (!i.hasSynced()) await i.waitForSync(signal);
}

/** The nodes check (Gardener's `NewNodesChecker`) for `conditionType` (usually `EveryNodeReady`). */
export function nodesCheck(opts: {
  conditionType: string;
  informers: InformerFactory;
  shoots: ShootClusters;
  thresholds?: NodeThresholds;
}): HealthCheck {
  let deployments: Informer<MachineDeployment> | undefined;
  let machines: Informer<Machine> | undefined;
  return {
    conditionType: opts.conditionType,
    name: "nodes",
    async check({ namespace, signal }) {
      deployments ??= opts.informers.informer<MachineDeployment>(MachineV1alpha1.machineDeployments);
      machines ??= opts.informers.informer<Machine>(MachineV1alpha1.machines);
      await synced([deployments, machines], signal);
      const nodes = await opts.shoots.nodes(namespace, signal);
      return checkNodes(
        { machineDeployments: deployments.list(namespace), machines: machines.list(namespace), nodes },
        namespace,
        opts.thresholds ?? DEFAULT_NODE_THRESHOLDS,
      );
    },
  };
}

/** The Deployment `name` in the shoot namespace of the seed is healthy (Gardener's `NewSeedDeploymentHealthChecker`). */
export function seedDeploymentCheck(
  opts: { conditionType: string; informers: InformerFactory; name: string },
): HealthCheck {
  let informer: Informer<Deployment> | undefined;
  return {
    conditionType: opts.conditionType,
    name: `deployment ${opts.name}`,
    async check({ namespace, signal }) {
      informer ??= byName<Deployment>(opts.informers, AppsV1.deployments, opts.name);
      await synced([informer], signal);
      return checkDeployment(informer.get({ namespace, name: opts.name }), opts.name, namespace);
    },
  };
}

/** The ManagedResource `name` in the shoot namespace is healthy (Gardener's `CheckManagedResource`). */
export function managedResourceCheck(opts: {
  conditionType: string;
  informers: InformerFactory;
  name: string;
  progressingThresholdMs?: number;
}): HealthCheck {
  let informer: Informer<KubeObject> | undefined;
  return {
    conditionType: opts.conditionType,
    name: `managed resource ${opts.name}`,
    async check({ namespace, signal }) {
      informer ??= byName<KubeObject>(opts.informers, ResourcesV1alpha1.managedResources, opts.name);
      await synced([informer], signal);
      return checkManagedResource(
        informer.get({ namespace, name: opts.name }),
        opts.name,
        namespace,
        opts.progressingThresholdMs,
      );
    },
  };
}
