/**
 * Runs the benchmark scripts of tests/bench (each `*_bench.ts` in its own process, so RSS and CPU are its own).
 * Usage: `deno task bench [substring ...]` runs the scripts whose name contains one of the substrings.
 * Each script prints human-readable lines and, for machines, lines `BENCH {"name","value","unit","goal"?}`.
 * Scripts run with the product's V8 flags (`src/runtime/v8_flags.ts`), so in-process measurements match the binary,
 * except those whose process hosts only the simulated landscape (see LANDSCAPE_ONLY).
 */
import { V8_FLAGS } from "../../src/runtime/v8_flags.ts";

const dir = new URL(".", import.meta.url).pathname;
const filters = Deno.args;
const scripts = [...Deno.readDirSync(dir)]
  .map((e) => e.name)
  .filter((n) => n.endsWith("_bench.ts"))
  .filter((n) => filters.length === 0 || filters.some((f) => n.includes(f)))
  .sort();

/**
 * Scripts whose product components run as subprocesses with the product's flags (the playground passes them): their
 * own process is the simulated landscape, our test rig, and runs with V8's defaults. Under `--lite-mode` (no optimizing
 * compiler) it needed nearly a core for 1,000 machines and could hide the product's own limit.
 */
const LANDSCAPE_ONLY = new Set(["playground_scale_bench.ts"]);

let failed = 0;
for (const script of scripts) {
  console.log(`\n=== ${script}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `--v8-flags=--expose-gc${LANDSCAPE_ONLY.has(script) ? "" : `,${V8_FLAGS}`}`, dir + script],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const status = await child.status;
  if (!status.success) {
    failed++;
    console.log(`!!! ${script} exited with ${status.code}`);
  }
}
console.log(`\n${scripts.length - failed}/${scripts.length} benchmark scripts completed`);
Deno.exit(failed ? 1 : 0);
