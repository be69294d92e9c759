/** The machine state gardenlet writes for a restore: gzip + base64 JSON, decoded into objects to re-create. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";
import { FieldValidationError } from "../../../src/apis/decode.ts";
import { decodeMachineState, encodeMachineState } from "../../../src/extension/genericworker/machine_state.ts";
import { deletionStep, remainingMachineResources } from "../../../src/extension/genericworker/deletion.ts";

function gardenletState(json: unknown): { state: string } {
  return { state: Buffer.from(gzipSync(JSON.stringify(json))).toString("base64") };
}

Deno.test("decodes gardenlet's state into re-creatable objects in the new namespace (no status, uid or owners)", () => {
  const state = gardenletState({
    machineDeployments: {
      "shoot--p--s-pool-a-z1": {
        replicas: 3,
        machineSets: [{
          metadata: {
            name: "ms1",
            namespace: "old",
            labels: { name: "md" },
            uid: "u1",
            ownerReferences: [{ uid: "x" }],
          },
          spec: { replicas: 3 },
          status: { replicas: 3 },
        }],
        machines: [{ metadata: { name: "m1", namespace: "old", annotations: { a: "b" } }, spec: { providerID: "p" } }],
      },
      "shoot--p--s-pool-b-z1": {},
      empty: null,
    },
  });
  const decoded = decodeMachineState(state, "shoot--p--s", "Worker shoot--p--s/s");
  assert.deepEqual([...decoded.keys()], ["shoot--p--s-pool-a-z1", "shoot--p--s-pool-b-z1"]);
  const a = decoded.get("shoot--p--s-pool-a-z1")!;
  assert.equal(a.replicas, 3);
  assert.deepEqual(a.machineSets, [{
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "MachineSet",
    metadata: { name: "ms1", namespace: "shoot--p--s", labels: { name: "md" } },
    spec: { replicas: 3 },
  }]);
  assert.deepEqual(a.machines[0].metadata, { name: "m1", namespace: "shoot--p--s", annotations: { a: "b" } });
  assert.deepEqual(decoded.get("shoot--p--s-pool-b-z1"), { machineSets: [], machines: [] });
  // Our encoder produces what the decoder reads.
  const round = decodeMachineState(
    encodeMachineState({ md: { replicas: 1, machineSets: [], machines: [] } }),
    "n",
    "W",
  );
  assert.deepEqual(round.get("md"), { replicas: 1, machineSets: [], machines: [] });
});

Deno.test("absent or empty state restores nothing; unreadable state names status.state and the Worker", () => {
  assert.equal(decodeMachineState(undefined, "n", "W").size, 0);
  assert.equal(decodeMachineState({}, "n", "W").size, 0);
  assert.equal(decodeMachineState({ state: "" }, "n", "W").size, 0);
  for (
    const bad of [
      { state: "bm90IGd6aXA=" },
      { state: 7 },
      gardenletState({ machineDeployments: { a: { replicas: -1 } } }),
    ]
  ) {
    assert.throws(() => decodeMachineState(bad, "n", "Worker n/w"), (e: unknown) => {
      assert.ok(e instanceof FieldValidationError);
      assert.match(e.message, /^Worker n\/w: status\.state: Invalid value/);
      return true;
    });
  }
});

Deno.test("deletion steps follow from what is left in the namespace", () => {
  const obj = (deleting = false) => ({ metadata: { name: "x", ...(deleting ? { deletionTimestamp: "t" } : {}) } });
  const empty = { deployments: [], machineSets: [], machines: [], classes: [], classSecrets: [] };
  assert.deepEqual(deletionStep(empty), { step: "awaitRelease" });
  assert.deepEqual(deletionStep({ ...empty, deployments: [obj()], classes: [obj()] } as never), { step: "start" });
  assert.deepEqual(deletionStep({ ...empty, machines: [obj(), obj()], classes: [obj(true)] } as never), {
    step: "awaitDeletion",
    remaining: "2 machines, 1 machine classes",
  });
  assert.equal(remainingMachineResources({ ...empty, classSecrets: [obj()] } as never), "1 machine class secrets");
});
