/**
 * One declaration per flag: a default is written once, in the flag's table, and what help shows is what a command
 * gets when the flag is not given; the commands of the two components take their flags from the components' tables.
 */
import assert from "node:assert/strict";
import { cli } from "../../src/cli/root.ts";
import { commandHelp, parse, programHelp } from "../../src/cli/parser.ts";
import { defaultValues, flagName, type Flags, shownDefault } from "../../src/runtime/flags.ts";
import { MCM_FLAGS } from "../../src/mcm/options.ts";
import { EXTENSION_FLAGS } from "../../src/extension/options.ts";

const TABLES: Record<string, Flags> = { "machine-controller": MCM_FLAGS, extension: EXTENSION_FLAGS };
/** Values for the flags a command requires, so that it parses without them otherwise. */
const REQUIRED: Record<string, string> = { listen: "tcp://127.0.0.1:1" };

Deno.test("flags: no help text writes a default in prose; the table's default is the one help shows", () => {
  const all: [string, Flags][] = [
    ["global", cli.globals],
    ...cli.commands.map((c): [string, Flags] => [c.name, c.flags]),
    ...Object.entries(TABLES),
  ];
  for (const [where, flags] of all) {
    for (const [key, flag] of Object.entries(flags)) {
      assert.doesNotMatch(flag.help, /\bdefault\b/i, `${where} ${flagName(key)}: ${flag.help}`);
    }
  }
});

Deno.test("flags: every command's shown default is the value it gets when the flag is not given", () => {
  const root = programHelp(cli);
  const globals = parse(cli, ["version"], () => undefined);
  assert.equal(globals.kind, "run");
  for (const [key, flag] of Object.entries(cli.globals)) {
    assert.ok(root.includes(`default ${shownDefault(flag)}`), flagName(key));
    if (globals.kind === "run") assert.equal(globals.globals[key as keyof typeof cli.globals], flag.default);
  }
  for (const cmd of cli.commands) {
    if (cmd.name in TABLES) continue;
    const flags: Flags = cmd.flags;
    const required = Object.entries(flags).filter(([, f]) => f.required).map(([k]) => `${flagName(k)}=${REQUIRED[k]}`);
    const run = parse(cli, [cmd.name, ...required], () => undefined);
    assert.equal(run.kind, "run");
    if (run.kind !== "run") continue;
    const help = commandHelp(cli, cmd);
    for (const [key, flag] of Object.entries(flags)) {
      const shown = shownDefault(flag);
      if (shown === "") continue;
      assert.ok(help.includes(`default ${shown}`), `${cmd.name} ${flagName(key)}`);
      if (flag.defaultText !== undefined) continue; // a behaviour, not a value (e.g. "a temporary file")
      const fromHelp = flag.parse ? flag.parse(shown) : shown;
      assert.deepEqual(run.values[key], fromHelp, `${cmd.name} ${flagName(key)}`);
    }
  }
});

Deno.test("flags: machine-controller and extension take their flags, help and defaults from the components' tables", () => {
  for (const [name, table] of Object.entries(TABLES)) {
    const cmd = cli.commands.find((c) => c.name === name)!;
    assert.deepEqual(Object.keys(cmd.flags), Object.keys(table), name);
    const help = commandHelp(cli, cmd);
    const defaults = defaultValues(table);
    for (const [key, flag] of Object.entries(table)) {
      const line = `${flag.placeholder ? `${flagName(key)} ${flag.placeholder}` : flagName(key)}`;
      assert.ok(help.includes(line), `${name} ${line}`);
      assert.equal(cmd.flags[key].help, flag.help);
      assert.equal(cmd.flags[key].kind, flag.kind);
      const shown = shownDefault(flag);
      if (shown === "") continue;
      assert.ok(help.includes(`default ${shown}`), `${name} ${flagName(key)}: default ${shown}`);
      if (flag.defaultText !== undefined) continue;
      assert.deepEqual(flag.parse ? flag.parse(shown) : shown, defaults[key], `${name} ${flagName(key)}`);
    }
  }
});
