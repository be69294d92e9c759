/**
 * How the CLI fails, through the real entry point: every usage and start-up error is exactly one line on stderr (a
 * log line in the `--log-format` asked for, JSON by default), exit code 1, no stack frame, no terminal escape,
 * secrets redacted. Help still goes to stdout with exit code 0.
 */
import assert from "node:assert/strict";
import { describeError, logFormatFromArgs, oneLine } from "../../src/cli/errors.ts";
import { FIXTURE_SECRET } from "./fixtures/failing_cli.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MAIN = `${ROOT}src/main.ts`;
const FIXTURE = `${ROOT}tests/cli/fixtures/failing_cli.ts`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno run -P` on `script` with `args`; `env` entries replace the process environment's, `null` removes one. */
async function runScript(script: string, args: string[], env: Record<string, string | null> = {}): Promise<Result> {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...Deno.env.toObject(), ...env })) if (v !== null) merged[k] = v;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P", "--quiet", script, ...args],
    cwd: ROOT,
    clearEnv: true,
    env: merged,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout), stderr: new TextDecoder().decode(out.stderr) };
}

const run = (args: string[], env?: Record<string, string | null>) => runScript(MAIN, args, env);

/** A run without any way to find a kubeconfig or the CMI endpoint. */
const NO_CLUSTER = { KUBECONFIG: null, KUBERNETES_SERVICE_HOST: null, CMI_ENDPOINT: null, HOME: "/nonexistent" };

interface ErrorLine {
  level: string;
  ts: string;
  logger: string;
  msg: string;
  error: string;
  hint?: string;
}

/** Asserts the shape every failure shares and returns the one line, parsed (JSON) or split at tabs (text). */
function errorLine(r: Result, format: "json" | "text" = "json"): ErrorLine {
  const what = `stderr: ${r.stderr}`;
  assert.equal(r.code, 1, what);
  assert.equal(r.stdout, "", "nothing on stdout");
  assert.ok(r.stderr.endsWith("\n"), what);
  const lines = r.stderr.slice(0, -1).split("\n");
  assert.equal(lines.length, 1, `exactly one line; ${what}`);
  assert.ok(!r.stderr.includes("    at "), `no stack frame; ${what}`);
  assert.ok(!r.stderr.includes("\x1b"), `no terminal escape; ${what}`);
  if (format === "json") {
    const line = JSON.parse(lines[0]) as ErrorLine;
    assert.equal(line.level, "error");
    assert.ok(!Number.isNaN(Date.parse(line.ts)), `ts is a time: ${line.ts}`);
    for (const field of ["logger", "msg", "error"] as const) assert.equal(typeof line[field], "string", field);
    return line;
  }
  const [ts, level, logger, msg, ...fields] = lines[0].split("\t");
  assert.ok(!Number.isNaN(Date.parse(ts)), `ts is a time: ${ts}`);
  assert.equal(level, "ERROR");
  const field = (name: string) => {
    const f = fields.find((x) => x.startsWith(`${name}=`));
    return f === undefined ? undefined : JSON.parse(f.slice(name.length + 1)) as string;
  };
  return { level, ts, logger, msg, error: field("error") ?? "", hint: field("hint") };
}

/** Asserts a usage error of `command` (a subcommand name, or "" for the root) whose text matches `error`. */
function assertUsageError(r: Result, command: string, error: RegExp, format: "json" | "text" = "json"): void {
  const line = errorLine(r, format);
  assert.equal(line.msg, "Invalid command line");
  assert.equal(line.logger, command || "provider-equinix-metal");
  assert.equal(line.hint, `see 'provider-equinix-metal${command ? ` ${command}` : ""} --help'`);
  assert.match(line.error, error);
}

/** Asserts a start-up error of `command` whose text matches `error`. */
function assertStartupError(r: Result, command: string, error: RegExp): ErrorLine {
  const line = errorLine(r);
  assert.equal(line.msg, "Command failed");
  assert.equal(line.logger, command);
  assert.equal(line.hint, undefined);
  assert.match(line.error, error);
  return line;
}

Deno.test("usage errors: unknown flag or command, bad choice or value, missing command", async () => {
  assertUsageError(await run(["--no-such-flag"]), "", /^unknown flag --no-such-flag$/);
  assertUsageError(await run(["extension", "--bogus-flag"]), "extension", /^unknown flag --bogus-flag$/);
  assertUsageError(await run(["extention"]), "", /^unknown command "extention" \(did you mean extension\?\)$/);
  assertUsageError(
    await run(["--log-level", "warn", "version"]),
    "",
    /^--log-level: invalid value "warn"; allowed: debug, info, error$/,
  );
  assertUsageError(
    await run(["cmi", "--listen", "tcp://127.0.0.1:0", "--drain-timeout-ms", "abc"]),
    "cmi",
    /^--drain-timeout-ms: expected a number of milliseconds/,
  );
  assertUsageError(await run(["metal-simulator", "--random-seed", "x"]), "metal-simulator", /^--random-seed: /);
  assertUsageError(await run([]), "", /^no command given$/);
  assertUsageError(await run(["help", "nosuch"]), "", /^unknown command "nosuch"$/);
});

Deno.test("a missing mandatory option is a usage error: cmi without --listen and CMI_ENDPOINT", async () => {
  assertUsageError(
    await run(["cmi"], NO_CLUSTER),
    "cmi",
    /^required flag --listen <endpoint> not given \(nor \$CMI_ENDPOINT\)$/,
  );
  assertUsageError(
    await run(["cmi"], { ...NO_CLUSTER, CMI_ENDPOINT: "" }),
    "cmi",
    /^required flag --listen <endpoint> not given \(nor \$CMI_ENDPOINT\)$/,
  );
});

Deno.test("our own flag validation: every invalid flag in one line, exit code 1", async () => {
  assertUsageError(
    await run(["extension", "--leader-election=maybe", "--controllers", "infrastructure,foo"]),
    "extension",
    /^invalid flags: --leader-election: invalid boolean "maybe"; --controllers: unknown controller\(s\) foo /,
  );
  assertUsageError(
    await run(["extension", "--extension-classes", "shoot,cluster", "--autonomous-shoot-cluster=perhaps"]),
    "extension",
    /--autonomous-shoot-cluster: invalid boolean "perhaps"; --extension-classes: unsupported value "cluster"/,
  );
  assertUsageError(
    await run(["machine-controller", "--port", "0", "--v", "x"]),
    "machine-controller",
    /^invalid flags: --port: 0 must be between 1 and 65535 inclusive; --v: invalid integer "x"$/,
  );
  assertUsageError(await run(["demo", "--pools", "2"]), "playground", /^--pools and --machines-per-pool go together$/);
});

Deno.test("machine-controller start-up errors name the flag; a broken kubeconfig's token never appears", async () => {
  const none = assertStartupError(
    await run(["machine-controller"], NO_CLUSTER),
    "machine-controller",
    /^--target-kubeconfig: no Kubernetes configuration found: pass --target-kubeconfig, set KUBECONFIG/,
  );
  assert.doesNotMatch(none.error, /--kubeconfig\b/, "machine-controller has no --kubeconfig flag");
  assertStartupError(
    await run(["machine-controller", "--target-kubeconfig=/nonexistent"], NO_CLUSTER),
    "machine-controller",
    /^--target-kubeconfig: kubeconfig \/nonexistent: cannot read: /,
  );
  const dir = await Deno.makeTempDir({ prefix: "cli-errors-" });
  try {
    const kubeconfig = (userLine: string) =>
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: c",
        "  cluster: {server: 'https://127.0.0.1:1'}",
        "users:",
        "- name: u",
        "  user:",
        `    ${userLine}`,
        "contexts:",
        "- name: x",
        "  context: {cluster: c, user: u}",
        "current-context: x",
        "",
      ].join("\n");
    const broken = `${dir}/broken.kubeconfig`;
    await Deno.writeTextFile(broken, kubeconfig("token: sha256~BrokenKubeconfigToken0123456789: broken: ["));
    const valid = `${dir}/valid.kubeconfig`;
    await Deno.writeTextFile(valid, kubeconfig("token: sha256~ValidKubeconfigToken0123456789"));
    for (
      const [flag, args] of [
        ["--target-kubeconfig", ["--target-kubeconfig", broken]],
        ["--control-kubeconfig", ["--control-kubeconfig", broken, "--target-kubeconfig", valid]],
      ] as const
    ) {
      const r = await run(["machine-controller", ...args], NO_CLUSTER);
      assertStartupError(r, "machine-controller", new RegExp(`^${flag}: kubeconfig \\S+: not valid YAML at line 9, `));
      assert.ok(!r.stderr.includes("BrokenKubeconfigToken"), `the token is not printed: ${r.stderr}`);
      assert.ok(!r.stderr.includes("broken: ["), `no source line is quoted: ${r.stderr}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cmi: a bad --listen or CMI_ENDPOINT is a usage error; a non-socket path a start-up error", async () => {
  assertUsageError(await run(["cmi", "--listen", "foo://x"]), "cmi", /^--listen: invalid CMI endpoint "foo:\/\/x"/);
  assertUsageError(
    await run(["cmi"], { ...NO_CLUSTER, CMI_ENDPOINT: "udp://x:1" }),
    "cmi",
    /^\$CMI_ENDPOINT: invalid CMI endpoint "udp:\/\/x:1": unknown scheme/,
  );
  assertUsageError(
    await run(["cmi", "--listen", "tcp://127.0.0.1:0", "--metal-api-url", "nope"]),
    "cmi",
    /^--metal-api-url: not an absolute http\(s\) URL: "nope"$/,
  );
  const file = await Deno.makeTempFile({ prefix: "cli-errors-" });
  try {
    assertStartupError(
      await run(["cmi", "--listen", `unix://${file}`]),
      "cmi",
      /^cannot listen on unix socket \S+: the path exists and is not a socket$/,
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("--log-format text: one text line, wherever the flag stands, even if parsing stops first", async () => {
  assertUsageError(
    await run(["extension", "--bogus", "--log-format", "text"]),
    "extension",
    /^unknown flag --bogus$/,
    "text",
  );
  assertUsageError(await run(["--log-format=text", "--bogus"]), "", /^unknown flag --bogus$/, "text");
  const line = errorLine(
    await run(["--log-format", "text", "machine-controller", "--target-kubeconfig=/nonexistent"], NO_CLUSTER),
    "text",
  );
  assert.equal(line.logger, "machine-controller");
  assert.equal(line.msg, "Command failed");
  assert.match(line.error, /^--target-kubeconfig: kubeconfig \/nonexistent: cannot read/);
});

Deno.test("--help prints help on stdout and exits 0", async () => {
  for (const args of [["--help"], ["extension", "--help"], ["help", "cmi"]]) {
    const r = await run(args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^Usage: provider-equinix-metal/);
  }
});

Deno.test("catch-all: a thrown error or unhandled rejection ends with one redacted line, exit 1", async () => {
  const thrown = errorLine(await runScript(FIXTURE, ["throw"]));
  assert.equal(thrown.logger, "throw");
  assert.equal(thrown.msg, "Command failed");
  assert.equal(thrown.error, "cannot start: credential [REDACTED] was refused");
  const rejected = await runScript(FIXTURE, ["reject"]);
  assert.equal(errorLine(rejected).error, "background task failed with [REDACTED]");
  assert.ok(!rejected.stderr.includes(FIXTURE_SECRET));
});

Deno.test("logFormatFromArgs: the last valid --log-format before --, else json", () => {
  assert.equal(logFormatFromArgs([]), "json");
  assert.equal(logFormatFromArgs(["extension", "--log-format", "text"]), "text");
  assert.equal(logFormatFromArgs(["--log-format=text", "--log-format=json"]), "json");
  assert.equal(logFormatFromArgs(["--log-format=text", "--log-format", "yaml"]), "text");
  assert.equal(logFormatFromArgs(["--log-format"]), "json");
  assert.equal(logFormatFromArgs(["--", "--log-format=text"]), "json");
});

Deno.test("oneLine and describeError: one line, no escapes, causes and aggregated errors included", () => {
  assert.equal(oneLine("invalid seed\n  a: bad\n\n  b: worse\n"), "invalid seed; a: bad; b: worse");
  assert.equal(oneLine("\x1b[31mred\x1b[0m text"), "red text");
  assert.equal(describeError(new Error("outer", { cause: new Error("inner") })), "outer: inner");
  assert.equal(describeError(new Error("outer: inner", { cause: new Error("inner") })), "outer: inner");
  assert.equal(describeError(new AggregateError([new Error("a"), "b"], "both failed")), "both failed: a: b");
  assert.equal(describeError("plain"), "plain");
});
