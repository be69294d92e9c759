/**
 * How the command line runs, and how a command ends when it cannot run: one line on stderr in the log format of
 * `--log-format` (a JSON log line by default), exit code 1, no stack trace, secrets redacted. Usage errors (the
 * parser's and the commands' flag validation) name the command's `--help`; anything else that escapes a command is
 * reported the same way.
 */
import { configureLogging, getLogger, LOG_FORMATS, type LogFormat, resetLogSink } from "../observability/log.ts";
import { PRODUCT } from "../runtime/version.ts";
import { parse, type Program, UsageError } from "./parser.ts";
import type { Flags, Values } from "../runtime/flags.ts";

/** Exit code of every usage and start-up error (as cobra/pflag programs such as gardenlet exit). */
export const ERROR_EXIT_CODE = 1;

/**
 * The log format the command line asks for, read before the parser runs (an error may stop parsing before
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

/** Error text as one line: without terminal escapes, its lines joined by `; `. */
export function oneLine(text: string): string {
  return text.replace(ANSI_ESCAPE, "").split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "").join("; ");
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
    const path = e.command ? `${PRODUCT} ${e.command}` : PRODUCT;
    getLogger(e.command ?? PRODUCT).error("Invalid command line", {
      error: oneLine(e.message),
      hint: `see '${path} --help'`,
    });
  } else {
    getLogger(command ?? PRODUCT).error("Command failed", { error: describeError(e) });
  }
}

/**
 * Parses `args` and runs the command: help goes to stdout; a usage error, an error thrown while a command runs or an
 * unhandled rejection is reported by `reportError` and exits with `ERROR_EXIT_CODE`. The global logging flags
 * configure logging before the command starts.
 */
export async function runCommandLine<G extends Flags>(
  program: Program<G>,
  args: string[],
  configure: (globals: Values<G>) => void,
): Promise<void> {
  let command: string | undefined;
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
    const invocation = parse(program, args);
    if (invocation.kind === "help") {
      console.log(invocation.text);
      return;
    }
    command = invocation.command.name;
    configure(invocation.globals);
    await invocation.command.run(invocation.values);
  } catch (e) {
    fail(e);
  }
}
