/** Pure update rules: generation, status separation, no-op detection, finalizers. */
import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import {
  addedFinalizers,
  generationChanged,
  jsonEqual,
  meaningfulChange,
  mergeMainWrite,
  mergeStatusWrite,
} from "../../../src/sim/apiserver/update_rules.ts";

const base = {
  apiVersion: "x/v1",
  kind: "X",
  metadata: { name: "a", uid: "u1", generation: 3, resourceVersion: "10", creationTimestamp: "t0" },
  spec: { a: 1 },
  status: { ok: true },
} as KubeObject;

Deno.test("generation follows spec changes; status counts only when it is not a subresource", () => {
  assert.equal(generationChanged(base, { ...base, metadata: { ...base.metadata, labels: { a: "b" } } }, true), false);
  assert.equal(generationChanged(base, { ...base, spec: { a: 2 } } as KubeObject, true), true);
  assert.equal(generationChanged(base, { ...base, status: { ok: false } } as KubeObject, true), false);
  assert.equal(generationChanged(base, { ...base, status: { ok: false } } as KubeObject, false), true);
  assert.equal(generationChanged(base, { ...base, data: { x: "1" } } as KubeObject, false), true);
});

Deno.test("main writes keep the stored status and system metadata; status writes take only status", () => {
  const submitted = {
    ...base,
    metadata: { name: "a", uid: "forged", generation: 99, creationTimestamp: "t9", labels: { l: "v" } },
    spec: { a: 2 },
    status: { ok: false },
  } as KubeObject;
  const main = mergeMainWrite(base, submitted, true) as KubeObject & { spec: unknown; status: unknown };
  assert.deepEqual(main.status, { ok: true });
  assert.deepEqual(main.spec, { a: 2 });
  assert.equal(main.metadata.uid, "u1");
  assert.equal(main.metadata.generation, 3);
  assert.equal(main.metadata.creationTimestamp, "t0");
  assert.deepEqual(main.metadata.labels, { l: "v" });
  const status = mergeStatusWrite(base, submitted) as KubeObject & { spec: unknown; status: unknown };
  assert.deepEqual(status.spec, { a: 1 });
  assert.deepEqual(status.status, { ok: false });
  assert.equal(status.metadata.labels, undefined);
});

Deno.test("no-op detection ignores resourceVersion and managedFields; key order does not matter", () => {
  assert.equal(meaningfulChange(base, { ...base, metadata: { ...base.metadata, resourceVersion: "11" } }), false);
  assert.equal(meaningfulChange(base, { ...base, spec: { a: 1, b: 2 } } as KubeObject), true);
  assert.equal(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }), true);
  assert.equal(jsonEqual({ a: 1 }, { a: 1, b: undefined }), true);
  assert.equal(jsonEqual([1, 2], [2, 1]), false);
});

Deno.test("added finalizers are reported", () => {
  const withF = { ...base, metadata: { ...base.metadata, finalizers: ["a", "b"] } };
  assert.deepEqual(addedFinalizers(withF, { ...base, metadata: { ...base.metadata, finalizers: ["b", "c"] } }), ["c"]);
  assert.deepEqual(addedFinalizers(withF, { ...base, metadata: { ...base.metadata, finalizers: ["a"] } }), []);
});
