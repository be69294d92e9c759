/**
 * The command-line parser: a root program with global flags and subcommands, each flag declared once (in a table of
 * `src/runtime/flags.ts` flags) with its help text, default, environment fallback, choices and value parser. Flags
 * follow Go's pflag, as gardenlet and MCM pass them: `--name value` or `--name=value`, booleans only as `--name` or
 * `--name=<bool>`, global flags before or after the command. Help goes to stdout; every mistake is a `UsageError`
 * naming the flag, which the entry point prints as one line.
 *
 * Our own rather than commander: commander is CommonJS, and loading it (with Deno's CommonJS loader and the Node
 * compatibility layer) cost ~15 MB of RSS in every process, more than `version` may use in total.
 */
import { type Flag, flagName, type Flags, type RawValue, shownDefault, type Values } from "../runtime/flags.ts";

/** A mistake on the command line; `command` names the command whose `--help` explains it. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * A component's table as the command line declares it: each flag collects its text, which the component's resolver
 * parses (reporting every problem at once); help shows the table's defaults.
 */
export function unparsed<F extends Flags>(flags: F): { [K in keyof F]: Flag<RawValue<F[K]>, false> } {
  const out: Record<string, Flag<unknown, false>> = {};
  for (const [key, flag] of Object.entries(flags)) {
    const { kind, help, placeholder, short, aliases, env, choices } = flag;
    const shown = shownDefault(flag);
    out[key] = { kind, help, placeholder, short, aliases, env, choices, defaultText: shown === "" ? undefined : shown };
  }
  return out as { [K in keyof F]: Flag<RawValue<F[K]>, false> };
}

/** A subcommand: its flags and what it does. */
export interface Command<F extends Flags = Flags> {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One line for the command list and the top of its help. */
  readonly summary: string;
  readonly flags: F;
  run(values: Values<F>): void | Promise<void>;
}

/** Declares a command (the identity function, for type inference of `run`'s values). */
export function command<F extends Flags>(spec: Command<F>): Command<F> {
  return spec;
}

/** The root: global flags (accepted before or after the command) and the subcommands. */
export interface Program<G extends Flags> {
  readonly name: string;
  readonly summary: string;
  readonly globals: G;
  // deno-lint-ignore no-explicit-any -- commands of any flag set
  readonly commands: readonly Command<any>[];
}

/** What the command line asks for. */
export type Invocation<G extends Flags> =
  | { kind: "help"; text: string }
  // deno-lint-ignore no-explicit-any -- the command's own flag set
  | { kind: "run"; command: Command<any>; globals: Values<G>; values: Record<string, unknown> };

const kebab = (key: string) => flagName(key).slice(2);

interface Named {
  key: string;
  flag: Flag<unknown>;
  /** How the user wrote it, for messages. */
  spelled: string;
  negated: boolean;
}

/** Looks up `--name`, `--no-name`, `-x` among the flags. */
function lookup(flags: Flags, token: string): Named | undefined {
  if (token.startsWith("--")) {
    const name = token.slice(2);
    for (const [key, flag] of Object.entries(flags)) {
      if (kebab(key) === name || flag.aliases?.includes(name)) return { key, flag, spelled: token, negated: false };
      if (flag.negatable && `no-${kebab(key)}` === name) return { key, flag, spelled: token, negated: true };
    }
  } else {
    for (const [key, flag] of Object.entries(flags)) {
      if (flag.short && token === `-${flag.short}`) return { key, flag, spelled: token, negated: false };
    }
  }
  return undefined;
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

/** The closest candidate within a third of its length, as a hint. */
function suggest(given: string, candidates: string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(given, c);
    if (d < bestDistance && d <= Math.max(1, Math.floor(c.length / 3))) [best, bestDistance] = [c, d];
  }
  return best ? ` (did you mean ${best}?)` : "";
}

function longNames(flags: Flags): string[] {
  return Object.entries(flags).flatMap(([key, f]) => [`--${kebab(key)}`, ...(f.aliases ?? []).map((a) => `--${a}`)]);
}

/** Applies one raw value to the collected values. */
function assign(values: Record<string, unknown>, named: Named, raw: string | undefined, command?: string): void {
  const { key, flag, spelled } = named;
  const fail = (why: string): never => {
    throw new UsageError(`${spelled}: ${why}`, command);
  };
  switch (flag.kind) {
    case "switch":
      if (raw !== undefined) fail("takes no value");
      values[key] = !named.negated;
      return;
    case "bool":
      values[key] = raw === undefined ? true : flag.parse ? convert(flag, raw, spelled, command) : raw;
      return;
    case "list":
      if (raw === undefined) fail(`requires a value ${flag.placeholder}`);
      values[key] = [...((values[key] as string[] | undefined) ?? []), raw];
      return;
    case "value": {
      if (raw === undefined) fail(`requires a value ${flag.placeholder}`);
      values[key] = convert(flag, raw!, spelled, command);
    }
  }
}

function convert(flag: Flag<unknown>, raw: string, spelled: string, command?: string): unknown {
  if (flag.choices && !flag.choices.includes(raw)) {
    throw new UsageError(
      `${spelled}: invalid value ${JSON.stringify(raw)}; allowed: ${flag.choices.join(", ")}`,
      command,
    );
  }
  if (!flag.parse) return raw;
  try {
    return flag.parse(raw);
  } catch (e) {
    throw new UsageError(`${spelled}: ${e instanceof Error ? e.message : String(e)}`, command);
  }
}

