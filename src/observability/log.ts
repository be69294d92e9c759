/**
 * Structured logging in the shape Gardener's components use: JSON lines with `level`, `ts`, `logger`, `msg` and
 * fields, or a human-readable text format. Every line passes through `redact()` before it is written.
 */
import { isSecretFieldName, redact, REDACTED } from "./redact.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "json" | "text";
export type LogFields = Record<string, unknown>;

/** Levels a user can choose on the command line. */
export const LOG_LEVELS = ["debug", "info", "error"] as const;
/** Formats a user can choose on the command line. */
export const LOG_FORMATS = ["json", "text"] as const;

const SEVERITY: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A named logger; `child` extends the name with a dot, like zap/logr. */
export interface Logger {
  readonly name: string;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
  child(name: string, fields?: LogFields): Logger;
  with(fields: LogFields): Logger;
}

/** Receives finished, redacted lines (without trailing newline). */
export type LogSink = (line: string, level: LogLevel) => void;

const encoder = new TextEncoder();

function writeLine(to: { writeSync(p: Uint8Array): number }, line: string): void {
  const bytes = encoder.encode(line + "\n");
  let written = 0;
  while (written < bytes.length) written += to.writeSync(bytes.subarray(written));
}

function stderrSink(line: string): void {
  writeLine(Deno.stderr, line);
}

/** A sink appending to a file (created with mode 0600: log lines are redacted, but stay the operator's). */
export function fileSink(path: string): LogSink {
  const file = Deno.openSync(path, { append: true, create: true, mode: 0o600 });
  return (line) => writeLine(file, line);
}

const config: { level: LogLevel; format: LogFormat; sink: LogSink; now: () => Date } = {
  level: "info",
  format: "json",
  sink: stderrSink,
  now: () => new Date(),
};

/** Sets the process-wide log level, format and (for tests) the sink. */
export function configureLogging(opts: { level?: LogLevel; format?: LogFormat; sink?: LogSink; now?: () => Date }) {
  if (opts.level) config.level = opts.level;
  if (opts.format) config.format = opts.format;
  if (opts.sink) config.sink = opts.sink;
  if (opts.now) config.now = opts.now;
}

/** Restores stderr output (tests that replaced the sink call this). */
export function resetLogSink(): void {
  config.sink = stderrSink;
}

function normalise(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    return value.message;
  }
  if (value === undefined || value === null || typeof value !== "object") {
    return typeof value === "bigint" ? value.toString() : value;
  }
  if (depth > 6) return "[depth]";
  if (Array.isArray(value)) return value.map((v) => normalise(v, depth + 1));
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSecretFieldName(k) && v !== undefined && v !== null && v !== "" && typeof v !== "boolean"
      ? REDACTED
      : normalise(v, depth + 1);
  }
  return out;
}

function formatText(ts: string, level: LogLevel, name: string, msg: string, fields: Record<string, unknown>): string {
  const parts = [ts, level.toUpperCase(), name, msg];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(`${k}=${typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? "undefined"}`);
  }
  return parts.join("\t");
}

class StructuredLogger implements Logger {
  constructor(readonly name: string, private readonly fields: LogFields) {}

  enabled(level: LogLevel): boolean {
    return SEVERITY[level] >= SEVERITY[config.level];
  }

  private write(level: LogLevel, msg: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const merged = normalise({ ...this.fields, ...fields }) as Record<string, unknown>;
    const ts = config.now().toISOString();
    const line = config.format === "json"
      ? JSON.stringify({ level, ts, logger: this.name, msg, ...merged })
      : formatText(ts, level, this.name, msg, merged);
    config.sink(redact(line), level);
  }

  debug(msg: string, fields?: LogFields) {
    this.write("debug", msg, fields);
  }
  info(msg: string, fields?: LogFields) {
    this.write("info", msg, fields);
  }
  warn(msg: string, fields?: LogFields) {
    this.write("warn", msg, fields);
  }
  error(msg: string, fields?: LogFields) {
    this.write("error", msg, fields);
  }
  child(name: string, fields?: LogFields): Logger {
    return new StructuredLogger(this.name ? `${this.name}.${name}` : name, { ...this.fields, ...fields });
  }
  with(fields: LogFields): Logger {
    return new StructuredLogger(this.name, { ...this.fields, ...fields });
  }
}

/** Returns a logger with the given name (e.g. `machine-controller`, `extension.worker`). */
export function getLogger(name: string, fields: LogFields = {}): Logger {
  return new StructuredLogger(name, fields);
}

/** Collects log lines in memory; for tests that assert on what was (not) logged. */
export function captureLogs(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const previous = config.sink;
  config.sink = (line) => lines.push(line);
  return { lines, restore: () => (config.sink = previous) };
}
