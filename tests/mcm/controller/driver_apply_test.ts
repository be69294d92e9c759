/** Driver requests as the controller builds them. */
import assert from "node:assert/strict";
import { machineRequest } from "../../../src/mcm/controller/driver_apply.ts";
import { machine, machineClass } from "./fixtures.ts";

Deno.test("machineRequest carries the Machine's name, providerID, state and creationTimestamp", () => {
  const m = machine("m1", {
    spec: { class: { kind: "MachineClass", name: "class-a" }, providerID: "equinixmetal://ny/x" },
  });
  const req = machineRequest(m, machineClass(), { apiToken: "t" });
  // The creation time lets the driver hold back a create a predecessor process may have sent just before it stopped.
  assert.deepEqual(req.machine, {
    name: "m1",
    namespace: "shoot--a",
    providerID: "equinixmetal://ny/x",
    lastKnownState: undefined,
    creationTimestamp: m.metadata.creationTimestamp,
  });
  assert.equal(req.machineClass.name, "class-a");
});
