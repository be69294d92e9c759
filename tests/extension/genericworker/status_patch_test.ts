/** The early status write: strictly newer machineDeploymentsLastUpdateTime per request, nothing on an unrequested resync. */
import assert from "node:assert/strict";
import type { Worker } from "../../../src/apis/extensions/v1alpha1.ts";
import {
  earlyStatusPatch,
  machineDeploymentsStatus,
  nextLastUpdateTime,
} from "../../../src/extension/genericworker/status_patch.ts";
import type { DesiredDeployment } from "../../../src/extension/genericworker/machine_deployment.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import { workerObject } from "../worker/fixtures.ts";

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0, 400);
const deployment = (name: string, extra: Partial<DesiredDeployment> = {}) =>
  ({ name, minimum: 1, maximum: 2, ...extra }) as DesiredDeployment;
const IMAGES = [{ name: "flatcar", version: "4081.2.0", id: "flatcar_stable" }];
const PROVIDER_STATUS = {
  apiVersion: "equinixmetal.provider.extensions.gardener.cloud/v1alpha1",
  kind: "WorkerStatus",
  machineImages: IMAGES,
};

/** A Worker whose last reconcile succeeded at `lastTime` (what the generic reconciler writes). */
function upToDate(lastTime: string, extra: Partial<NonNullable<Worker["status"]>> = {}): Worker {
  const w = workerObject();
  w.metadata.generation = 3;
  w.metadata.finalizers = ["extensions.gardener.cloud/worker"];
  w.metadata.annotations = { "gardener.cloud/timestamp": "2026-11-21T09:59:00.123456789Z" };
  w.status = {
    lastOperation: {
      type: "Reconcile",
      state: "Succeeded",
      progress: 100,
      description: "ok",
      lastUpdateTime: "2026-11-21T09:59:30Z",
    },
    observedGeneration: 3,
    machineDeployments: [{ name: "a", minimum: 1, maximum: 2 }],
    machineDeploymentsLastUpdateTime: lastTime,
    providerStatus: PROVIDER_STATUS,
    ...extra,
  };
  return w;
}

Deno.test("nextLastUpdateTime is second precision and strictly later than the previous value", () => {
  assert.equal(nextLastUpdateTime(undefined, T0), "2026-11-21T10:00:00Z");
  assert.equal(nextLastUpdateTime("2026-11-21T09:00:00Z", T0), "2026-11-21T10:00:00Z");
  assert.equal(nextLastUpdateTime("2026-11-21T10:00:00Z", T0), "2026-11-21T10:00:01Z", "same second: one later");
  assert.equal(nextLastUpdateTime("2026-11-21T10:00:05Z", T0), "2026-11-21T10:00:06Z", "clock behind: still later");
});

Deno.test("first reconcile: list, time and WorkerStatus; the patched Worker validates against the CRD", () => {
  const w = workerObject();
  const patch = earlyStatusPatch(
    w,
    [deployment("a", { priority: 5, autoPreserveFailedMachineMax: 1 })],
    PROVIDER_STATUS,
    T0,
  );
  assert.deepEqual(patch, {
    machineDeployments: [{ name: "a", minimum: 1, maximum: 2, priority: 5, autoPreserveFailedMachineMax: 1 }],
    machineDeploymentsLastUpdateTime: "2026-11-21T10:00:00Z",
    providerStatus: PROVIDER_STATUS,
  });
  assertValidAgainstCrd({ ...w, status: patch });
});

Deno.test("an unrequested resync of an up-to-date Worker patches nothing; a request or a changed list renews the time", () => {
  const w = upToDate("2026-11-21T09:59:30Z");
  assert.deepEqual(earlyStatusPatch(w, [deployment("a")], PROVIDER_STATUS, T0), {});

  const requested = upToDate("2026-11-21T09:59:30Z");
  requested.status!.lastOperation!.state = "Processing"; // the reconciler announced gardenlet's request
  requested.metadata.annotations!["gardener.cloud/timestamp"] = "2026-11-21T09:59:59.9Z";
  assert.deepEqual(earlyStatusPatch(requested, [deployment("a")], PROVIDER_STATUS, T0), {
    machineDeployments: [{ name: "a", minimum: 1, maximum: 2 }],
    machineDeploymentsLastUpdateTime: "2026-11-21T10:00:00Z",
  });

  // The same request, requeued while machines roll: already answered, nothing to write.
  const answered = upToDate("2026-11-21T10:00:00Z");
  answered.status!.lastOperation!.state = "Processing";
  answered.metadata.annotations!["gardener.cloud/timestamp"] = "2026-11-21T09:59:59.9Z";
  assert.deepEqual(earlyStatusPatch(answered, [deployment("a")], PROVIDER_STATUS, T0 + 5000), {});

  const changed = earlyStatusPatch(
    upToDate("2026-11-21T09:59:30Z"),
    [deployment("a", { maximum: 3 })],
    PROVIDER_STATUS,
    T0,
  );
  assert.deepEqual(changed.machineDeployments, [{ name: "a", minimum: 1, maximum: 3 }]);
  assert.equal(changed.machineDeploymentsLastUpdateTime, "2026-11-21T10:00:00Z");
});

Deno.test("a requested reconcile renews the time even when our clock runs ahead of gardenlet's request timestamp", () => {
  // Our last write (10:00:05 by our clock) is later than gardenlet's new request (10:00:02 by its clock).
  const w = upToDate("2026-11-21T10:00:05Z");
  w.status!.lastOperation!.state = "Processing";
  w.metadata.annotations!["gardener.cloud/timestamp"] = "2026-11-21T10:00:02Z";
  const patch = earlyStatusPatch(w, [deployment("a")], PROVIDER_STATUS, T0 + 6000, true);
  assert.equal(patch.machineDeploymentsLastUpdateTime, "2026-11-21T10:00:06Z");
  // The same reconcile requeued while machines roll (no longer a fresh request): nothing to write.
  const answered = upToDate("2026-11-21T10:00:06Z");
  answered.status!.lastOperation!.state = "Processing";
  answered.metadata.annotations!["gardener.cloud/timestamp"] = "2026-11-21T10:00:02Z";
  assert.deepEqual(earlyStatusPatch(answered, [deployment("a")], PROVIDER_STATUS, T0 + 11000), {});
});

Deno.test("the WorkerStatus is replaced by the images in use (merge patch removes what is gone)", () => {
  const w = upToDate("2026-11-21T09:59:30Z", {
    providerStatus: {
      ...PROVIDER_STATUS,
      machineImages: [...IMAGES, { name: "flatcar", version: "3975.2.0", ipxeScriptUrl: "https://x/y" }],
      legacy: true,
    },
  });
  assert.deepEqual(earlyStatusPatch(w, [deployment("a")], PROVIDER_STATUS, T0), {
    providerStatus: { machineImages: IMAGES, legacy: null },
  });
  assert.deepEqual(machineDeploymentsStatus([]), []);
});
