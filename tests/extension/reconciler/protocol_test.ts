/**
 * Gardener's extension protocol end to end against the fake API server with the real CRDs, driven as gardenlet drives
 * it, with a trivial actuator: after every operation the object must pass gardenlet's readiness check (or show the
 * error with its codes), the operation annotation must go at the right moment, the finalizer must be right, and the
 * status must validate against the CRD.
 */
import assert from "node:assert/strict";
import { ExtensionReconciler } from "../../../src/extension/reconciler/extension_reconcile.ts";
import { INFRASTRUCTURE } from "../../../src/extension/reconciler/kinds.ts";
import { ConfigurationError } from "../../../src/extension/reconciler/error_codes.ts";
import { decodeInfrastructure, type Infrastructure } from "../../../src/apis/extensions/v1alpha1.ts";
import { getLogger } from "../../../src/observability/log.ts";
import { MetalUnauthenticatedError } from "../../../src/metal/errors.ts";
import { ForbiddenError, statusBody } from "../../../src/k8s/api/errors.ts";
import { EventRecorder } from "../../../src/k8s/controller/events.ts";
import { CoreV1 } from "../../../src/k8s/api/resources.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { ExtensionHarness, infrastructureObject, KEY_2, NAME, NS, readinessProblems } from "./harness.ts";
import { FieldValidationError, invalid } from "../../../src/apis/decode.ts";
import { TestActuator } from "./test_actuator.ts";
import { operationAnnotationPredicate } from "../../../src/extension/reconciler/predicates.ts";

const FINALIZER = "extensions.gardener.cloud/infrastructure";

async function setup(opts: { shootFailed?: boolean } = {}) {
  const h = await ExtensionHarness.start(opts);
  const actuator = new TestActuator();
  const recorder = new EventRecorder(h.client, { component: "infrastructure_controller", clock: h.clock });
  const reconciler = new ExtensionReconciler<Infrastructure>({
    kind: INFRASTRUCTURE,
    actuator,
    client: h.client,
    decode: (raw, object) => decodeInfrastructure(raw, { object }),
    recorder,
    clock: h.clock,
  });
  const reconcile = () =>
    reconciler.reconcile({ namespace: NS, name: NAME }, { signal: new AbortController().signal, log: getLogger("t") });
  const close = async () => {
    await recorder.flush();
    await h.close();
  };
  return { h, actuator, reconcile, recorder, close };
}

function assertReady(obj: Infrastructure): void {
  assert.deepEqual(readinessProblems(obj), [], "gardenlet would not consider the object ready");
  assertValidAgainstCrd(obj);
}

Deno.test("create: annotation removed before work (after Processing is recorded), finalizer first, Processing then Create/Succeeded; ready for gardenlet", async () => {
  const { h, actuator, reconcile, recorder, close } = await setup();
  try {
    await h.createInfrastructure();
    await h.annotate("reconcile");
    await h.clock.advance(1500);
    actuator.next.reconcile = () => Promise.resolve({ status: { providerStatus: { apiVersion: "x/v1", kind: "S" } } });
    await reconcile();

    assert.deepEqual(actuator.methods(), ["reconcile"]);
    const during = actuator.calls[0].stored;
    assert.equal(during.metadata.annotations?.["gardener.cloud/operation"], undefined, "removed before the work");
    assert.ok(during.metadata.finalizers?.includes(FINALIZER), "finalizer added before the work");
    assert.equal(during.status?.lastOperation?.state, "Processing");
    assert.equal(during.status?.lastOperation?.type, "Create");
    assert.equal(during.status?.lastOperation?.progress, 1);
    assert.equal(during.status?.lastOperation?.description, "Reconciling the infrastructure");
    assert.equal(during.status?.observedGeneration, undefined, "Processing does not touch observedGeneration");
    assert.equal(actuator.calls[0].cluster.shoot.spec.region, "ny");

    const after = await h.getInfrastructure();
    assertReady(after);
    assert.equal(after.status?.lastOperation?.type, "Create");
    assert.equal(after.status?.lastOperation?.progress, 100);
    assert.equal(after.status?.lastOperation?.description, "Successfully reconciled infrastructure");
    assert.equal(after.status?.lastOperation?.lastUpdateTime, new Date(h.clock.now()).toISOString());
    assert.deepEqual(after.status?.providerStatus, { apiVersion: "x/v1", kind: "S" });
    assert.ok(after.metadata.annotations?.["gardener.cloud/timestamp"], "the timestamp stays");
    await recorder.flush();
    const events =
      (await h.client.list<KubeObject & { reason: string; message: string }>(CoreV1.events, { namespace: NS }))
        .items.map((e) => `${e.reason}: ${e.message}`).sort();
    assert.deepEqual(events, [
      "InfrastructureReconciliation: Reconciling the infrastructure",
      "InfrastructureReconciliation: Successfully reconciled infrastructure",
    ]);
  } finally {
    await close();
  }
});

