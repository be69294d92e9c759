/** Template hash, MachineSet name and template equality (what makes a new MachineSet). */
import { deepStrictEqual as assertEquals, notDeepStrictEqual, ok } from "node:assert/strict";
import type { MachineTemplateSpec } from "../../../src/apis/machine/v1alpha1.ts";
import { canonicalJson, semanticEqual } from "../../../src/sim/machinedeployments/canonical_json.ts";
import {
  machineSetName,
  safeEncode,
  templateHash,
  templatesEqualIgnoringHash,
} from "../../../src/sim/machinedeployments/template_hash.ts";

const template = (): MachineTemplateSpec => ({
  metadata: { labels: { name: "md" } },
  spec: {
    class: { kind: "MachineClass", name: "c1" },
    nodeTemplate: { metadata: { labels: { a: "b" } } },
    drainTimeout: "2h",
  },
});

Deno.test("the hash is a deterministic decimal, independent of key order and of its own label", () => {
  const h = templateHash(template());
  ok(/^\d+$/.test(h));
  assertEquals(templateHash(template()), h);
  const reordered: MachineTemplateSpec = {
    spec: {
      drainTimeout: "2h",
      nodeTemplate: { metadata: { labels: { a: "b" } } },
      class: { name: "c1", kind: "MachineClass" },
    },
    metadata: { labels: { name: "md" } },
  };
  assertEquals(templateHash(reordered), h);
  const labelled = template();
  labelled.metadata!.labels!["machine-template-hash"] = "123";
  assertEquals(templateHash(labelled), h);
});

Deno.test("the class, the config and the collision count change the hash", () => {
  const h = templateHash(template());
  const other = template();
  other.spec!.class!.name = "c2";
  notDeepStrictEqual(templateHash(other), h);
  const config = template();
  config.spec!.drainTimeout = "1h";
  notDeepStrictEqual(templateHash(config), h);
  notDeepStrictEqual(templateHash(template(), 1), h);
  notDeepStrictEqual(templateHash(template(), 1), templateHash(template(), 2));
  assertEquals(templateHash(template(), 1), templateHash(template(), 1));
});

Deno.test("set names use Kubernetes' safe alphabet (no vowels, no 0/1/3)", () => {
  assertEquals(safeEncode("0123456789"), "456789bcdf"); // byte % 27 into "bcdfghjklmnpqrstvwxz2456789"
  const name = machineSetName("shoot--a-pool", "3735928559");
  ok(name.startsWith("shoot--a-pool-"));
  ok(/^[bcdfghjklmnpqrstvwxz2456789]+$/.test(name.slice("shoot--a-pool-".length)));
});

Deno.test("template equality ignores the hash label and the node template, nothing else", () => {
  const a = template();
  const b = template();
  b.metadata!.labels!["machine-template-hash"] = "42";
  b.spec!.nodeTemplate = { metadata: { labels: { changed: "yes" } } };
  ok(templatesEqualIgnoringHash(a, b));
  const c = template();
  c.spec!.class!.name = "c2";
  ok(!templatesEqualIgnoringHash(a, c));
  const d = template();
  d.metadata!.labels!.extra = "x";
  ok(!templatesEqualIgnoringHash(a, d));
  const e = template();
  e.spec!.healthTimeout = "10m";
  ok(!templatesEqualIgnoringHash(a, e));
});

Deno.test("semantic equality: absent, null, empty list and empty map are the same", () => {
  ok(semanticEqual({ a: [], b: {}, c: null }, {}));
  ok(semanticEqual({ x: { y: undefined } }, undefined));
  ok(!semanticEqual({ a: 0 }, {}), "0 is a value");
  ok(!semanticEqual({ a: false }, {}), "false is a value");
  ok(!semanticEqual([1, 2], [2, 1]), "lists keep their order");
  assertEquals(canonicalJson({ b: 1, a: { d: [], c: 2 } }), '{"a":{"c":2},"b":1}');
});
