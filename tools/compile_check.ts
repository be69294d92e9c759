/**
 * `deno task compile:check`: runs the `compile` task offline and checks what it embeds. `deno compile` normally
 * downloads its runtime (denort); with `DENORT_BIN` pointing at the running Deno binary it builds without network.
 * That output is not a runnable product (the full CLI ignores the payload), but the module graph, the npm packages,
 * the `--include`d folders and the embedding are exactly those of the real build, so a broken image build fails here.
 *
 * Checks: the compile succeeds; the payload (binary size minus the runtime it was built on) stays within its budget;
 * every `--include` of the task is embedded; no test-only or tooling package is. Prints one summary line.
 */
const root = new URL("../", import.meta.url).pathname;
const MB = 1024 * 1024;
/** The payload budget of docs/performance.md. */
const PAYLOAD_BUDGET_MB = 20;
/** Packages only tests or tooling may use; none of them may reach the binary. */
const FORBIDDEN_PACKAGES = ["@kubernetes/client-node", "ajv", "ajv-formats", "typescript", "@bufbuild/protoc-gen-es"];

/**
 * The embedded files of `deno compile`'s listing as paths. The listing is a tree: each level indents by two
 * characters, then a connector (`├── `, `└─┬ `, ...) and the entry's name (a folder ends in `/*` when collapsed).
 */
export function embeddedPaths(listing: string): string[] {
  const stack: string[] = [];
  const paths: string[] = [];
  for (const line of listing.split("\n")) {
    const m = /^([│ ]*)[├└]─[─┬] (.+?)(?: \(.*\))?$/.exec(line);
    if (!m) continue;
    const depth = [...m[1]].length / 2;
    stack.length = depth;
    stack.push(m[2]);
    paths.push(stack.join("/"));
  }
  return paths;
}

async function main(): Promise<void> {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`)) as { tasks: Record<string, string> };
  const task = config.tasks.compile;
  const output = /--output[= ](\S+)/.exec(task)?.[1];
  if (!output) throw new Error(`the compile task names no --output: ${task}`);
  const includes = [...task.matchAll(/--include[= ](\S+)/g)].map((m) => m[1].replace(/\/$/, ""));

  const runtime = Deno.execPath();
  const result = await new Deno.Command(runtime, {
    args: ["task", "compile"],
    cwd: root,
    env: { DENORT_BIN: runtime, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const listing = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
  const problems: string[] = [];
  if (!result.success) {
    console.error(listing.slice(-4000));
    problems.push(`deno task compile failed (exit ${result.code})`);
  } else {
    const payload = (await Deno.stat(`${root}${output}`)).size - (await Deno.stat(runtime)).size;
    const payloadMb = payload / MB;
    if (payloadMb > PAYLOAD_BUDGET_MB) {
      problems.push(`payload ${payloadMb.toFixed(2)} MB exceeds the budget of ${PAYLOAD_BUDGET_MB} MB`);
    }
    const paths = embeddedPaths(listing);
    for (const dir of includes) {
      if (!paths.some((p) => p === `${dir}/*` || p === dir)) problems.push(`--include ${dir}/ is not embedded`);
    }
    for (const pkg of FORBIDDEN_PACKAGES) {
      const hit = paths.find((p) => p.includes(`/${pkg}/`) || p.includes(`/${pkg}@`));
      if (hit) problems.push(`${pkg} is embedded (${hit})`);
    }
    const files = /Files:\s*(\S+)/.exec(listing)?.[1] ?? "?";
    console.log(
      `compile: payload ${payloadMb.toFixed(2)} MB (budget ${PAYLOAD_BUDGET_MB} MB; embedded files ${files}), ` +
        `includes ${includes.join(", ")}`,
    );
    await Deno.remove(`${root}${output}`);
  }
  if (problems.length) {
    for (const p of problems) console.error(`compile check: ${p}`);
    Deno.exit(1);
  }
}

if (import.meta.main) await main();