/** Fills in environment fallbacks and defaults, and checks required flags. */
function complete(
  flags: Flags,
  values: Record<string, unknown>,
  env: (name: string) => string | undefined,
  command?: string,
) {
  for (const [key, flag] of Object.entries(flags)) {
    if (values[key] !== undefined) continue;
    const fromEnv = flag.env ? env(flag.env) : undefined;
    if (fromEnv !== undefined && fromEnv !== "") {
      assign(values, { key, flag, spelled: `$${flag.env}`, negated: false }, fromEnv, command);
    } else if (flag.default !== undefined) values[key] = flag.default;
    else if (flag.required) {
      throw new UsageError(
        `required flag --${kebab(key)} ${flag.placeholder ?? ""}`.trimEnd() +
          ` not given${flag.env ? ` (nor $${flag.env})` : ""}`,
        command,
      );
    }
  }
}

/**
 * Parses the arguments (without the program name). `env` reads environment fallbacks (default: the process
 * environment). Throws `UsageError` for every mistake.
 */
export function parse<G extends Flags>(
  program: Program<G>,
  args: readonly string[],
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): Invocation<G> {
  const globals: Record<string, unknown> = {};
  const values: Record<string, unknown> = {};
  // deno-lint-ignore no-explicit-any -- the command's own flag set
  let cmd: Command<any> | undefined;
  let help = false;
  let helpTopic: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (cmd === undefined && !help && arg === "help") {
        help = true;
        helpTopic = args[i + 1];
        break;
      }
      if (cmd !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`, cmd.name);
      cmd = program.commands.find((c) => c.name === arg || c.aliases?.includes(arg));
      if (!cmd) {
        const names = program.commands.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
        throw new UsageError(`unknown command ${JSON.stringify(arg)}${suggest(arg, names)}`);
      }
      continue;
    }
    const eq = arg.indexOf("=");
    const token = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    let raw: string | undefined = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    const own = cmd ? lookup(cmd.flags, token) : undefined;
    const named = own ?? lookup(program.globals, token);
    if (!named) {
      const candidates = [...longNames(program.globals), ...(cmd ? longNames(cmd.flags) : [])];
      throw new UsageError(`unknown flag ${token}${suggest(token, candidates)}`, cmd?.name);
    }
    // A value or list flag takes the next argument when not given with `=`; booleans and switches never do (pflag).
    if (raw === undefined && (named.flag.kind === "value" || named.flag.kind === "list")) {
      if (i + 1 >= args.length) {
        throw new UsageError(`${token}: requires a value ${named.flag.placeholder}`, cmd?.name);
      }
      raw = args[++i];
    }
    assign(own ? values : globals, named, raw, cmd?.name);
  }
  if (help) {
    const topic = helpTopic === undefined
      ? cmd
      : program.commands.find((c) => c.name === helpTopic || c.aliases?.includes(helpTopic));
    if (helpTopic !== undefined && !topic) throw new UsageError(`unknown command ${JSON.stringify(helpTopic)}`);
    return { kind: "help", text: topic ? commandHelp(program, topic) : programHelp(program) };
  }
  if (!cmd) throw new UsageError("no command given");
  complete(program.globals, globals, env);
  complete(cmd.flags, values, env, cmd.name);
  return { kind: "run", command: cmd, globals: globals as Values<G>, values };
}

function flagLine(key: string, flag: Flag<unknown>): [string, string] {
  const names = [
    ...(flag.short ? [`-${flag.short}`] : []),
    `--${flag.negatable ? `[no-]` : ""}${kebab(key)}`,
    ...(flag.aliases ?? []).map((a) => `--${a}`),
  ].join(", ");
  const left = flag.placeholder ? `${names} ${flag.placeholder}` : names;
  const notes: string[] = [];
  if (flag.choices) notes.push(`one of ${flag.choices.join(", ")}`);
  const shown = shownDefault(flag);
  if (shown !== "") notes.push(`default ${shown}`);
  if (flag.env) notes.push(`env ${flag.env}`);
  if (flag.required) notes.push("required");
  return [left, notes.length ? `${flag.help} (${notes.join("; ")})` : flag.help];
}

function table(rows: [string, string][]): string {
  const width = Math.min(40, Math.max(...rows.map(([l]) => l.length)));
  return rows.map((
    [l, r],
  ) => (l.length > width ? `  ${l}\n  ${" ".repeat(width)}  ${r}` : `  ${l.padEnd(width)}  ${r}`))
    .join("\n");
}

/** The root help: usage, global flags, commands. */
export function programHelp<G extends Flags>(program: Program<G>): string {
  const globals = Object.entries(program.globals).map(([k, f]) => flagLine(k, f));
  globals.push(["-h, --help", "show help (also: help <command>)"]);
  const commands = program.commands.map((c): [string, string] => [
    [c.name, ...(c.aliases ?? [])].join(", "),
    c.summary,
  ]);
  return [
    `Usage: ${program.name} [global flags] <command> [flags]`,
    "",
    program.summary,
    "",
    "Global flags:",
    table(globals),
    "",
    "Commands:",
    table(commands),
    "",
  ].join("\n");
}

/** A command's help: usage, summary, its flags, then the global flags. */
export function commandHelp<G extends Flags>(program: Program<G>, cmd: Command): string {
  const own = Object.entries(cmd.flags).map(([k, f]) => flagLine(k, f));
  own.push(["-h, --help", "show this help"]);
  return [
    `Usage: ${program.name} ${cmd.name} [flags]`,
    "",
    cmd.summary,
    ...(cmd.aliases?.length ? ["", `Aliases: ${cmd.aliases.join(", ")}`] : []),
    "",
    "Flags:",
    table(own),
    "",
    "Global flags:",
    table(Object.entries(program.globals).map(([k, f]) => flagLine(k, f))),
    "",
  ].join("\n");
}
