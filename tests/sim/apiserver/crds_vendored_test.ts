/**
 * Every vendored CRD (crds/) against our schema validation: the schemas compile, realistic objects of the kinds we
 * write are accepted unchanged, invalid ones get errors naming the exact field, unknown fields are pruned only where
 * the schema does not preserve them.
 */
import { assertEquals, assertErrors } from "./schema_helpers.ts";
import { INVALID_CASES, VALID_OBJECTS } from "./crds_examples.ts";
import { loadCrds } from "../../../src/playground/crds.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { checkStructuralSchema } from "../../../src/sim/apiserver/schema/check.ts";
import { type JSONSchemaProps, validateAgainstSchema } from "../../../src/sim/apiserver/schema/validation.ts";

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
}
interface Crd {
  spec: { group: string; names: { kind: string; plural: string }; versions: CrdVersion[] };
}

let loaded: Crd[] | undefined;

/** Every vendored CRD, parsed once per test module. */
function allCrds(): Crd[] {
  loaded ??= loadCrds() as unknown as Crd[];
  return loaded;
}

function schemaOf(kind: string, version?: string): JSONSchemaProps {
  const crd = allCrds().find((c) => c.spec.names.kind === kind);
  if (!crd) throw new Error(`no CRD for ${kind} in crds/`);
  const v = crd.spec.versions.find((v) => (version ? v.name === version : v.storage));
  if (!v?.schema?.openAPIV3Schema) throw new Error(`CRD of ${kind} has no schema for ${version ?? "storage version"}`);
  return v.schema.openAPIV3Schema;
}

function sortErrors<T extends { field?: string; type?: string }>(errors: T[]): T[] {
  return [...errors].sort((a, b) => `${a.field} ${a.type}`.localeCompare(`${b.field} ${b.type}`));
}

Deno.test("crds/ holds the CRDs of every kind we write", () => {
  const kinds = new Set(allCrds().map((c) => c.spec.names.kind));
  for (const kind of Object.keys(VALID_OBJECTS)) {
    if (!kinds.has(kind)) throw new Error(`no CRD for ${kind} in crds/`);
  }
  // 18 Gardener/monitoring/VPA CRDs plus 4 of machine.sapcloud.io at the pinned commit.
  assertEquals(kinds.size >= 22, true);
});

Deno.test("every served version of every vendored CRD compiles and validates a bare object", () => {
  let versions = 0;
  for (const crd of allCrds()) {
    for (const v of crd.spec.versions.filter((v) => v.served)) {
      const where = `${crd.spec.names.plural}.${crd.spec.group}/${v.name}`;
      const schema = v.schema?.openAPIV3Schema;
      if (!schema) throw new Error(`${where}: no openAPIV3Schema`);
      assertEquals(checkStructuralSchema(schema).map((e) => `${where}: ${e.field}: ${e.message}`), []);
      const bare = { apiVersion: `${crd.spec.group}/${v.name}`, kind: crd.spec.names.kind, metadata: { name: "x" } };
      const { errors } = validateAgainstSchema(schema, bare);
      // A bare object can only miss top-level required fields such as spec.
      for (const e of errors) {
        if (e.type !== "FieldValueRequired" || e.field.includes(".")) {
          throw new Error(`${where}: unexpected error for a bare object: ${e.field}: ${e.message}`);
        }
      }
      versions++;
    }
  }
  assertEquals(versions >= 22, true);
});

for (const [kind, obj] of Object.entries(VALID_OBJECTS)) {
  Deno.test(`valid ${kind} is accepted and nothing is pruned`, () => {
    const pruned: string[] = [];
    const { value, errors } = validateAgainstSchema(schemaOf(kind), obj, { onPruned: (p) => pruned.push(p) });
    assertEquals(errors, []);
    assertEquals(pruned, []);
    // Defaults may only add fields; everything we sent comes back unchanged.
    assertContains(value, obj, kind);
  });
}

for (const c of INVALID_CASES) {
  Deno.test(`invalid ${c.kind}: ${c.what}`, () => {
    const obj = structuredClone(VALID_OBJECTS[c.kind]) as Record<string, unknown>;
    c.mutate(obj);
    const { errors } = validateAgainstSchema(schemaOf(c.kind), obj);
    assertErrors(sortErrors(errors), sortErrors(c.errors));
  });
}

Deno.test("MachineClass.providerSpec is preserved; unknown top-level fields are pruned", () => {
  const mc = structuredClone(VALID_OBJECTS.MachineClass) as Record<string, Record<string, unknown>>;
  mc.providerSpec.someFutureField = { nested: [1, 2, 3] };
  (mc as Record<string, unknown>).bogus = "dropped";
  const { value, errors } = validateAgainstSchema(schemaOf("MachineClass"), mc);
  assertEquals(errors, []);
  const v = value as Record<string, Record<string, unknown>>;
  assertEquals(v.providerSpec.someFutureField, { nested: [1, 2, 3] });
  assertEquals("bogus" in v, false);
});

Deno.test("Worker.spec.unknownField is pruned, providerConfig below a pool is preserved", () => {
  const w = structuredClone(VALID_OBJECTS.Worker) as unknown as {
    spec: Record<string, unknown> & { pools: Array<Record<string, unknown>> };
  };
  w.spec.unknownField = "dropped";
  w.spec.pools[0].alsoUnknown = 1;
  (w.spec.pools[0].providerConfig as Record<string, unknown>).custom = { any: "thing" };
  const pruned: string[] = [];
  const { value, errors } = validateAgainstSchema(schemaOf("Worker"), w, { onPruned: (p) => pruned.push(p) });
  assertEquals(errors, []);
  assertEquals(pruned.sort(), ["spec.pools[0].alsoUnknown", "spec.unknownField"]);
  const spec = (value as typeof w).spec;
  assertEquals("unknownField" in spec, false);
  assertEquals((spec.pools[0].providerConfig as Record<string, unknown>).custom, { any: "thing" });
});

Deno.test("defaults of the real schemas are applied (ManagedResource secretRefs[].name, Worker userDataSecretRef)", () => {
  const mr = structuredClone(VALID_OBJECTS.ManagedResource) as unknown as {
    spec: { secretRefs: Array<Record<string, unknown>> };
  };
  mr.spec.secretRefs = [{}];
  const { value } = validateAgainstSchema(schemaOf("ManagedResource"), mr);
  assertEquals((value as typeof mr).spec.secretRefs, [{ name: "" }]);
  const w = structuredClone(VALID_OBJECTS.Worker) as unknown as {
    spec: { pools: Array<{ userDataSecretRef: Record<string, unknown> }> };
  };
  delete w.spec.pools[0].userDataSecretRef.name;
  const worker = validateAgainstSchema(schemaOf("Worker"), w);
  assertEquals(worker.errors, []);
  assertEquals((worker.value as typeof w).spec.pools[0].userDataSecretRef, { key: "cloud_config", name: "" });
});

function assertContains(actual: unknown, expected: unknown, where: string): void {
  if (typeof expected !== "object" || expected === null) {
    assertEquals(actual, expected, where);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) throw new Error(`${where}: list changed`);
    expected.forEach((e, i) => assertContains(actual[i], e, `${where}[${i}]`));
    return;
  }
  const a = actual as Record<string, unknown>;
  for (const [k, v] of Object.entries(expected as KubeObject)) assertContains(a?.[k], v, `${where}.${k}`);
}
