/**
 * docs/development.md and README against the code: every `deno task` they name exists in deno.json, and every flag
 * docs/development.md names is a flag of some command of the binary (or of Deno or a tool; `--metal-*` is a family).
 */
import assert from "node:assert/strict";
import { cli } from "../../src/cli/root.ts";
import { flagName, type Flags } from "../../src/runtime/flags.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
/** Flags of Deno (in task definitions) and of the tools (`structure --top N`, `registration --registry R`). */
const OTHER_FLAGS = new Set(["--frozen", "--parallel", "--top", "--registry"]);

Deno.test("docs/development.md and README name only deno tasks that exist", async () => {
  const { tasks } = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as { tasks: Record<string, string> };
  for (const page of ["docs/development.md", "README.md"]) {
    const text = await Deno.readTextFile(`${ROOT}${page}`);
    const named = [...text.matchAll(/deno(?:@[\d.]+)? task ([a-z][a-z:-]*)/g)].map((m) => m[1]);
    assert.ok(named.length > 0, page);
    for (const task of named) assert.ok(task in tasks, `${page}: deno task ${task}`);
  }
});

Deno.test("docs/development.md names only flags that a command has", async () => {
  const known = new Set<string>(OTHER_FLAGS);
  for (const flags of [cli.globals, ...cli.commands.map((c) => c.flags)] as Flags[]) {
    for (const [key, flag] of Object.entries(flags)) {
      known.add(flagName(key));
      for (const alias of flag.aliases ?? []) known.add(`--${alias}`);
      if (flag.kind === "switch") known.add(`--no-${flagName(key).slice(2)}`);
    }
  }
  const text = await Deno.readTextFile(`${ROOT}docs/development.md`);
  const named = [...text.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*(?![\w*-])/g)].map((m) => m[0]);
  assert.ok(named.length > 20);
  assert.deepEqual([...new Set(named.filter((f) => !known.has(f)))], []);
});
