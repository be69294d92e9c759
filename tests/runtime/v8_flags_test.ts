import assert from "node:assert/strict";
import { V8_FLAGS } from "../../src/runtime/v8_flags.ts";
import { cliCommand } from "../../src/playground/components.ts";

const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url))) as {
  tasks: Record<string, string>;
};

Deno.test("v8 flags: the cli, demo and compile tasks start with exactly the flags of src/runtime/v8_flags.ts", () => {
  for (const task of ["cli", "demo", "compile"]) {
    const flags = config.tasks[task].split(/\s+/).filter((w) => w.startsWith("--v8-flags="));
    assert.deepEqual(flags, [`--v8-flags=${V8_FLAGS}`], `task ${task}: ${config.tasks[task]}`);
  }
});

Deno.test("v8 flags: the playground starts its components with the same flags and permissions", () => {
  const args = cliCommand(["version"]);
  assert.deepEqual(args.slice(0, 4), ["run", "-P", "--no-prompt", "--quiet"]);
  assert.match(args[4], /^--config=\/.*\/deno\.json$/);
  assert.equal(args[5], `--v8-flags=${V8_FLAGS}`);
  assert.match(args[6], /\/src\/main\.ts$/);
  assert.deepEqual(args.slice(7), ["version"]);
});

Deno.test("v8 flags: the flag takes effect in a process started that way (a smaller young generation)", async () => {
  const probe = `import v8 from "node:v8";
console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_size);`;
  const sizeWith = async (flags: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), { args: ["eval", ...flags, probe] }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return Number(new TextDecoder().decode(out.stdout).trim());
  };
  const plain = await sizeWith([]);
  const sized = await sizeWith([`--v8-flags=${V8_FLAGS}`]);
  assert.ok(sized < plain, `new space ${sized} with the flags, ${plain} without`);
});
