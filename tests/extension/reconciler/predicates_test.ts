/** Which events start a reconcile: Gardener's default predicates, ignore-operation-annotation mode, type/class/failed. */
import assert from "node:assert/strict";
import { extensionPredicates, operationAnnotationPredicate } from "../../../src/extension/reconciler/predicates.ts";
import { passes } from "../../../src/k8s/controller/predicates.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";

interface Opts {
  op?: string;
  deleting?: boolean;
  state?: string;
  type?: string;
  class?: string;
  generation?: number;
  namespace?: string;
  status?: Record<string, unknown>;
}

function obj(o: Opts = {}): KubeObject {
  return {
    metadata: {
      name: "x",
      namespace: o.namespace ?? "shoot--a--b",
      generation: o.generation ?? 1,
      annotations: o.op ? { "gardener.cloud/operation": o.op } : {},
      ...(o.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
    spec: { type: o.type ?? "equinixmetal", ...(o.class !== undefined ? { class: o.class } : {}) },
    status: o.status ??
      (o.state
        ? { lastOperation: { state: o.state, type: "Reconcile", progress: 1, description: "", lastUpdateTime: "" } }
        : {}),
  } as KubeObject;
}

const failed = new Set(["shoot--failed--x"]);
const preds = (ignore = false, classes: string[] = []) => [
  extensionPredicates({
    type: "equinixmetal",
    classes,
    ignoreOperationAnnotation: ignore,
    isShootFailed: (ns) => failed.has(ns),
  }),
];
const create = (o: KubeObject, ignore = false, classes: string[] = []) =>
  passes(preds(ignore, classes), { type: "create", obj: o });
const update = (a: KubeObject, b: KubeObject, ignore = false) =>
  passes(preds(ignore), { type: "update", oldObj: a, obj: b });
const del = (o: KubeObject, ignore = false) => passes(preds(ignore), { type: "delete", obj: o });

Deno.test("create (and the initial list): operation annotation, deletion, or lastOperation missing / not Succeeded", () => {
  for (const op of ["reconcile", "restore", "migrate"]) assert.equal(create(obj({ op, state: "Succeeded" })), true, op);
  assert.equal(create(obj({ op: "wait-for-state", state: "Succeeded" })), false);
  assert.equal(create(obj({ deleting: true, state: "Succeeded" })), true);
  assert.equal(create(obj({})), true, "no lastOperation: retry after a restart");
  assert.equal(create(obj({ state: "Error" })), true);
  assert.equal(create(obj({ state: "Processing" })), true);
  assert.equal(create(obj({ state: "Succeeded" })), false);
});

Deno.test("update: the annotation, or a deletion with unchanged status; our own status writes never trigger", () => {
  const base = obj({ state: "Succeeded" });
  assert.equal(update(base, obj({ op: "reconcile", state: "Succeeded" })), true);
  assert.equal(
    update(base, obj({ state: "Succeeded", generation: 2 })),
    false,
    "spec change alone: gardenlet annotates",
  );
  assert.equal(update(obj({ state: "Processing" }), obj({ state: "Succeeded" })), false, "status write");
  assert.equal(update(base, obj({ deleting: true, state: "Succeeded" })), true, "deletion requested");
  assert.equal(
    update(obj({ deleting: true, state: "Processing" }), obj({ deleting: true, state: "Succeeded" })),
    false,
  );
});

Deno.test("delete events never trigger (the finalizer makes deletion an update)", () => {
  assert.equal(del(obj({ op: "reconcile" })), false);
});

Deno.test("type, class and failed shoots filter every event", () => {
  assert.equal(create(obj({ type: "aws" })), false);
  assert.equal(create(obj({ class: "seed" })), false, "unset classes mean shoot");
  assert.equal(create(obj({ class: "shoot" })), true);
  assert.equal(create(obj({ class: "seed" }), false, ["seed"]), true);
  assert.equal(create(obj({}), false, ["seed"]), false, "an unset spec.class is shoot");
  assert.equal(create(obj({ op: "reconcile", namespace: "shoot--failed--x" })), false);
  assert.equal(create(obj({ op: "reconcile", namespace: "shoot--failed--x" }), true), false);
});

Deno.test("ignore-operation-annotation: creates, spec changes and deletions; not annotation-only changes", () => {
  const base = obj({ state: "Succeeded" });
  assert.equal(create(base, true), true);
  assert.equal(update(base, obj({ state: "Succeeded", generation: 2 }), true), true);
  assert.equal(update(base, obj({ op: "reconcile", state: "Succeeded" }), true), false);
  assert.equal(update(base, obj({ state: "Succeeded", deleting: true }), true), true);
  assert.equal(del(base, true), true);
});

Deno.test("update: a status-only change while the same request is pending is not a new request", () => {
  const p = operationAnnotationPredicate();
  const pending = (generation: number, timestamp: string, state: string) =>
    ({
      metadata: {
        name: "a",
        generation,
        annotations: { "gardener.cloud/operation": "reconcile", "gardener.cloud/timestamp": timestamp },
      },
      status: { lastOperation: { state } },
    }) as unknown as KubeObject;
  const a = pending(2, "2026-11-21T10:00:00Z", "Succeeded");
  assert.equal(p.update!(a, pending(2, "2026-11-21T10:00:00Z", "Processing")), false, "our Processing write");
  assert.equal(p.update!(a, pending(2, "2026-11-21T10:00:05Z", "Processing")), true, "a new timestamp: a new request");
  assert.equal(p.update!(a, pending(3, "2026-11-21T10:00:00Z", "Succeeded")), true, "a spec change");
  const none = { metadata: { name: "a", generation: 2 } } as KubeObject;
  assert.equal(p.update!(none, pending(2, "2026-11-21T10:00:00Z", "Succeeded")), true, "the annotation appears");
});
