/** Pure parts of the generic ControlPlane logic: MR rendering and health, the projection compare-before-write uses. */
import * as assert from "node:assert/strict";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import {
  managedResourceProblem,
  projectOnto,
  renderManagedResource,
  secretChecksum,
  serializeManifests,
} from "../../../src/extension/genericcontrolplane/mod.ts";

const cm = (name: string, ns = "kube-system") =>
  ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns } }) as KubeObject;

Deno.test("managed resource: manifests sorted as Gardener sorts them; a seed MR gets no no-cleanup label", () => {
  const text = serializeManifests([cm("b"), cm("a"), { ...cm("x:y"), kind: "ClusterRole" } as KubeObject]);
  const names = [...text.matchAll(/name: (\S+)/g)].map((m) => m[1]);
  assert.deepEqual(names, ["x:y", "a", "b"]);
  const seed = renderManagedResource({ name: "m", namespace: "ns", objects: [], class: "seed" });
  assert.equal((seed.managedResource as unknown as { spec: { injectLabels?: unknown } }).spec.injectLabels, undefined);
  const shoot = renderManagedResource({ name: "m", namespace: "ns", objects: [] });
  assert.deepEqual((shoot.managedResource as unknown as { spec: { injectLabels?: unknown } }).spec.injectLabels, {
    "shoot.gardener.cloud/no-cleanup": "true",
  });
});

Deno.test("managed resource: healthy only when applied, healthy, not progressing, for the current generation", () => {
  const mr = (generation: number, observed: number, healthy: string, progressing: string) =>
    ({
      metadata: { name: "m", generation },
      status: {
        observedGeneration: observed,
        conditions: [
          { type: "ResourcesApplied", status: "True" },
          { type: "ResourcesHealthy", status: healthy, message: "pod crashing" },
          { type: "ResourcesProgressing", status: progressing, message: "rolling" },
        ],
      },
    }) as unknown as KubeObject;
  assert.equal(managedResourceProblem(mr(2, 2, "True", "False")), undefined);
  assert.match(managedResourceProblem(mr(2, 1, "True", "False"))!, /observed generation 1 is not 2/);
  assert.match(managedResourceProblem(mr(2, 2, "False", "False"))!, /ResourcesHealthy is False: pod crashing/);
  assert.match(managedResourceProblem(mr(2, 2, "True", "True"))!, /ResourcesProgressing is True: rolling/);
});

Deno.test("projection: only the rendered keys of the stored object, lists element-wise when lengths match", () => {
  const stored = {
    metadata: { labels: { a: "1", other: "x" } },
    spec: { containers: [{ name: "c", image: "i", terminationMessagePath: "/dev/termination-log" }], extra: 1 },
  };
  const desired = { metadata: { labels: { a: "1" } }, spec: { containers: [{ name: "c", image: "i" }] } };
  assert.deepEqual(projectOnto(stored, desired), desired);
  // A list of another length is compared whole (a container added or removed is a change).
  const two = { spec: { containers: [{ name: "c" }, { name: "d" }] } };
  assert.deepEqual(projectOnto(stored, two), { spec: { containers: stored.spec.containers } });
});

Deno.test("checksum: Gardener's secret checksum does not depend on key order", () => {
  assert.equal(secretChecksum({ b: "Mg==", a: "MQ==" }), secretChecksum({ a: "MQ==", b: "Mg==" }));
  assert.notEqual(secretChecksum({ a: "MQ==" }), secretChecksum({ a: "Mg==" }));
  assert.match(secretChecksum(undefined), /^[0-9a-f]{64}$/);
});
