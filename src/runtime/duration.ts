/**
 * Go `time.Duration` text: parsing (`time.ParseDuration`) and formatting (`Duration.String()`).
 *
 * Gardener and MCM write durations in Go's syntax (`30s`, `1m30s`, `20m0s`, `1.5h`), and some consumers compare the
 * text byte for byte (MachineDeployment annotations such as `autoscaler.gardener.cloud/scale-down-unneeded-time`), so
 * the formatter reproduces Go's output exactly. Values are exact integer nanoseconds (`bigint`) internally; the
 * number-based helpers are conveniences for timers.
 */

const NANOS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n, // U+00B5 MICRO SIGN, as Go accepts it
  "\u03bcs": 1_000n, // U+03BC GREEK SMALL LETTER MU, as Go accepts it
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's int64 bounds: a duration outside them is an error in Go, so it is here too. */
const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

export const NANOSECOND = 1n;
export const MICROSECOND = 1_000n;
export const MILLISECOND = 1_000_000n;
export const SECOND = 1_000_000_000n;
export const MINUTE = 60n * SECOND;
export const HOUR = 60n * MINUTE;

/** A Go duration string that could not be parsed; the message matches Go's `time.ParseDuration` errors. */
export class DurationParseError extends Error {
  constructor(readonly input: string, message: string) {
    super(message);
    this.name = "DurationParseError";
  }
}

/** Quotes like Go's `strconv.Quote` for the ASCII inputs that matter here (JSON escaping is close enough). */
function quote(s: string): string {
  return JSON.stringify(s);
}

/** Parses a Go duration string into exact nanoseconds; throws `DurationParseError` like Go would. */
export function parseDurationNanos(input: string): bigint {
  const invalid = () => new DurationParseError(input, `time: invalid duration ${quote(input)}`);
  let s = input;
  let negative = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  // Go special-cases a bare "0" (with optional sign).
  if (s === "0") return 0n;
  if (s === "") throw invalid();

  let total = 0n;
  while (s !== "") {
    // Integer part.
    const intMatch = /^[0-9]*/.exec(s)![0];
    s = s.slice(intMatch.length);
    // Fractional part.
    let fracDigits = "";
    if (s.startsWith(".")) {
      s = s.slice(1);
      fracDigits = /^[0-9]*/.exec(s)![0];
      s = s.slice(fracDigits.length);
    }
    if (intMatch === "" && fracDigits === "") throw invalid(); // no digits, e.g. ".s" or "s"
    // Unit: everything up to the next digit or dot.
    const unitMatch = /^[^0-9.]*/.exec(s)![0];
    s = s.slice(unitMatch.length);
    if (unitMatch === "") {
      throw new DurationParseError(input, `time: missing unit in duration ${quote(input)}`);
    }
    const unit = NANOS_PER_UNIT[unitMatch];
    if (unit === undefined) {
      throw new DurationParseError(input, `time: unknown unit ${quote(unitMatch)} in duration ${quote(input)}`);
    }
    const whole = intMatch === "" ? 0n : BigInt(intMatch);
    let value = whole * unit;
    if (fracDigits !== "") {
      // Exact fraction, truncated toward zero at nanosecond precision. (Go multiplies in float64; the two agree
      // for every input with at most nine fractional digits of seconds, i.e. everything written in practice.)
      const scale = 10n ** BigInt(fracDigits.length);
      value += (BigInt(fracDigits) * unit) / scale;
    }
    total += value;
    if (total > MAX_INT64 + (negative ? 1n : 0n)) throw invalid();
  }
  const result = negative ? -total : total;
  if (result > MAX_INT64 || result < MIN_INT64) throw invalid();
  return result;
}

/** Parses a Go duration string into milliseconds (fractional below 1 ms). */
export function parseDuration(input: string): number {
  const ns = parseDurationNanos(input);
  return Number(ns / MILLISECOND) + Number(ns % MILLISECOND) / 1e6;
}

/** True if `input` is valid Go duration text. */
export function isDuration(input: string): boolean {
  try {
    parseDurationNanos(input);
    return true;
  } catch {
    return false;
  }
}

/** Formats `value / 10^digits` with trailing fractional zeros (and a bare dot) removed, like Go's fmtFrac. */
function fixed(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const whole = value / scale;
  let frac = (value % scale).toString().padStart(digits, "0").replace(/0+$/, "");
  if (frac !== "") frac = "." + frac;
  return whole.toString() + frac;
}

/** Formats exact nanoseconds as Go's `Duration.String()` does (`0s`, `1.5ms`, `30m0s`, `2h0m0s`, `-1m30s`). */
export function formatDurationNanos(nanos: bigint): string {
  if (nanos < MIN_INT64 || nanos > MAX_INT64) {
    throw new RangeError(`duration ${nanos}ns is outside Go's int64 range`);
  }
  if (nanos === 0n) return "0s";
  const negative = nanos < 0n;
  const u = negative ? -nanos : nanos;
  const sign = negative ? "-" : "";
  if (u < SECOND) {
    // Sub-second values use the largest unit that keeps a non-zero integer part.
    if (u < MICROSECOND) return `${sign}${u}ns`;
    if (u < MILLISECOND) return `${sign}${fixed(u, 3)}\u00b5s`;
    return `${sign}${fixed(u, 6)}ms`;
  }
  const hours = u / HOUR;
  const minutes = (u % HOUR) / MINUTE;
  const seconds = fixed(u % MINUTE, 9);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** Formats milliseconds as Go duration text; sub-nanosecond remainders are truncated. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`duration ${ms}ms is not finite`);
  const wholeMs = Math.trunc(ms);
  const nanos = BigInt(wholeMs) * MILLISECOND + BigInt(Math.trunc((ms - wholeMs) * 1e6));
  return formatDurationNanos(nanos);
}
