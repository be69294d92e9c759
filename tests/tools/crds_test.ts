/**
 * The vendored CRDs and the tool that makes them: crds/ is exactly what tools/crds.ts makes of it (so regenerating
 * from the upstream files gives the same bytes), no schema keeps a description, and the tool keeps everything else.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { CRD_GROUPS, loadCrds, VENDORED_CRD_DIR } from "../../src/playground/crds.ts";
import { HEADER, main, structuralCrd, vendorCrds, vendorCrdText } from "../../tools/crds.ts";

type Obj = Record<string, unknown>;

/** Every `description` key with a string value below `node`, with its path (independent of the tool's walker). */
function descriptionKeywords(node: unknown, path: string, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((v, i) => descriptionKeywords(v, `${path}[${i}]`, out));
  else if (typeof node === "object" && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === "description" && typeof v === "string") out.push(path);
      descriptionKeywords(v, `${path}.${k}`, out);
    }
  }
  return out;
}

Deno.test("crds/ is exactly what tools/crds.ts makes of it: same files, same bytes", () => {
  assert.deepEqual(vendorCrds(VENDORED_CRD_DIR, VENDORED_CRD_DIR, { check: true }), []);
  for (const group of CRD_GROUPS) {
    for (const e of Deno.readDirSync(`${VENDORED_CRD_DIR}/${group}`)) {
      const text = Deno.readTextFileSync(`${VENDORED_CRD_DIR}/${group}/${e.name}`);
      assert.ok(text.startsWith(HEADER), `${group}/${e.name} says that it was changed and where it came from`);
    }
  }
  const messages: string[] = [];
  assert.equal(main(["--check", VENDORED_CRD_DIR], (l) => messages.push(l)), 0);
  assert.deepEqual(messages, ["crds/: up to date"]);
});

Deno.test("no schema node of a vendored CRD keeps a description; properties named description stay", () => {
  const crds = loadCrds();
  assert.equal(crds.length, 22);
  for (const crd of crds) {
    const versions = (crd as unknown as { spec: { versions: Array<{ name: string; schema: Obj }> } }).spec.versions;
    for (const v of versions) {
      assert.deepEqual(descriptionKeywords(v.schema, `${crd.metadata.name}/${v.name}`), []);
    }
  }
  const machines = crds.find((c) => c.metadata.name === "machines.machine.sapcloud.io") as unknown as {
    spec: { versions: Array<{ schema: { openAPIV3Schema: Obj } }> };
  };
  const status = (machines.spec.versions[0].schema.openAPIV3Schema as {
    properties: { status: { properties: { lastOperation: { properties: Obj; required?: string[] } } } };
  }).properties.status.properties;
  assert.deepEqual(status.lastOperation.properties.description, { type: "string" });
});

/** A CRD with a description at every kind of schema position, and data that merely contains the word. */
function sampleCrd(): Obj {
  const d = (extra: Obj = {}) => ({ description: "prose", ...extra });
  return {
    kind: "CustomResourceDefinition",
    apiVersion: "apiextensions.k8s.io/v1",
    metadata: { name: "things.example.com" },
    spec: {
      scope: "Namespaced",
      group: "example.com",
      names: { plural: "things", kind: "Thing" },
      versions: [{
        name: "v1",
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [{ name: "State", jsonPath: ".status.state", type: "string", description: "kept" }],
        schema: {
          openAPIV3Schema: d({
            type: "object",
            properties: {
              description: d({ type: "string", pattern: "^[a-z]+$" }),
              list: d({
                type: "array",
                items: d({ type: "string", enum: ["a", "b"] }),
                "x-kubernetes-list-type": "set",
              }),
              map: d({ type: "object", additionalProperties: d({ type: "integer", format: "int32", default: 3 }) }),
              either: d({ "x-kubernetes-int-or-string": true, anyOf: [d({ type: "integer" }), d({ type: "string" })] }),
              all: d({ allOf: [d({ minLength: 1 })], oneOf: [d({ required: ["x"] })], not: d({ required: ["y"] }) }),
              patterned: d({ type: "object", patternProperties: { "^k": d({ type: "string" }) } }),
              data: d({
                type: "object",
                "x-kubernetes-preserve-unknown-fields": true,
                default: { description: "data, not a keyword" },
                "x-kubernetes-validations": [{ rule: "self.size() > 0", message: "m" }],
              }),
            },
            required: ["description"],
          }),
        },
      }],
    },
  };
}

Deno.test("structuralCrd removes the description keyword of every schema node and nothing else", () => {
  const crd = sampleCrd();
  const before = structuredClone(crd);
  const out = structuralCrd(crd);
  assert.deepEqual(crd, before, "the input is not changed");
  const schema = (out as { spec: { versions: Array<{ schema: { openAPIV3Schema: Obj } }> } }).spec.versions[0].schema
    .openAPIV3Schema;
  assert.deepEqual(schema, {
    type: "object",
    properties: {
      description: { type: "string", pattern: "^[a-z]+$" },
      list: { type: "array", items: { type: "string", enum: ["a", "b"] }, "x-kubernetes-list-type": "set" },
      map: { type: "object", additionalProperties: { type: "integer", format: "int32", default: 3 } },
      either: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
      all: { allOf: [{ minLength: 1 }], oneOf: [{ required: ["x"] }], not: { required: ["y"] } },
      patterned: { type: "object", patternProperties: { "^k": { type: "string" } } },
      data: {
        type: "object",
        "x-kubernetes-preserve-unknown-fields": true,
        default: { description: "data, not a keyword" },
        "x-kubernetes-validations": [{ rule: "self.size() > 0", message: "m" }],
      },
    },
    required: ["description"],
  });
  const version = (out as { spec: { versions: Obj[] } }).spec.versions[0];
  assert.deepEqual(version.additionalPrinterColumns, [
    { name: "State", jsonPath: ".status.state", type: "string", description: "kept" },
  ]);
  assert.deepEqual({ ...out, spec: { ...(out.spec as Obj), versions: [] } }, {
    ...before,
    spec: { ...(before.spec as Obj), versions: [] },
  });
});

