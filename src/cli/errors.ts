/**
 * How a command ends when it cannot run: one line on stderr in the log format of `--log-format` (a JSON log line by
 * default), exit code 1, no stack trace, secrets redacted. Usage errors (commander's own and the commands' flag
 * validation) name the command's `--help`; anything else that escapes a command is reported the same way.
 */
import { CommanderError, type CommandUnknownOpts } from "@commander-js/extra-typings";
import { configureLogging, getLogger, LOG_FORMATS, type LogFormat, resetLogSink } from "../observability/log.ts";
import { PRODUCT } from "../runtime/version.ts";

/** Exit code of every usage and start-up error (as cobra/pflag programs such as gardenlet exit). */
export const ERROR_EXIT_CODE = 1;

/** A mistake on the command line, found by commander or by a command's own flag validation. */
export class UsageError extends Error {
  /** `command` is the full command path, e.g. `provider-equinix-metal extension`. */
  constructor(message: string, readonly command: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The full path of a command (`provider-equinix-metal extension`). */
function commandPath(cmd: CommandUnknownOpts): string {
  const names: string[] = [];
  for (let c: CommandUnknownOpts | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * commander's exit hook for `cmd`: help and version output (exit code 0) pass through, every other exit becomes a
 * `UsageError` that names the command. Commander prints nothing itself (see `quietCommander`).
 */
function usageErrorOf(cmd: CommandUnknownOpts) {
  return (err: CommanderError): never => {
    if (err.exitCode === 0) throw err;
    let message = err.message;
    if (err.code === "commander.help") {
      // Help requested as an error: no command given, or `help <unknown>`.
      message = cmd.args[0] === "help" && cmd.args[1] ? `unknown command '${cmd.args[1]}'` : "missing command";
    }
    throw new UsageError(message, commandPath(cmd));
  };
}

/** Makes `cmd` and its subcommands throw instead of printing errors and exiting; help still goes to stdout. */
export function quietCommander(cmd: CommandUnknownOpts): void {
  cmd.exitOverride(usageErrorOf(cmd)).configureOutput({ writeErr: () => {}, outputError: () => {} });
  for (const sub of cmd.commands) quietCommander(sub);
}

/**
 * The log format the command line asks for, read before commander has parsed it (an error may stop parsing before
 * `--log-format` is reached): the last valid `--log-format` value before `--`, else `json` (the logger's default).
 */
export function logFormatFromArgs(args: readonly string[]): LogFormat {
  let format: LogFormat = "json";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") break;
    let value: string | undefined;
    if (arg === "--log-format") value = args[++i];
    else if (arg.startsWith("--log-format=")) value = arg.slice("--log-format=".length);
    else continue;
    if ((LOG_FORMATS as readonly string[]).includes(value ?? "")) format = value as LogFormat;
  }
  return format;
}

// deno-lint-ignore no-control-regex -- matching terminal escape sequences is the point
const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * Error text as one line: without commander's `error: ` prefix and terminal escapes, its lines joined by `; ` (a
 * line in parentheses, such as commander's "(Did you mean ...?)", by a space).
 */
export function oneLine(text: string): string {
  return text.replace(ANSI_ESCAPE, "").replace(/^error:\s*/i, "").split(/\r?\n/).map((l) => l.trim())
    .filter((l) => l !== "").join("; ").replaceAll("; (", " (");
}

/** The message of a thrown value with its causes (an `AggregateError`'s members too), as one line. */
export function describeError(e: unknown, depth = 0): string {
  if (!(e instanceof Error)) return oneLine(String(e));
  const parts = [oneLine(e.message) || e.name];
  if (depth < 4) {
    if (e instanceof AggregateError) parts.push(...e.errors.map((m) => describeError(m, depth + 1)));
    if (e.cause !== undefined) {
      const cause = describeError(e.cause, depth + 1);
      if (!parts[0].includes(cause)) parts.push(cause);
    }
  }
  return parts.join(": ");
}

/**
 * Writes the error line to stderr (whatever sink logging was pointed at) through the logger, so it has the logger's
 * fields and passes its redaction: `msg` says which kind of failure, `error` the details, `hint` where to look.
 */
export function reportError(e: unknown, args: readonly string[], command?: string): void {
  resetLogSink();
  configureLogging({ format: logFormatFromArgs(args) });
  if (e instanceof UsageError) {
    const name = e.command.split(" ").slice(1).join(" ") || PRODUCT;
    getLogger(name).error("Invalid command line", { error: oneLine(e.message), hint: `see '${e.command} --help'` });
  } else {
    getLogger(command ?? PRODUCT).error("Command failed", { error: describeError(e) });
  }
}

/**
 * Runs a CLI built with `quietCommander` on `args`: help and version exit 0; a usage error, an error thrown while a
 * command runs or an unhandled rejection is reported by `reportError` and exits with `ERROR_EXIT_CODE`.
 */
export async function runCommandLine(program: CommandUnknownOpts, args: string[]): Promise<void> {
  let command: string | undefined;
  program.hook("preAction", (_root, action) => {
    command = action.name();
  });
  const fail = (e: unknown): never => {
    reportError(e, args, command);
    Deno.exit(ERROR_EXIT_CODE);
  };
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    fail(event.reason);
  });
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    fail(event.error);
  });
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError && e.exitCode === 0) return;
    fail(e);
  }
}
