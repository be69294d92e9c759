/**
 * The playground's machine controllers are the sidecars our webhook injects: with the extension's webhooks disabled,
 * gardenlet's machine-controller-manager Deployment carries no sidecar, no machine controller starts, no machine and
 * no device is created, and the create phase fails saying why.
 */
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { AppsV1 } from "../../src/k8s/api/resources.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { withLandscape } from "../../src/playground/mod.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { FakeTimeDriver } from "../support/fake_time.ts";

configureLogging({ level: "error" });
const NS = "shoot--garden--playground";
const MCM = "machine-controller-manager";
type Deployment = KubeObject & { spec: { template: { spec: { containers: Array<{ name: string }> } } } };

Deno.test("webhooks disabled: no sidecar, no machine controller, no machine; the demo fails saying so", async () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 9, 0, 0));
  const seen: { error?: Error; containers?: string[]; machines?: number; devices?: number } = {};
  await new FakeTimeDriver(clock, 1000).during(() =>
    withLandscape({ clock, randomSeed: 3, disableWebhooks: ["*"] }, async (landscape) => {
      seen.error = await landscape.create().then(() => undefined, (e) => e as Error);
      const mcm = await landscape.simulators.seedClient.get<Deployment>(AppsV1.deployments, MCM, { namespace: NS });
      seen.containers = mcm.spec.template.spec.containers.map((c) => c.name);
      seen.machines = landscape.progress("x", 0).machineTotal;
      seen.devices = landscape.simulators.devices.all().length;
    })
  );
  assert.match(
    seen.error?.message ?? "no error",
    new RegExp(
      `no machine-controller-manager-provider-equinix-metal sidecar in deployment ${NS}/machine-controller-manager: ` +
        "are the webhooks disabled\\?",
    ),
  );
  assert.deepEqual(seen.containers, ["machine-controller-manager"], "gardenlet's container alone");
  assert.equal(seen.machines, 0);
  assert.equal(seen.devices, 0);
});
