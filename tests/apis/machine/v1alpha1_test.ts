import assert from "node:assert/strict";
import {
  DecodeError,
  decodeMachine,
  decodeMachineClass,
  machineClassSchema,
  machineSchema,
  machineSpecSchema,
} from "../../../src/apis/machine/v1alpha1.ts";
import { crdSchema as servedSchema } from "../../support/crd_validation.ts";

type Props = { properties?: Record<string, Props> };

/** The v1alpha1 schema of an MCM kind's real CRD. */
function crdSchema(kind: string): Props {
  return servedSchema("machine.sapcloud.io/v1alpha1", kind) as Props;
}

Deno.test("Machine spec schema knows every field of the real Machine CRD", () => {
  const specProps = Object.keys(crdSchema("Machine").properties!.spec.properties!);
  const ours = Object.keys(machineSpecSchema.shape);
  assert.deepEqual(specProps.filter((p) => !ours.includes(p)), []);
  const statusProps = Object.keys(crdSchema("Machine").properties!.status.properties!);
  assert.deepEqual(statusProps.sort(), ["addresses", "conditions", "currentStatus", "lastKnownState", "lastOperation"]);
  assert.ok(Object.keys(machineSchema.shape).includes("status"));
});

Deno.test("MachineClass schema knows every top-level field of the real CRD", () => {
  const props = Object.keys(crdSchema("MachineClass").properties!).filter((p) => !["apiVersion", "kind"].includes(p));
  const ours = Object.keys(machineClassSchema.shape);
  assert.deepEqual(props.filter((p) => !ours.includes(p)), []);
});

Deno.test("decodeMachine accepts a stored Machine and keeps unknown fields", () => {
  const m = decodeMachine({
    apiVersion: "machine.sapcloud.io/v1alpha1",
    kind: "Machine",
    metadata: { name: "m", namespace: "ns" },
    spec: { class: { kind: "MachineClass", name: "c" }, extra: 1 },
    status: { currentStatus: { phase: "Running" } },
  });
  assert.equal(m.spec.class?.name, "c");
  assert.equal((m.spec as Record<string, unknown>).extra, 1);
  assert.deepEqual(decodeMachine({ metadata: { name: "m" } }).spec, {}, "missing spec decodes as empty");
});

Deno.test("decode errors name the object and the field", () => {
  assert.throws(
    () => decodeMachine({ metadata: { name: "m", namespace: "ns" }, spec: { maxEvictRetries: "many" } }),
    (e: unknown) => e instanceof DecodeError && /Machine ns\/m: spec\.maxEvictRetries/.test(e.message),
  );
  assert.throws(
    () => decodeMachineClass({ metadata: { name: "c", namespace: "ns" }, providerSpec: {}, secretRef: "s" }),
    (e: unknown) => e instanceof DecodeError && /MachineClass ns\/c: secretRef/.test(e.message),
  );
  assert.throws(
    () => decodeMachineClass({ metadata: { name: "c", namespace: "ns" } }),
    (e: unknown) => e instanceof DecodeError && /MachineClass ns\/c: providerSpec: required/.test(e.message),
  );
});
