/**
 * SIMULATION of gardenlet's care controller: the Shoot conditions it derives (pure), kept simple —
 * `APIServerAvailable` (kube-apiserver Deployment available), `ControlPlaneHealthy` (kube-apiserver,
 * kube-controller-manager and machine-controller-manager available, and the ControlPlane extension's
 * `ControlPlaneHealthy` condition not False), `EveryNodeReady` (the Worker's `EveryNodeReady` condition) and
 * `SystemComponentsHealthy` (every ManagedResource of the shoot namespace applied, healthy and not progressing).
 * `ObservabilityComponentsHealthy` is left out: the playground runs no monitoring stack. A hibernated shoot gets
 * every condition True with reason `ConditionNotChecked`, as gardenlet reports it.
 */
import type { KubeObject } from "../../k8s/api/objects.ts";
import { withConditionTimes } from "../kernel/mod.ts";

/** A Shoot condition as gardenlet writes it (times added by `withShootConditionTimes`). */
export interface ShootCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

/** The condition types this simulation derives, in gardenlet's order. */
export const SHOOT_CONDITION_TYPES = [
  "APIServerAvailable",
  "ControlPlaneHealthy",
  "EveryNodeReady",
  "SystemComponentsHealthy",
] as const;

type Cond = { type?: string; status?: string; reason?: string; message?: string };
type WithConditions = KubeObject & { status?: { conditions?: Cond[] } };

/** What the care controller observed about one shoot. */
export interface ShootObservation {
  hibernated: boolean;
  /** Control-plane Deployments of the shoot namespace, by name. */
  deployments: ReadonlyMap<string, KubeObject>;
  controlPlane?: KubeObject;
  worker?: KubeObject;
  managedResources: readonly KubeObject[];
}

/** Why a Deployment is not available (undefined once every wanted replica is). */
function unavailable(d: KubeObject | undefined): string | undefined {
  if (!d) return "not found";
  const dep = d as KubeObject & { spec?: { replicas?: number }; status?: { availableReplicas?: number } };
  const want = dep.spec?.replicas ?? 1;
  const have = dep.status?.availableReplicas ?? 0;
  return have < want || want === 0 ? `${have}/${want} replicas available` : undefined;
}

function cond(o: KubeObject | undefined, type: string): Cond | undefined {
  return (o as WithConditions | undefined)?.status?.conditions?.find((c) => c.type === type);
}

const ok = (type: string, reason: string, message: string): ShootCondition => ({
  type,
  status: "True",
  reason,
  message,
});
const bad = (type: string, reason: string, message: string): ShootCondition => ({
  type,
  status: "False",
  reason,
  message,
});

/** The Shoot conditions for an observation. */
export function shootConditions(obs: ShootObservation): ShootCondition[] {
  if (obs.hibernated) {
    return SHOOT_CONDITION_TYPES.map((t) => ok(t, "ConditionNotChecked", "Shoot cluster has been hibernated."));
  }
  const out: ShootCondition[] = [];
  const kas = unavailable(obs.deployments.get("kube-apiserver"));
  out.push(
    kas ? bad("APIServerAvailable", "HealthzRequestFailed", `kube-apiserver: ${kas}`) : ok(
      "APIServerAvailable",
      "HealthzRequestSucceeded",
      "API server /healthz endpoint responded with success status code.",
    ),
  );
  const components = ["kube-apiserver", "kube-controller-manager", "machine-controller-manager"];
  const down = components.map((n) => [n, unavailable(obs.deployments.get(n))] as const).find(([, p]) => p);
  const cpHealth = cond(obs.controlPlane, "ControlPlaneHealthy");
  if (down) {
    out.push(bad("ControlPlaneHealthy", "DeploymentUnhealthy", `Deployment "${down[0]}" is unhealthy: ${down[1]}`));
  } else if (!obs.controlPlane) out.push(bad("ControlPlaneHealthy", "ControlPlaneMissing", "No ControlPlane."));
  else if (cpHealth?.status === "False") {
    out.push(bad("ControlPlaneHealthy", cpHealth.reason ?? "ControlPlaneUnhealthy", cpHealth.message ?? ""));
  } else out.push(ok("ControlPlaneHealthy", "ControlPlaneRunning", "All control plane components are healthy."));
  const nodes = cond(obs.worker, "EveryNodeReady");
  out.push(
    nodes?.status === "True" ? ok("EveryNodeReady", "EveryNodeReady", "All nodes are ready.") : bad(
      "EveryNodeReady",
      nodes?.reason ?? "WorkerNotReporting",
      nodes?.message ?? "The Worker reports no EveryNodeReady condition yet.",
    ),
  );
  const sick = obs.managedResources.map((mr) => {
    for (const t of ["ResourcesApplied", "ResourcesHealthy"]) {
      const c = cond(mr, t);
      if (c?.status !== "True") return `ManagedResource ${mr.metadata.name}: ${t} is ${c?.status ?? "missing"}`;
    }
    if (cond(mr, "ResourcesProgressing")?.status === "True") {
      return `ManagedResource ${mr.metadata.name} is progressing`;
    }
    return undefined;
  }).find((p) => p);
  out.push(
    sick
      ? bad("SystemComponentsHealthy", "ManagedResourceUnhealthy", sick)
      : ok("SystemComponentsHealthy", "SystemComponentsRunning", "All system components are healthy."),
  );
  return out;
}

/** `next` with times kept where the status (transition) or also reason and message (update) are unchanged. */
export function withShootConditionTimes(
  previous: readonly ShootCondition[] | undefined,
  next: readonly ShootCondition[],
  now: string,
): ShootCondition[] {
  return withConditionTimes(previous, next, now);
}

/** True when the conditions differ other than in their times. */
export function shootConditionsChanged(
  a: readonly ShootCondition[] | undefined,
  b: readonly ShootCondition[],
): boolean {
  const strip = (l: readonly ShootCondition[] | undefined) =>
    JSON.stringify((l ?? []).map((c) => [c.type, c.status, c.reason, c.message]));
  return strip(a) !== strip(b);
}
