/** The build and CI wiring: one compile task used by the Dockerfile, CI running the README's test command. */
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, root));
const tasks = (JSON.parse(await read("deno.json")) as { tasks: Record<string, string> }).tasks;

Deno.test("Dockerfile: Deno 2.9.3 builder runs the compile task; the image is distroless cc, nonroot", async () => {
  const docker = await read("Dockerfile");
  const stages = docker.split(/^FROM /m).slice(1);
  assert.equal(stages.length, 2, "a builder and a final stage");
  assert.match(stages[0], /^denoland\/deno:2\.9\.3 AS build/);
  assert.match(stages[0], /^RUN deno task compile$/m);
  assert.match(stages[1], /^gcr\.io\/distroless\/cc-debian12:nonroot/);
  assert.match(stages[1], /^USER nonroot:nonroot$/m);
  assert.match(stages[1], /^ENTRYPOINT \["\/provider-equinix-metal"\]$/m);
});

Deno.test("Dockerfile: the builder copies every path the compile task includes", async () => {
  const docker = await read("Dockerfile");
  const includes = [...tasks.compile.matchAll(/--include[= ](\S+)/g)].map((m) => m[1]);
  assert.ok(includes.length > 0, tasks.compile);
  for (const path of ["src/", ...includes]) {
    assert.match(docker, new RegExp(`^COPY ${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} `, "m"), path);
  }
});

Deno.test("CI: fmt, lint, check, the offline compile, the README's test command in a copy with nothing beside it", async () => {
  const readme = await read("README.md");
  const ci = await read(".ci/run");
  const testCommand = /^(npx -y deno@2\.9\.3 task test)\b/m.exec(readme.split("```")[1] ?? "")?.[1];
  assert.ok(testCommand, "the README's first code block gives the test command");
  // The test command runs inside the copy (a subshell that changed into it), so it may be indented.
  assert.match(ci, new RegExp(`^\\s*${testCommand.replaceAll(".", "\\.")}$`, "m"));
  assert.match(
    ci,
    /tar --exclude=\.\/node_modules --exclude=\.\/dist --exclude=\.\/\.git -cf - \. \| tar -xf - -C "\$alone"/,
  );
  for (const step of [/^deno fmt --check$/m, /^deno lint$/m, /^deno task check$/m, /^deno task compile:check$/m]) {
    assert.match(ci, step);
  }
  assert.equal(tasks.test.split(/\s+/).slice(0, 2).join(" "), "deno test");
});