Deno.test("vendorCrdText: sorted keys, YAML 1.1-safe scalars, the same bytes again when fed its own output", () => {
  const crd = sampleCrd();
  const spec = crd.spec as { versions: Array<{ schema: { openAPIV3Schema: { properties: Obj } } }> };
  spec.versions[0].schema.openAPIV3Schema.properties.mode = { type: "string", enum: ["Off", "Auto", "yes"] };
  const source = "---\n" + JSON.stringify(crd);
  const once = vendorCrdText(source, "things.yaml");
  assert.equal(vendorCrdText(source, "things.yaml"), once, "deterministic");
  assert.equal(vendorCrdText(once, "things.yaml"), once, "idempotent");
  assert.ok(once.startsWith(`${HEADER}apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n`), once);
  // A YAML 1.1 reader (kubectl's) would read a bare Off or yes as a boolean.
  assert.match(once, /^ *- "Off"$/m);
  assert.match(once, /^ *- "yes"$/m);
  assert.deepEqual(parse(once), structuralCrd(crd));
  assert.throws(
    () => vendorCrdText("apiVersion: v1\nkind: ConfigMap\n", "cm.yaml"),
    /cm\.yaml#1: not an apiextensions/,
  );
  assert.throws(() => vendorCrdText("", "empty.yaml"), /empty\.yaml: no CustomResourceDefinition/);
});

Deno.test("vendorCrds writes the vendored form of a source directory, removes what the source lacks, checks", () => {
  const src = Deno.makeTempDirSync({ prefix: "crds-src-" });
  const out = Deno.makeTempDirSync({ prefix: "crds-out-" });
  try {
    for (const g of CRD_GROUPS) Deno.mkdirSync(`${src}/${g}`);
    Deno.writeTextFileSync(`${src}/gardener/10-crd-example.com_things.yaml`, JSON.stringify(sampleCrd()));
    Deno.copyFileSync(
      `${VENDORED_CRD_DIR}/machine/10-crd-machine.sapcloud.io_machines.yaml`,
      `${src}/machine/10-crd-machine.sapcloud.io_machines.yaml`,
    );
    Deno.mkdirSync(`${out}/machine`);
    Deno.writeTextFileSync(`${out}/machine/10-crd-stale.yaml`, "stale");

    const check = vendorCrds(src, out, { check: true });
    assert.deepEqual(check, [
      { file: "gardener/10-crd-example.com_things.yaml", kind: "added" },
      { file: "machine/10-crd-machine.sapcloud.io_machines.yaml", kind: "added" },
      { file: "machine/10-crd-stale.yaml", kind: "removed" },
    ]);
    assert.deepEqual(
      [...Deno.readDirSync(`${out}/machine`)].map((e) => e.name),
      ["10-crd-stale.yaml"],
      "check writes nothing",
    );

    assert.deepEqual(vendorCrds(src, out), check);
    assert.deepEqual([...Deno.readDirSync(`${out}/machine`)].map((e) => e.name), [
      "10-crd-machine.sapcloud.io_machines.yaml",
    ]);
    assert.equal(
      Deno.readTextFileSync(`${out}/machine/10-crd-machine.sapcloud.io_machines.yaml`),
      Deno.readTextFileSync(`${VENDORED_CRD_DIR}/machine/10-crd-machine.sapcloud.io_machines.yaml`),
    );
    assert.deepEqual(vendorCrds(src, out, { check: true }), [], "up to date after writing");
    Deno.writeTextFileSync(`${out}/gardener/10-crd-example.com_things.yaml`, "edited by hand\n");
    assert.deepEqual(vendorCrds(src, out, { check: true }), [
      { file: "gardener/10-crd-example.com_things.yaml", kind: "changed" },
    ]);

    Deno.removeSync(`${src}/machine`, { recursive: true });
    assert.throws(() => vendorCrds(src, out), new RegExp(`no CRD files \\(\\*\\.yaml\\) in ${src}/machine`));
  } finally {
    Deno.removeSync(src, { recursive: true });
    Deno.removeSync(out, { recursive: true });
  }
});

Deno.test("the crds task: usage errors exit 2, a missing source directory exits 1 naming it", () => {
  const lines: string[] = [];
  assert.equal(main([], (l) => lines.push(l)), 2);
  assert.equal(main(["a", "b"], (l) => lines.push(l)), 2);
  assert.equal(main(["--check", "/nonexistent-crds"], (l) => lines.push(l)), 1);
  assert.match(lines.join("\n"), /^usage: deno task crds \[--check\] <dir/m);
  assert.match(lines.at(-1)!, /^crds: no CRD files \(\*\.yaml\) in \/nonexistent-crds\/gardener$/);
});