Deno.test("reconcile after a spec change: type Reconcile, observedGeneration follows, lastUpdateTime after the request", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    await h.annotate("reconcile");
    await reconcile();
    await h.client.patch(INFRASTRUCTURE.resource, NAME, { spec: { region: "da" } }, "merge", { namespace: NS });
    await h.clock.advance(60_000);
    await h.annotate("reconcile");
    const before = await h.getInfrastructure();
    assert.equal(before.metadata.generation, 2);
    assert.notDeepEqual(readinessProblems(before), []);
    await reconcile();
    const after = await h.getInfrastructure();
    assertReady(after);
    assert.equal(after.status?.lastOperation?.type, "Reconcile");
    assert.equal(after.status?.observedGeneration, 2);
    assert.equal(actuator.calls[1].generation, 2);
  } finally {
    await close();
  }
});

Deno.test("conditions written by the health checks survive every status write of the reconciler", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    const conditions = [{
      type: "ControlPlaneHealthy",
      status: "True",
      lastTransitionTime: "2026-01-01T00:00:00Z",
      lastUpdateTime: "2026-01-01T00:00:00Z",
      reason: "HealthCheckSuccessful",
      message: "All health checks successful",
    }];
    await h.patchStatus({ conditions });
    await h.annotate("reconcile");
    actuator.next.reconcile = () => Promise.reject(new Error("first try fails"));
    await assert.rejects(reconcile());
    await reconcile();
    const after = await h.getInfrastructure();
    assertReady(after);
    assert.deepEqual(after.status?.conditions, conditions);
    const patches = h.api.counters.snapshot().byVerbResource["patch infrastructures/status"];
    assert.ok(patches >= 4, "Processing, Error, Processing and Succeeded were all written");
  } finally {
    await close();
  }
});

Deno.test("failure: Error, progress 50, capitalised description, lastError with codes, observedGeneration; retried by throwing", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    await h.annotate("reconcile");
    const err = new MetalUnauthenticatedError({
      status: 401,
      messages: ["Invalid authentication token"],
      method: "GET",
      path: "/projects/x/ssh-keys",
    }, "unauthenticated");
    actuator.next.reconcile = () => Promise.reject(err);
    await assert.rejects(reconcile(), (e) => e === err);
    const failed = await h.getInfrastructure();
    assertValidAgainstCrd(failed);
    const lo = failed.status!.lastOperation!;
    assert.equal(lo.state, "Error");
    assert.equal(lo.type, "Create");
    assert.equal(lo.progress, 50);
    assert.match(lo.description, /^Error reconciling infrastructure: Metal API GET \/projects\/x\/ssh-keys 401/);
    assert.deepEqual(failed.status!.lastError!.codes, ["ERR_INFRA_UNAUTHENTICATED"]);
    assert.equal(failed.status!.lastError!.description, lo.description);
    assert.equal(failed.status!.observedGeneration, 1);
    assert.match(readinessProblems(failed)[0], /^lastError/);

    // The retry (no new annotation) succeeds: lastError is cleared, the operation stays a Create.
    await h.clock.advance(5000);
    await reconcile();
    const ok = await h.getInfrastructure();
    assertReady(ok);
    assert.equal(ok.status?.lastError, undefined);
    assert.equal(ok.status?.lastOperation?.type, "Create");
  } finally {
    await close();
  }
});

