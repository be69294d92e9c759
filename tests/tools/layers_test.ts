/** The layer check: each rule on a small tree of its own, and the real src/ clean. */
import assert from "node:assert/strict";
import { checkLayers, importsOf, isBarrel } from "../../tools/layers.ts";

const rules = (tree: Record<string, string>) => checkLayers(new Map(Object.entries(tree))).map((v) => v.rule).sort();

Deno.test("layers: product → simulator, simulator → product it stands in for, playground → cli are refused", () => {
  assert.deepEqual(rules({ "k8s/client.ts": 'import { Rng } from "../sim/metal/rng.ts";', "sim/metal/rng.ts": "" }), [
    "layer",
  ]);
  assert.deepEqual(rules({ "sim/nodes/a.ts": 'import type { X } from "../../mcm/driver.ts";', "mcm/driver.ts": "" }), [
    "layer",
  ]);
  assert.deepEqual(rules({ "playground/a.ts": 'const m = await import("../cli/root.ts");', "cli/root.ts": "" }), [
    "layer",
  ]);
  assert.deepEqual(
    rules({ "cli/a.ts": 'import "../sim/x.ts";', "sim/x.ts": 'import "../k8s/y.ts";', "k8s/y.ts": "" }),
    [],
  );
});

Deno.test("layers: the product's floors point down; sibling components and upward imports are refused", () => {
  assert.deepEqual(rules({ "k8s/client/c.ts": 'import "../controller/m.ts";', "k8s/controller/m.ts": "" }), ["layer"]);
  assert.deepEqual(rules({ "metal/client.ts": 'import "../mcm/driver.ts";', "mcm/driver.ts": "" }), ["layer"]);
  assert.deepEqual(rules({ "mcm/a.ts": 'import type { W } from "../extension/w.ts";', "extension/w.ts": "" }), [
    "layer",
  ]);
  assert.deepEqual(
    rules({
      "k8s/controller/m.ts": 'import "../cache/i.ts";',
      "k8s/cache/i.ts": 'import "../api/o.ts";',
      "k8s/api/o.ts": 'import "../../runtime/clock.ts";',
      "runtime/clock.ts": 'import type { L } from "../observability/log.ts";',
      "observability/log.ts": "",
    }),
    [],
  );
});

Deno.test("layers: cycles, deep imports past a barrel, and a mod.ts that is more than a barrel are refused", () => {
  assert.deepEqual(
    rules({ "k8s/a.ts": 'import type { B } from "./b.ts";', "k8s/b.ts": 'import { a } from "./a.ts";' }),
    [
      "cycle",
    ],
  );
  assert.deepEqual(
    rules({
      "sim/metal/mod.ts": 'export * from "./sim.ts";',
      "sim/metal/sim.ts": "export const x = 1;",
      "playground/p.ts": 'import { x } from "../sim/metal/sim.ts";',
    }),
    ["deep-import"],
  );
  assert.deepEqual(rules({ "extension/w/mod.ts": "export const x = 1;" }), ["barrel"]);
});

Deno.test("layers: imports are read from every form; barrels may re-export values and types", () => {
  assert.deepEqual(
    importsOf(
      "a/b/c.ts",
      'import x from "./x.ts";\nexport { y } from "../y.ts";\nimport "./side.ts";\nconst z = await import("../../z.ts");\nimport "npm:zod";',
    ),
    ["a/b/x.ts", "a/y.ts", "a/b/side.ts", "z.ts"],
  );
  assert.ok(
    isBarrel(
      '/** doc */\nexport * from "./a.ts";\nexport {\n  b,\n  type C,\n} from "./b.ts";\nexport type { D } from "./d.ts";\n',
    ),
  );
  assert.ok(!isBarrel('export * from "./a.ts";\nexport function f() {}\n'));
});

Deno.test("layers: src/ keeps the contract", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", new URL("../../tools/layers.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
});
