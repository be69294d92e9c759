import assert from "node:assert/strict";
import { nodeTemplatePatch, virtualCapacityPatch } from "../../../../src/mcm/controller/nodes/node_template_sync.ts";
import type { Node } from "../../../../src/k8s/api/builtin_types.ts";
import { conditions, machine, node } from "../fixtures.ts";

const ALT = "node.machine.sapcloud.io/last-applied-anno-labels-taints";

/** RFC 7386, as the API server applies our patches. */
function merge(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = typeof target === "object" && target !== null && !Array.isArray(target)
    ? { ...(target as Record<string, unknown>) }
    : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

function apply(n: Node, patch: unknown): Node {
  return merge(n, patch) as Node;
}

Deno.test("node template: labels, annotations, taints and the machine-name label are applied", () => {
  const m = machine("m1", {
    spec: {
      nodeTemplate: {
        metadata: { labels: { pool: "a" }, annotations: { note: "x" } },
        spec: { taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] },
      },
    },
  });
  const n = node("m1", conditions(), { spec: { taints: [{ key: "other", effect: "NoExecute" }] } });
  const { patch } = nodeTemplatePatch(m, n);
  const next = apply(n, patch);
  assert.equal(next.metadata.labels?.pool, "a");
  assert.equal(next.metadata.labels?.["node.gardener.cloud/machine-name"], "m1");
  assert.equal(next.metadata.annotations?.note, "x");
  assert.deepEqual(next.spec?.taints?.map((t) => t.key).sort(), ["dedicated", "other"]);
  assert.ok(next.metadata.annotations?.[ALT]);
  assert.equal(nodeTemplatePatch(m, next).patch, undefined, "in sync → no write");
});

Deno.test("node template: entries removed from the template are removed from the node, others untouched", () => {
  const m = machine("m1", {
    spec: {
      nodeTemplate: {
        metadata: { labels: { pool: "a", zone: "1" } },
        spec: { taints: [{ key: "t", effect: "NoSchedule" }] },
      },
    },
  });
  let n = apply(node("m1", conditions()), nodeTemplatePatch(m, node("m1", conditions())).patch);
  n = apply(n, { metadata: { labels: { foreign: "keep" } } });
  const m2 = machine("m1", { spec: { nodeTemplate: { metadata: { labels: { pool: "b" } } } } });
  const next = apply(n, nodeTemplatePatch(m2, n).patch);
  assert.deepEqual(next.metadata.labels, { pool: "b", "node.gardener.cloud/machine-name": "m1", foreign: "keep" });
  assert.deepEqual(next.spec?.taints, []);
});

Deno.test("node template: a corrupt last-applied annotation is reported and overwritten", () => {
  const n = node("m1", conditions(), { metadata: { name: "m1", annotations: { [ALT]: "{not json" } } });
  const r = nodeTemplatePatch(machine("m1"), n);
  assert.match(r.problem!, /not JSON/);
  assert.ok(r.patch?.metadata.annotations?.[ALT]);
});

Deno.test("virtual capacity goes to node status and is tracked", () => {
  const n = node("m1", conditions(), { status: { capacity: { cpu: "4" } } });
  const p = virtualCapacityPatch({ "hana.example/mem": "1Ti" }, n)!;
  assert.deepEqual(p.status, { capacity: { "hana.example/mem": "1Ti" } });
  assert.equal(p.annotation, JSON.stringify({ "hana.example/mem": "1Ti" }));
  const synced = {
    ...n,
    metadata: {
      ...n.metadata,
      annotations: { "node.machine.sapcloud.io/last-applied-virtual-capacity": p.annotation! },
    },
    status: { capacity: { cpu: "4", "hana.example/mem": "1Ti" } },
  };
  assert.equal(virtualCapacityPatch({ "hana.example/mem": "1Ti" }, synced), undefined);
  assert.deepEqual(virtualCapacityPatch(undefined, synced)?.status, { capacity: { "hana.example/mem": null } });
  assert.equal(virtualCapacityPatch(undefined, n), undefined);
});

Deno.test("virtual capacity compares values: the API server's canonical form (1k for 1000, 1Gi for 1024Mi) is in sync", () => {
  const desired = { "example.com/slots": "1000", "example.com/mem": "1024Mi", "example.com/n": 3 };
  const applied = JSON.stringify({ "example.com/slots": "1000", "example.com/mem": "1024Mi", "example.com/n": "3" });
  const n = node("m1", conditions(), {
    metadata: { name: "m1", annotations: { "node.machine.sapcloud.io/last-applied-virtual-capacity": applied } },
    status: { capacity: { "example.com/slots": "1k", "example.com/mem": "1Gi", "example.com/n": "3" } },
  });
  assert.equal(virtualCapacityPatch(desired, n), undefined, "no patch for equal values");
  const changed = virtualCapacityPatch({ ...desired, "example.com/slots": "1001" }, n);
  assert.deepEqual(changed?.status, { capacity: { "example.com/slots": "1001" } }, "a different value is patched");
});

Deno.test("node template: the node finalizer is added in the same patch, guarded by the resourceVersion", () => {
  const n = node("m1", conditions(), { metadata: { name: "m1", resourceVersion: "42", finalizers: ["other/keep"] } });
  const { patch } = nodeTemplatePatch(machine("m1"), n, "node.machine.sapcloud.io/machine-controller");
  assert.deepEqual(patch?.metadata.finalizers, ["other/keep", "node.machine.sapcloud.io/machine-controller"]);
  assert.equal(patch?.metadata.resourceVersion, "42");
  const synced = apply(n, patch);
  assert.equal(
    nodeTemplatePatch(machine("m1"), synced, "node.machine.sapcloud.io/machine-controller").patch,
    undefined,
  );
});