Deno.test("failure codes: configuration problems are non-retryable, seed API errors carry no code", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    actuator.next.reconcile = () =>
      Promise.reject(new ConfigurationError('secret shoot--garden--playground/cloudprovider: missing "apiToken"'));
    await assert.rejects(reconcile());
    let s = (await h.getInfrastructure()).status!;
    assert.deepEqual(s.lastError?.codes, ["ERR_CONFIGURATION_PROBLEM"]);
    assert.match(s.lastError!.description, /^Error reconciling infrastructure: secret .*missing "apiToken"/);

    actuator.next.reconcile = () =>
      Promise.reject(new ForbiddenError(statusBody(403, "Forbidden", 'secrets "x" is forbidden')));
    await assert.rejects(reconcile());
    s = (await h.getInfrastructure()).status!;
    assert.equal(s.lastError?.codes, undefined, "the earlier codes are cleared, no new ones");
    assertValidAgainstCrd(await h.getInfrastructure());
  } finally {
    await close();
  }
});

Deno.test("progressing: stays Processing with the actuator's text and progress, requeues, no error", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    await h.annotate("reconcile");
    actuator.next.reconcile = () =>
      Promise.resolve({ progressing: { description: "Waiting for the key", requeueAfterMs: 5000, progress: 40 } });
    const res = await reconcile();
    assert.deepEqual(res, { requeueAfterMs: 5000 });
    const s = (await h.getInfrastructure()).status!;
    assert.equal(s.lastOperation?.state, "Processing");
    assert.equal(s.lastOperation?.description, "Waiting for the key");
    assert.equal(s.lastOperation?.progress, 40);
    assert.equal(s.lastError, undefined);
    await reconcile();
    assertReady(await h.getInfrastructure());
  } finally {
    await close();
  }
});

Deno.test("delete: Delete/Succeeded then the finalizer goes; objects without our finalizer are left alone", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    await reconcile();
    // A second finalizer keeps the object visible after ours is removed.
    await h.client.patch(
      INFRASTRUCTURE.resource,
      NAME,
      {
        metadata: { finalizers: [FINALIZER, "test/hold"] },
      },
      "merge",
      { namespace: NS },
    );
    await h.deleteInfrastructure();
    await reconcile();
    assert.deepEqual(actuator.methods(), ["reconcile", "delete"]);
    assert.equal(actuator.calls[1].stored.status?.lastOperation?.type, "Delete");
    assert.equal(actuator.calls[1].stored.status?.lastOperation?.state, "Processing");
    const after = await h.getInfrastructure();
    assert.deepEqual(after.metadata.finalizers, ["test/hold"]);
    assert.equal(after.status?.lastOperation?.type, "Delete");
    assert.equal(after.status?.lastOperation?.state, "Succeeded");
    assertValidAgainstCrd(after);

    const writes = h.api.counters.writes();
    await reconcile();
    assert.deepEqual(actuator.methods(), ["reconcile", "delete"], "no finalizer of ours: no-op");
    assert.equal(h.api.counters.writes(), writes);
  } finally {
    await close();
  }
});

Deno.test("delete error: the finalizer stays, lastError carries the codes; the retry finishes and the object is gone", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    await reconcile();
    await h.deleteInfrastructure();
    actuator.next.delete = () => Promise.reject(new ConfigurationError("bad"));
    await assert.rejects(reconcile());
    const stuck = await h.getInfrastructure();
    assert.ok(stuck.metadata.finalizers?.includes(FINALIZER));
    assert.equal(stuck.status?.lastOperation?.type, "Delete");
    assert.equal(stuck.status?.lastOperation?.state, "Error");
    assert.match(stuck.status!.lastError!.description, /^Error deleting infrastructure: bad/);
    await reconcile();
    await assert.rejects(h.getInfrastructure(), /not found/);
  } finally {
    await close();
  }
});

