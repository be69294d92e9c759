/**
 * The one way a controller kind joins the extension: `addControllers` walks the kind table, adds exactly the enabled
 * kinds through their `add`, in the table's order, and hands each the shared args, a logger named after it and the
 * options it takes from the start-up inputs.
 */
import assert from "node:assert/strict";
import {
  type AddArgs,
  addControllers,
  controllerKind,
  type ControllerManager,
  type SharedArgs,
} from "../../../src/extension/reconciler/add.ts";
import type { KubeClient } from "../../../src/k8s/client/client.ts";
import type { InformerFactory } from "../../../src/k8s/cache/informer.ts";
import type { Runnable } from "../../../src/k8s/controller/manager.ts";
import { getLogger } from "../../../src/observability/log.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";

interface Inputs {
  size: number;
}

/** A manager that records what is added. */
function recordingManager(): ControllerManager & { runnables: Runnable[] } {
  const runnables: Runnable[] = [];
  return { runnables, add: (r: Runnable) => void runnables.push(r), informers: {} as InformerFactory };
}

/** A kind whose runnable remembers which kind added it and with which args. */
function fakeKind(name: string, calls: Array<{ name: string; args: AddArgs<{ size: number }> }>) {
  return controllerKind(name, (manager, args: AddArgs<{ size: number }>) => {
    calls.push({ name, args });
    manager.add({ start: () => Promise.resolve() });
  }, (inputs: Inputs) => ({ size: inputs.size * 10 }));
}

const shared: SharedArgs = {
  client: {} as KubeClient,
  extensionClasses: ["shoot"],
  ignoreOperationAnnotation: false,
  clock: new FakeClock(0),
  log: getLogger("extension"),
};

Deno.test("addControllers: only enabled kinds are added, each once through its add, in the table's order", () => {
  const calls: Array<{ name: string; args: AddArgs<{ size: number }> }> = [];
  const kinds = [fakeKind("a", calls), fakeKind("b", calls), fakeKind("c", calls)];
  const manager = recordingManager();
  const result = addControllers(manager, kinds, ["c", "a"], shared, { size: 2 });
  assert.deepEqual(calls.map((c) => c.name), ["a", "c"]);
  assert.deepEqual(result, { added: ["a", "c"], unavailable: [] });
  assert.equal(manager.runnables.length, 2);
});

Deno.test("addControllers: a disabled kind adds nothing; enabled names without a kind are reported, not added", () => {
  const calls: Array<{ name: string; args: AddArgs<{ size: number }> }> = [];
  const manager = recordingManager();
  const result = addControllers(manager, [fakeKind("a", calls), fakeKind("b", calls)], ["b", "x"], shared, { size: 1 });
  assert.deepEqual(calls.map((c) => c.name), ["b"]);
  assert.deepEqual(result, { added: ["b"], unavailable: ["x"] });
  assert.equal(manager.runnables.length, 1);
  assert.deepEqual(addControllers(recordingManager(), [fakeKind("a", calls)], [], shared, { size: 1 }), {
    added: [],
    unavailable: [],
  });
});

Deno.test("addControllers: every kind gets the shared args, its own logger and the options taken from the inputs", () => {
  const calls: Array<{ name: string; args: AddArgs<{ size: number }> }> = [];
  addControllers(recordingManager(), [fakeKind("a", calls), fakeKind("b", calls)], ["a", "b"], shared, { size: 3 });
  for (const { name, args } of calls) {
    assert.equal(args.client, shared.client);
    assert.equal(args.clock, shared.clock);
    assert.deepEqual(args.extensionClasses, ["shoot"]);
    assert.deepEqual(args.options, { size: 30 });
    assert.equal(args.log.name, `extension.${name}`);
  }
});

Deno.test("addControllers: a kind that cannot run with its options stops the start-up with its error", () => {
  const failing = controllerKind("bad", () => {}, (): { size: number } => {
    throw new Error("--bad-flag: required");
  });
  assert.throws(() => addControllers(recordingManager(), [failing], ["bad"], shared, { size: 1 }), /--bad-flag/);
});
