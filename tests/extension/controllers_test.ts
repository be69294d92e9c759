/**
 * The extension's kind table: it lists exactly the controllers this build implements, every kind is added through
 * the same `addControllers` loop, and disabling a kind (`--disable-controllers`) means no controller of it is added.
 */
import assert from "node:assert/strict";
import { CONTROLLER_KINDS, type StartupInputs } from "../../src/extension/controllers.ts";
import { addControllers, type ControllerManager } from "../../src/extension/reconciler/mod.ts";
import { Heartbeat } from "../../src/extension/heartbeat/heartbeat_apply.ts";
import { HealthChecks } from "../../src/extension/healthcheck/add.ts";
import { CONTROLLER_NAMES, IMPLEMENTED_CONTROLLERS, resolveExtensionOptions } from "../../src/extension/options.ts";
import { DEFAULTS } from "../../src/apis/config/v1alpha1.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { Manager, type Runnable } from "../../src/k8s/controller/manager.ts";
import { getLogger } from "../../src/observability/log.ts";
import { FakeClock } from "../../src/runtime/clock.ts";

Deno.test("kind table: its kinds are the implemented controllers, each a --controllers name", () => {
  const names = CONTROLLER_KINDS.map((k) => k.name);
  assert.deepEqual(new Set(names), new Set(IMPLEMENTED_CONTROLLERS));
  assert.equal(new Set(names).size, names.length);
  for (const name of names) assert.ok((CONTROLLER_NAMES as readonly string[]).includes(name), name);
});

/** What kind a runnable the table added belongs to. */
function kindOf(r: Runnable): string {
  if (r instanceof Heartbeat) return "heartbeat";
  if (r instanceof HealthChecks) return "healthcheck";
  const reconciler = (r as { reconciler?: { kind: { kind: string } } }).reconciler;
  return reconciler ? reconciler.kind.kind.toLowerCase() : "unknown";
}

/** Adds the table's kinds with `--disable-controllers` to a manager that is never started; returns what was added. */
function added(disabled: string[]): string[] {
  const { options, errors } = resolveExtensionOptions({ disableControllers: disabled }, {});
  assert.deepEqual(errors, []);
  const client = new KubeClient({ server: "http://127.0.0.1:9" });
  try {
    const clock = new FakeClock(0);
    const manager = new Manager({ client, clock });
    const runnables: Runnable[] = [];
    const recording: ControllerManager = { add: (r) => void runnables.push(r), informers: manager.informers };
    const inputs: StartupInputs = {
      options: options!,
      config: {
        clientConnection: { ...DEFAULTS.clientConnection },
        etcd: { storage: {} },
        healthCheck: {
          syncPeriodMs: DEFAULTS.healthCheck.syncPeriodMs,
          shootRESTOptions: { ...DEFAULTS.healthCheck.shootRESTOptions },
        },
      },
      ownNamespace: "garden",
    };
    const shared = {
      client,
      extensionClasses: options!.extensionClasses,
      ignoreOperationAnnotation: false,
      clock,
      log: getLogger("extension"),
    };
    const result = addControllers(recording, CONTROLLER_KINDS, options!.controllers, shared, inputs);
    assert.deepEqual(runnables.map(kindOf), result.added);
    return result.added;
  } finally {
    client.close();
  }
}

Deno.test("kind table: every enabled kind is added once through the loop; a disabled kind adds no controller", () => {
  assert.deepEqual(added([]), ["infrastructure", "controlplane", "worker", "healthcheck", "heartbeat"]);
  for (const kind of CONTROLLER_KINDS) {
    const rest = added([kind.name]);
    assert.ok(!rest.includes(kind.name), kind.name);
    assert.deepEqual(rest, CONTROLLER_KINDS.map((k) => k.name).filter((n) => n !== kind.name));
  }
  assert.deepEqual(added(["infrastructure", "controlplane", "worker", "healthcheck", "heartbeat"]), []);
});
