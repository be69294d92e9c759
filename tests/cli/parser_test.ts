/** The command-line parser: pflag-style flags, globals anywhere, env fallbacks, defaults, usage errors, help. */
import assert from "node:assert/strict";
import { command, parse, UsageError } from "../../src/cli/parser.ts";
import { bool, list, toggle, value } from "../../src/runtime/flags.ts";

const port = (raw: string) => {
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new Error(`expected a port number 0-65535, got ${raw}`);
  return Number(raw);
};

const serve = command({
  name: "serve",
  aliases: ["s"],
  summary: "serve things",
  flags: {
    port: value("<port>", "port to listen on", { parse: port, default: 8080 }),
    listen: value("<endpoint>", "where", { env: "LISTEN_AT", required: true }),
    leaderElection: bool("run only while leading"),
    controllers: list("<names>", "controllers to run"),
    rollingUpdate: toggle("roll", { negatable: true }),
    once: toggle("exit after one round"),
    extensionClasses: value("<classes>", "classes", { aliases: ["extension-class"] }),
    output: value("<format>", "format", { short: "o", choices: ["text", "json"] as const, default: "text" }),
  },
  run() {},
});

const program = {
  name: "prog",
  summary: "a program",
  globals: {
    logLevel: value("<level>", "log level", { choices: ["debug", "info", "error"] as const, default: "info" }),
  },
  commands: [serve],
};

const noEnv = () => undefined;

function run(args: string[], env: (n: string) => string | undefined = noEnv) {
  const r = parse(program, args, env);
  if (r.kind !== "run") throw new Error("expected a run");
  return r;
}

Deno.test("parser: values with and without '=', Go booleans, lists, switches, defaults, aliases, short flags", () => {
  const r = run([
    "--log-level",
    "debug",
    "s",
    "--port=9090",
    "--listen",
    "tcp://x",
    "--leader-election=false",
    "--controllers=a,b",
    "--controllers",
    "c",
    "--no-rolling-update",
    "--extension-class=seed",
    "-o",
    "json",
  ]);
  assert.equal(r.command.name, "serve");
  assert.deepEqual(r.globals, { logLevel: "debug" });
  assert.deepEqual(r.values, {
    port: 9090,
    listen: "tcp://x",
    leaderElection: "false",
    controllers: ["a,b", "c"],
    rollingUpdate: false,
    once: false,
    extensionClasses: "seed",
    output: "json",
  });
  const d = run(["serve", "--listen=x", "--leader-election", "--once", "--log-level=error"]);
  assert.deepEqual(d.globals, { logLevel: "error" }, "globals after the command");
  assert.equal(d.values.port, 8080);
  assert.equal(d.values.leaderElection, true, "a bare Go boolean is true");
  assert.equal(d.values.rollingUpdate, true, "a negatable switch defaults to true");
  assert.equal(d.values.once, true);
  assert.equal(d.values.controllers, undefined);
  assert.equal(d.values.output, "text");
});

Deno.test("parser: environment fallback for an absent flag; the flag wins over the environment", () => {
  assert.equal(run(["serve"], (n) => (n === "LISTEN_AT" ? "unix:///e" : undefined)).values.listen, "unix:///e");
  assert.equal(run(["serve", "--listen=f"], () => "unix:///e").values.listen, "f");
});

Deno.test("parser: every mistake is a UsageError naming the flag or command, with a hint where one is close", () => {
  const cases: [string[], RegExp, string | undefined][] = [
    [["serve", "--listen=x", "--prot=1"], /^unknown flag --prot \(did you mean --port\?\)$/, "serve"],
    [["serve", "--listen=x", "--bogus"], /^unknown flag --bogus$/, "serve"],
    [["serv"], /^unknown command "serv" \(did you mean serve\?\)$/, undefined],
    [["serve", "--listen=x", "--port=http"], /^--port: expected a port number 0-65535, got http$/, "serve"],
    [["serve", "--listen=x", "-o", "yaml"], /^-o: invalid value "yaml"; allowed: text, json$/, "serve"],
    [["serve"], /^required flag --listen <endpoint> not given \(nor \$LISTEN_AT\)$/, "serve"],
    [["serve", "--listen"], /^--listen: requires a value <endpoint>$/, "serve"],
    [["serve", "--listen=x", "--once=yes"], /^--once: takes no value$/, "serve"],
    [["serve", "--listen=x", "extra"], /^unexpected argument "extra"$/, "serve"],
    [
      ["--log-level=warn", "serve", "--listen=x"],
      /^--log-level: invalid value "warn"; allowed: debug, info, error$/,
      undefined,
    ],
    [[], /^no command given$/, undefined],
  ];
  for (const [args, message, cmd] of cases) {
    assert.throws(() => parse(program, args, noEnv), (e: unknown) => {
      assert.ok(e instanceof UsageError, String(e));
      assert.match(e.message, message, args.join(" "));
      assert.equal(e.command, cmd, args.join(" "));
      return true;
    });
  }
  assert.throws(() => parse(program, ["serve", "--port=x", "--listen=y"], () => "z"), /--port/);
  assert.throws(() => parse(program, ["serve", "--output=xml"], (n) => (n === "LISTEN_AT" ? "e" : undefined)), /xml/);
});

Deno.test("parser: help for the program and for a command, also as 'help <command>' and despite missing flags", () => {
  const root = parse(program, ["--help"], noEnv);
  assert.equal(root.kind, "help");
  const rootText = (root as { text: string }).text;
  assert.match(rootText, /^Usage: prog \[global flags\] <command> \[flags\]$/m);
  assert.match(rootText, /^ {2}serve, s +serve things$/m);
  assert.match(rootText, /--log-level <level> +log level \(one of debug, info, error; default info\)/);
  for (const args of [["serve", "--help"], ["help", "serve"], ["s", "-h"]]) {
    const r = parse(program, args, noEnv);
    assert.equal(r.kind, "help", args.join(" "));
    const text = (r as { text: string }).text;
    assert.match(text, /^Usage: prog serve \[flags\]$/m);
    assert.match(text, /--port <port> +port to listen on \(default 8080\)/);
    assert.match(text, /--listen <endpoint> +where \(env LISTEN_AT; required\)/);
    assert.match(text, /--\[no-\]rolling-update +roll/);
    assert.match(text, /--extension-classes, --extension-class <classes>/);
    assert.match(text, /-o, --output <format> +format \(one of text, json; default text\)/);
  }
  assert.throws(() => parse(program, ["help", "nope"], noEnv), /unknown command "nope"/);
});