Deno.test("force delete: the shoot's force-deletion annotation selects forceDelete, never delete", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    await reconcile();
    await h.updateCluster({ "confirmation.gardener.cloud/force-deletion": "True" });
    await h.deleteInfrastructure();
    await reconcile();
    assert.deepEqual(actuator.methods(), ["reconcile", "forceDelete"]);
    await assert.rejects(h.getInfrastructure(), /not found/);
  } finally {
    await close();
  }
});

Deno.test("migrate: Migrate/Succeeded, then the finalizer and the annotation go; afterwards only migrate/restore act", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    await reconcile();
    await h.annotate("migrate");
    await h.clock.advance(1000);
    await reconcile();
    assert.deepEqual(actuator.methods(), ["reconcile", "migrate"]);
    const migrated = await h.getInfrastructure();
    assert.equal(migrated.status?.lastOperation?.type, "Migrate");
    assert.equal(migrated.status?.lastOperation?.state, "Succeeded");
    assert.equal(migrated.metadata.finalizers, undefined);
    assert.equal(migrated.metadata.annotations?.["gardener.cloud/operation"], undefined);
    assertReady(migrated);

    // The object belongs to another seed now: a reconcile request does nothing at all.
    await h.annotate("reconcile");
    const writes = h.api.counters.writes();
    await reconcile();
    assert.deepEqual(actuator.methods(), ["reconcile", "migrate"]);
    assert.equal(h.api.counters.writes(), writes);
  } finally {
    await close();
  }
});

Deno.test("migrate error: the annotation stays until a migrate succeeds", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    await reconcile();
    await h.annotate("migrate");
    actuator.next.migrate = () => Promise.reject(new Error("seed object stuck"));
    await assert.rejects(reconcile());
    const failed = await h.getInfrastructure();
    assert.equal(failed.metadata.annotations?.["gardener.cloud/operation"], "migrate");
    assert.ok(failed.metadata.finalizers?.includes(FINALIZER));
    assert.equal(failed.status?.lastOperation?.type, "Migrate");
    assert.equal(failed.status?.lastOperation?.state, "Error");
    assert.deepEqual(failed.status?.lastError?.codes, undefined);
  } finally {
    await close();
  }
});

Deno.test("restore: wait-for-state does nothing; restore adds the finalizer, calls restore, removes the annotation, Restore/Succeeded", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    // gardenlet creates the object for restore with wait-for-state, then fills in the state.
    const obj = infrastructureObject();
    obj.metadata.annotations = { "gardener.cloud/operation": "wait-for-state" };
    await h.createInfrastructure(obj);
    const writes = h.api.counters.writes();
    await reconcile();
    assert.deepEqual(actuator.methods(), []);
    assert.equal(h.api.counters.writes(), writes, "wait-for-state: no write at all");

    await h.patchStatus({ state: { apiVersion: "a/v1", kind: "InfrastructureState", data: { sshKeyID: "k" } } });
    await h.annotate("restore");
    await h.clock.advance(2000);
    await reconcile();
    assert.deepEqual(actuator.methods(), ["restore"]);
    const during = actuator.calls[0].stored;
    assert.ok(during.metadata.finalizers?.includes(FINALIZER));
    assert.equal(during.metadata.annotations?.["gardener.cloud/operation"], "restore", "removed only after success");
    assert.deepEqual(during.status?.state, {
      apiVersion: "a/v1",
      kind: "InfrastructureState",
      data: { sshKeyID: "k" },
    });
    const after = await h.getInfrastructure();
    assertReady(after);
    assert.equal(after.status?.lastOperation?.type, "Restore");
  } finally {
    await close();
  }
});

Deno.test("restore: an unfinished Restore whose annotation is gone resumes as a restore, not a reconcile", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    await h.patchStatus({
      lastOperation: {
        type: "Restore",
        state: "Processing",
        progress: 1,
        description: "Restoring the infrastructure",
        lastUpdateTime: "2026-01-01T00:00:00Z",
      },
    });
    await reconcile();
    assert.deepEqual(actuator.methods(), ["restore"]);
    const after = await h.getInfrastructure();
    assert.equal(after.status?.lastOperation?.type, "Restore");
    assert.equal(after.status?.lastOperation?.state, "Succeeded");
  } finally {
    await close();
  }
});

