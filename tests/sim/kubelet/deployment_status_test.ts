import assert from "node:assert/strict";
import { availableStatus, type SimDeployment } from "../../../src/sim/kubelet/mod.ts";

const dep = (replicas: number | undefined, generation = 1): SimDeployment => ({
  metadata: { name: "cloud-controller-manager", namespace: "shoot--p--s", generation },
  spec: replicas === undefined ? {} : { replicas },
});

Deno.test("availableStatus: every replica updated, ready and available; unset replicas is 1; then nothing to write", () => {
  const d = dep(undefined);
  const st = availableStatus(d, "t1")!;
  assert.equal(st.observedGeneration, 1);
  assert.deepEqual([st.replicas, st.updatedReplicas, st.readyReplicas, st.availableReplicas], [1, 1, 1, 1]);
  assert.deepEqual(st.conditions?.map((c) => [c.type, c.status]), [["Available", "True"], ["Progressing", "True"]]);
  assert.equal(availableStatus({ ...d, status: st }, "t2"), undefined);
});

Deno.test("availableStatus: scale to 0 and a new generation are written; Available keeps its transition time", () => {
  const st = availableStatus(dep(2), "t1")!;
  const zero = availableStatus({ ...dep(0, 2), status: st }, "t2")!;
  assert.deepEqual([zero.observedGeneration, zero.replicas, zero.availableReplicas], [2, 0, 0]);
  assert.equal(zero.conditions?.[0].lastTransitionTime, "t1");
  assert.equal(availableStatus({ ...dep(0, 2), status: zero }, "t3"), undefined);
});
