import assert from "node:assert/strict";
import { brotliCompressSync } from "node:zlib";
import {
  desiredObject,
  type ManagedResource,
  mrConditions,
  objectsOfSecretData,
  objectUpdate,
  resourceTypeOf,
  statusChanged,
  withConditionTimes,
} from "../../../src/sim/resourcemanager/managed_objects.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { encodeBase64 } from "../../../src/runtime/base64.ts";

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: kube-system\n`;

Deno.test("objectsOfSecretData: every key, multi-document YAML, .br keys Brotli-compressed, empty documents skipped", () => {
  const objs = objectsOfSecretData({
    "b.yaml": encodeBase64(`${cm("b1")}---\n${cm("b2")}---\n`),
    "a.yaml.br": encodeBase64(new Uint8Array(brotliCompressSync(new TextEncoder().encode(cm("a"))))),
  });
  assert.deepEqual(objs.map((o) => o.metadata.name), ["a", "b1", "b2"]);
});

Deno.test("desiredObject: injected labels, managed-by label and origin annotation", () => {
  const mr: ManagedResource = {
    metadata: { name: "extension-controlplane-shoot", namespace: "shoot--p--s" },
    spec: { injectLabels: { "shoot.gardener.cloud/no-cleanup": "true" } },
  };
  const o = desiredObject(mr, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", labels: { a: "b" } } });
  assert.deepEqual(o.metadata.labels, {
    a: "b",
    "shoot.gardener.cloud/no-cleanup": "true",
    "resources.gardener.cloud/managed-by": "gardener",
  });
  assert.equal(
    o.metadata.annotations?.["resources.gardener.cloud/origin"],
    "seed:shoot--p--s/extension-controlplane-shoot",
  );
});

Deno.test("objectUpdate: nothing when the target has it (extra labels and server fields kept), a merge when it lacks it", () => {
  const want = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", labels: { a: "b" } }, data: { k: "v" } };
  const current = {
    ...want,
    metadata: { name: "x", labels: { a: "b", other: "1" }, resourceVersion: "7", uid: "u" },
  };
  assert.equal(objectUpdate(current, want), undefined);
  const changed = objectUpdate(current, { ...want, data: { k: "w" } } as KubeObject) as KubeObject & { data?: unknown };
  assert.deepEqual(changed.data, { k: "w" });
  assert.equal(changed.metadata.resourceVersion, "7");
  assert.equal(changed.metadata.labels?.other, "1");
  assert.ok(objectUpdate(current, { ...want, metadata: { name: "x", labels: { a: "c" } } }));
});

Deno.test("resourceTypeOf: built-in and monitoring kinds; unknown kinds undefined", () => {
  assert.equal(resourceTypeOf("apps/v1", "Deployment")?.resource, "deployments");
  assert.equal(resourceTypeOf("monitoring.coreos.com/v1", "ServiceMonitor")?.resource, "servicemonitors");
  assert.equal(resourceTypeOf("rbac.authorization.k8s.io/v1", "ClusterRole")?.namespaced, false);
  assert.equal(resourceTypeOf("example.com/v1", "Thing"), undefined);
});

Deno.test("mrConditions: applied and healthy; unhealthy Deployment progressing; apply failure leaves health Unknown", () => {
  const ok = mrConditions({ unhealthy: [] });
  assert.deepEqual(ok.map((c) => [c.type, c.status, c.reason]), [
    ["ResourcesApplied", "True", "ApplySucceeded"],
    ["ResourcesHealthy", "True", "ResourcesHealthy"],
    ["ResourcesProgressing", "False", "ResourcesRolledOut"],
  ]);
  const rolling = mrConditions({
    unhealthy: [{ kind: "Deployment", key: "ns/ccm", problem: "0 of 1 replicas available" }],
  });
  assert.deepEqual(rolling.map((c) => [c.type, c.status, c.reason]), [
    ["ResourcesApplied", "True", "ApplySucceeded"],
    ["ResourcesHealthy", "False", "DeploymentUnhealthy"],
    ["ResourcesProgressing", "True", "DeploymentProgressing"],
  ]);
  assert.match(rolling[1].message, /Deployment "ns\/ccm" is unhealthy: 0 of 1 replicas available/);
  const failed = mrConditions({ applyError: 'Secret "ns/s" not found', unhealthy: [] });
  assert.deepEqual(failed.map((c) => c.status), ["False", "Unknown", "Unknown"]);
});

Deno.test("withConditionTimes/statusChanged: times move only on changes; a pass with the same outcome is no change", () => {
  const first = withConditionTimes(undefined, mrConditions({ unhealthy: [] }), "t1");
  const again = withConditionTimes(first, mrConditions({ unhealthy: [] }), "t2");
  assert.deepEqual(again, first);
  assert.equal(statusChanged({ conditions: first }, { conditions: again }), false);
  const worse = withConditionTimes(
    first,
    mrConditions({ unhealthy: [{ kind: "Deployment", key: "a/b", problem: "p" }] }),
    "t3",
  );
  assert.equal(worse[0].lastTransitionTime, "t1", "Applied unchanged");
  assert.equal(worse[1].lastTransitionTime, "t3");
  assert.equal(statusChanged({ conditions: first }, { conditions: worse }), true);
});