Deno.test("restore: the annotation stays until Restore/Succeeded is recorded (a failed success patch keeps the request)", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    await h.annotate("restore");
    // The first status patch (Processing) passes; the second (Succeeded) fails once.
    h.api.faults.add({ verb: "patch", resource: "infrastructures/status", status: 500, skip: 1, times: 1 });
    await reconcile().catch(() => {});
    assert.deepEqual(actuator.methods(), ["restore"]);
    const stored = await h.getInfrastructure();
    assert.notEqual(stored.status?.lastOperation?.state, "Succeeded");
    assert.equal(stored.metadata.annotations?.["gardener.cloud/operation"], "restore", "the request is not lost");
    await reconcile();
    const after = await h.getInfrastructure();
    assert.equal(after.status?.lastOperation?.state, "Succeeded");
    assert.equal(after.metadata.annotations?.["gardener.cloud/operation"], undefined);
  } finally {
    await close();
  }
});

Deno.test("failed shoot: nothing is done and nothing written until the shoot is retried", async () => {
  const { h, actuator, reconcile, close } = await setup({ shootFailed: true });
  try {
    await h.createInfrastructure();
    await h.annotate("reconcile");
    const writes = h.api.counters.writes();
    await reconcile();
    assert.deepEqual(actuator.methods(), []);
    assert.equal(h.api.counters.writes(), writes);
    assert.equal((await h.getInfrastructure()).metadata.annotations?.["gardener.cloud/operation"], "reconcile");
    await h.updateCluster({}, false);
    await reconcile();
    assertReady(await h.getInfrastructure());
  } finally {
    await close();
  }
});

Deno.test("no-op reconcile of an up-to-date object makes zero writes; an actuator status change is written with a fresh time", async () => {
  const { h, actuator, reconcile, recorder, close } = await setup();
  try {
    await h.createInfrastructure();
    await h.annotate("reconcile");
    actuator.always.reconcile = () =>
      Promise.resolve({ status: { providerStatus: { apiVersion: "x/v1", kind: "S" } } });
    await reconcile();
    const ready = await h.getInfrastructure();
    assertReady(ready);

    await h.clock.advance(60_000);
    await recorder.flush();
    h.api.counters.reset();
    await reconcile();
    await recorder.flush();
    assert.equal(actuator.calls.length, 2, "the actuator still checks the world");
    assert.equal(h.api.counters.writes(), 0, JSON.stringify(h.api.counters.snapshot()));
    assert.equal((await h.getInfrastructure()).metadata.resourceVersion, ready.metadata.resourceVersion);

    actuator.next.reconcile = () => Promise.resolve({ status: { providerStatus: { apiVersion: "x/v1", kind: "T" } } });
    await reconcile();
    const changed = await h.getInfrastructure();
    assertReady(changed);
    assert.deepEqual(changed.status?.providerStatus, { apiVersion: "x/v1", kind: "T" });
    assert.equal(changed.status?.lastOperation?.lastUpdateTime, new Date(h.clock.now()).toISOString());
    const counts = h.api.counters.snapshot().byVerbResource;
    assert.equal(counts["patch infrastructures/status"], 1, "only the success write, no Processing announcement");

    // ctx.patchStatus with an unchanged value sends nothing either.
    h.api.counters.reset();
    actuator.next.reconcile = async (ctx) => {
      await ctx.patchStatus({ providerStatus: { apiVersion: "x/v1", kind: "T" } });
    };
    await reconcile();
    await recorder.flush();
    assert.equal(h.api.counters.writes(), 0, "no status write and no event");
  } finally {
    await close();
  }
});

Deno.test("the actuator may not write the fields the reconciler owns", async () => {
  const { h, actuator, reconcile, close } = await setup();
  try {
    await h.createInfrastructure();
    actuator.next.reconcile = async (ctx) => {
      await ctx.patchStatus({ lastOperation: { state: "Succeeded" } });
    };
    await assert.rejects(reconcile(), /may not write status\.lastOperation/);
    actuator.next.reconcile = () => Promise.resolve({ status: { conditions: [] } });
    await assert.rejects(reconcile(), /may not write status\.conditions/);
  } finally {
    await close();
  }
});

