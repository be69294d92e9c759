/**
 * newExtensionController with informers against the fake API server: gardenlet's annotation triggers work, our own
 * status writes do not, failures are retried with backoff without a new annotation, the initial list picks up
 * unfinished objects, and --ignore-operation-annotation reacts to spec and Cluster changes instead.
 */
import assert from "node:assert/strict";
import { newExtensionController } from "../../../src/extension/reconciler/controller.ts";
import { INFRASTRUCTURE } from "../../../src/extension/reconciler/kinds.ts";
import { InformerFactory } from "../../../src/k8s/cache/informer.ts";
import { ExtensionsV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { decodeInfrastructure, type Infrastructure } from "../../../src/apis/extensions/v1alpha1.ts";
import { MetalServerError } from "../../../src/metal/errors.ts";
import { realClock } from "../../../src/runtime/clock.ts";
import { eventually } from "../../support/eventually.ts";
import { ExtensionHarness, infrastructureObject, NAME, NS, readinessProblems } from "./harness.ts";
import { TestActuator } from "./test_actuator.ts";

async function run(
  opts: { ignoreOperationAnnotation?: boolean; before?: (h: ExtensionHarness) => Promise<void> } = {},
) {
  const h = await ExtensionHarness.start();
  await opts.before?.(h);
  const actuator = new TestActuator();
  const informers = new InformerFactory(h.client);
  const ctrl = newExtensionController<Infrastructure>({
    kind: INFRASTRUCTURE,
    actuator,
    client: h.client,
    informers,
    decode: (raw, object) => decodeInfrastructure(raw, { object }),
    ignoreOperationAnnotation: opts.ignoreOperationAnnotation,
    rateLimiter: { baseDelayMs: 5, maxDelayMs: 50 },
    clock: realClock,
  });
  const stop = new AbortController();
  informers.start(stop.signal);
  const done = ctrl.start(stop.signal);
  await ctrl.informer.waitForSync();
  const close = async () => {
    stop.abort();
    await done;
    await informers.stopped();
    await h.close();
  };
  return { h, actuator, close };
}

const ready = (h: ExtensionHarness) => async () => readinessProblems(await h.getInfrastructure()).length === 0;
/** Lets events that would wrongly trigger a reconcile arrive and be processed. */
const settle = () => new Promise((r) => setTimeout(r, 300));

Deno.test("controller: gardenlet's annotation triggers one reconcile; our own writes do not trigger another", async () => {
  const { h, actuator, close } = await run();
  try {
    const obj = infrastructureObject();
    obj.metadata.annotations = { "gardener.cloud/operation": "reconcile" };
    await h.createInfrastructure(obj);
    await eventually(ready(h), { description: "Infrastructure ready" });
    await settle();
    assert.deepEqual(actuator.methods(), ["reconcile"]);

    // A spec change without the annotation is not picked up (gardenlet always annotates).
    await h.client.patch(ExtensionsV1alpha1.infrastructures, NAME, { spec: { region: "da" } }, "merge", {
      namespace: NS,
    });
    await settle();
    assert.deepEqual(actuator.methods(), ["reconcile"]);
    await h.annotate("reconcile");
    await eventually(ready(h), { description: "generation 2 ready" });
    assert.deepEqual(actuator.methods(), ["reconcile", "reconcile"]);

    await h.deleteInfrastructure();
    await eventually(() => h.getInfrastructure().then(() => false, () => true), { description: "object gone" });
    assert.deepEqual(actuator.methods(), ["reconcile", "reconcile", "delete"]);
  } finally {
    await close();
  }
});

Deno.test("controller: a failure is retried with backoff without a new annotation", async () => {
  const { h, actuator, close } = await run();
  try {
    let failures = 2;
    actuator.always.reconcile = () =>
      failures-- > 0
        ? Promise.reject(new MetalServerError({ status: 503, messages: ["down"], method: "GET", path: "/x" }))
        : Promise.resolve();
    const obj = infrastructureObject();
    obj.metadata.annotations = { "gardener.cloud/operation": "reconcile" };
    await h.createInfrastructure(obj);
    await eventually(ready(h), { description: "ready after retries" });
    await settle();
    assert.deepEqual(actuator.methods(), ["reconcile", "reconcile", "reconcile"]);
  } finally {
    await close();
  }
});

Deno.test("controller: at start, unfinished objects are picked up; finished ones are not", async () => {
  const { h, actuator, close } = await run({
    before: async (h) => {
      const done = infrastructureObject();
      done.metadata.name = "done";
      await h.createInfrastructure(done);
      await h.patchStatus({
        observedGeneration: 1,
        lastOperation: {
          type: "Reconcile",
          state: "Succeeded",
          progress: 100,
          description: "ok",
          lastUpdateTime: "2026-01-01T00:00:00Z",
        },
      }, "done");
      await h.createInfrastructure(); // no lastOperation: an earlier run may have crashed
    },
  });
  try {
    await eventually(ready(h), { description: "unfinished object reconciled" });
    await settle();
    assert.deepEqual(actuator.calls.map((c) => c.stored.metadata.name), [NAME]);
  } finally {
    await close();
  }
});

Deno.test("controller with --ignore-operation-annotation: creates, spec changes and Cluster changes reconcile", async () => {
  const { h, actuator, close } = await run({ ignoreOperationAnnotation: true });
  try {
    await h.createInfrastructure();
    await eventually(ready(h), { description: "reconciled without annotation" });
    await h.client.patch(ExtensionsV1alpha1.infrastructures, NAME, { spec: { region: "da" } }, "merge", {
      namespace: NS,
    });
    await eventually(async () => (await h.getInfrastructure()).status?.observedGeneration === 2);
    const n = actuator.calls.length;
    await h.updateCluster({ "example.com/changed": "yes" });
    await eventually(() => actuator.calls.length > n, { description: "Cluster change mapped to the object" });
    assert.equal(actuator.calls.at(-1)?.cluster.shoot.metadata?.annotations?.["example.com/changed"], "yes");
  } finally {
    await close();
  }
});
