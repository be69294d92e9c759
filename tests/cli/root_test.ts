/** The CLI as users meet it: every command has --help, unknown flags are errors. Runs the real entry point. */
import assert from "node:assert/strict";
import { cli } from "../../src/cli/root.ts";
import { cliCommand } from "../../src/playground/components.ts";

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: cliCommand(args),
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout), stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("version prints the product name and version, also as JSON", async () => {
  const text = await run(["version"]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^provider-equinix-metal \d+\.\d+\.\d+/);
  const json = await run(["version", "-o", "json"]);
  assert.equal(JSON.parse(json.stdout).name, "provider-equinix-metal");
});

Deno.test("unknown flags are errors, for the root and for subcommands", async () => {
  for (const args of [["--no-such-flag"], ["version", "--no-such-flag"]]) {
    const r = await run(args);
    assert.notEqual(r.code, 0, `${args.join(" ")} must fail`);
    assert.match(r.stderr, /unknown flag --no-such-flag/);
  }
});

Deno.test("every command has --help", async () => {
  const names = cli.commands.map((c) => c.name);
  assert.ok(names.includes("version"));
  for (const name of names) {
    const r = await run([name, "--help"]);
    assert.equal(r.code, 0, `${name} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`Usage: provider-equinix-metal ${name}`));
  }
});

Deno.test("global log options are validated", async () => {
  const r = await run(["--log-level", "verbose", "version"]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--log-level: invalid value \\"verbose\\"; allowed: debug, info, error/);
});