Deno.test("an object that fails decoding gets ERR_CONFIGURATION_PROBLEM naming the field; the actuator is not called", async () => {
  const h = await ExtensionHarness.start();
  const actuator = new TestActuator();
  const reconciler = new ExtensionReconciler<Infrastructure>({
    kind: INFRASTRUCTURE,
    actuator,
    client: h.client,
    // A stricter decoder than the CRD: the kind's own validation at the boundary.
    decode: (raw, object) => {
      const obj = decodeInfrastructure(raw, { object });
      if (obj.spec.region !== "ny") {
        throw new FieldValidationError([invalid("spec.region", obj.spec.region, "unknown")], object);
      }
      return obj;
    },
    clock: h.clock,
  });
  try {
    const bad = infrastructureObject();
    bad.spec.region = "xx";
    await h.createInfrastructure(bad);
    await assert.rejects(
      reconciler.reconcile({ namespace: NS, name: NAME }, {
        signal: new AbortController().signal,
        log: getLogger("t"),
      }),
      /spec\.region/,
    );
    assert.deepEqual(actuator.methods(), []);
    const s = (await h.getInfrastructure()).status!;
    assert.deepEqual(s.lastError?.codes, ["ERR_CONFIGURATION_PROBLEM"]);
    assert.match(
      s.lastError!.description,
      /^Error reconciling infrastructure: Infrastructure shoot--garden--playground\/playground: spec\.region: Invalid value: "xx": unknown$/,
    );
  } finally {
    await h.close();
  }
});

Deno.test("a crash at any point of a requested reconcile keeps the request: picked up again after a restart", async () => {
  const { h, actuator, close } = await setup();
  const reconciler = new ExtensionReconciler<Infrastructure>({
    kind: INFRASTRUCTURE,
    actuator,
    client: h.client,
    decode: (raw, object) => decodeInfrastructure(raw, { object }),
    clock: h.clock,
  });
  const run = (signal = new AbortController().signal) =>
    reconciler.reconcile({ namespace: NS, name: NAME }, { signal, log: getLogger("t") });
  // What a restarted controller's initial list admits.
  const admittedAfterRestart = async () => operationAnnotationPredicate().create!(await h.getInfrastructure());
  try {
    await h.createInfrastructure();
    await h.annotate("reconcile");
    await run();
    assert.equal((await h.getInfrastructure()).status?.lastOperation?.state, "Succeeded");

    // A spec change requested by gardenlet; the process dies when it would acknowledge the request.
    const obj = await h.getInfrastructure();
    await h.client.update(INFRASTRUCTURE.resource, {
      ...obj,
      spec: { ...obj.spec, sshPublicKey: infrastructureObject(KEY_2.key).spec.sshPublicKey },
    }, { namespace: NS });
    await h.annotate("reconcile");
    h.api.faults.add({ verb: "patch", resource: "infrastructures", status: 503, times: 1 });
    await assert.rejects(run());
    let stored = await h.getInfrastructure();
    assert.equal(stored.metadata.annotations?.["gardener.cloud/operation"], "reconcile", "not acknowledged yet");
    assert.equal(stored.status?.lastOperation?.state, "Processing", "recorded before the acknowledgement");
    assert.ok(await admittedAfterRestart());

    // This time it dies during the work, after the acknowledgement.
    const crash = new AbortController();
    actuator.next.reconcile = () => {
      crash.abort(new DOMException("process killed", "AbortError"));
      return Promise.reject(crash.signal.reason);
    };
    await assert.rejects(run(crash.signal));
    stored = await h.getInfrastructure();
    assert.equal(stored.metadata.annotations?.["gardener.cloud/operation"], undefined, "acknowledged");
    assert.equal(stored.status?.lastOperation?.state, "Processing");
    assert.notEqual(stored.status?.observedGeneration, stored.metadata.generation);
    assert.ok(await admittedAfterRestart(), "the restarted controller reconciles it again");

    await run();
    assertReady(await h.getInfrastructure());
  } finally {
    await close();
  }
});
