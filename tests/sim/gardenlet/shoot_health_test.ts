import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import {
  shootConditions,
  shootConditionsChanged,
  type ShootObservation,
  withShootConditionTimes,
} from "../../../src/sim/gardenlet/shoot_health.ts";

const dep = (name: string, replicas: number, available: number) =>
  [name, { metadata: { name }, spec: { replicas }, status: { availableReplicas: available } } as KubeObject] as const;
const withConds = (name: string, conds: Record<string, string>) =>
  ({
    metadata: { name },
    status: { conditions: Object.entries(conds).map(([type, status]) => ({ type, status })) },
  }) as KubeObject;
const healthy: ShootObservation = {
  hibernated: false,
  deployments: new Map([
    dep("kube-apiserver", 1, 1),
    dep("kube-controller-manager", 1, 1),
    dep("machine-controller-manager", 1, 1),
  ]),
  controlPlane: withConds("cp", { ControlPlaneHealthy: "True" }),
  worker: withConds("w", { EveryNodeReady: "True" }),
  managedResources: [
    withConds("mr", { ResourcesApplied: "True", ResourcesHealthy: "True", ResourcesProgressing: "False" }),
  ],
};
const summary = (o: ShootObservation) => shootConditions(o).map((c) => `${c.type}=${c.status}:${c.reason}`);

Deno.test("shootConditions: all True from healthy components, the Worker's and the ControlPlane's conditions and the MRs", () => {
  assert.deepEqual(summary(healthy), [
    "APIServerAvailable=True:HealthzRequestSucceeded",
    "ControlPlaneHealthy=True:ControlPlaneRunning",
    "EveryNodeReady=True:EveryNodeReady",
    "SystemComponentsHealthy=True:SystemComponentsRunning",
  ]);
});

Deno.test("shootConditions: each source turns its condition False, naming it", () => {
  const noKas = { ...healthy, deployments: new Map([...healthy.deployments, dep("kube-apiserver", 1, 0)]) };
  assert.deepEqual(summary(noKas).slice(0, 2), [
    "APIServerAvailable=False:HealthzRequestFailed",
    "ControlPlaneHealthy=False:DeploymentUnhealthy",
  ]);
  const cpSick = { ...healthy, controlPlane: withConds("cp", { ControlPlaneHealthy: "False" }) };
  assert.equal(summary(cpSick)[1].split(":")[0], "ControlPlaneHealthy=False");
  const nodes = { ...healthy, worker: withConds("w", { EveryNodeReady: "False" }) };
  assert.equal(summary(nodes)[2].split(":")[0], "EveryNodeReady=False");
  const mr = {
    ...healthy,
    managedResources: [withConds("mr", { ResourcesApplied: "True", ResourcesHealthy: "False" })],
  };
  const sys = shootConditions(mr)[3];
  assert.equal(sys.status, "False");
  assert.match(sys.message, /ManagedResource mr: ResourcesHealthy is False/);
});

Deno.test("shootConditions: a hibernated shoot is not checked (every condition True, ConditionNotChecked)", () => {
  const asleep = { ...healthy, hibernated: true, deployments: new Map([dep("kube-apiserver", 0, 0)]) };
  for (const c of shootConditions(asleep)) assert.deepEqual([c.status, c.reason], ["True", "ConditionNotChecked"]);
});

Deno.test("withShootConditionTimes: an unchanged pass keeps the times and is no change", () => {
  const first = withShootConditionTimes(undefined, shootConditions(healthy), "t1");
  const again = withShootConditionTimes(first, shootConditions(healthy), "t2");
  assert.deepEqual(again, first);
  assert.equal(shootConditionsChanged(first, again), false);
});
