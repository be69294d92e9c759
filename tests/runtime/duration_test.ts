// Expected values are Go's own outputs (go1.24 `time.ParseDuration` / `time.Duration.String()`), e.g.
// `fmt.Println(30 * time.Minute)` prints `30m0s`, `time.Duration(math.MaxInt64)` prints `2562047h47m16.854775807s`.
import assert from "node:assert/strict";
import {
  DurationParseError,
  formatDuration,
  formatDurationNanos,
  HOUR,
  isDuration,
  MILLISECOND,
  MINUTE,
  parseDuration,
  parseDurationNanos,
  SECOND,
} from "../../src/runtime/duration.ts";

Deno.test("parseDurationNanos accepts Go's syntax", () => {
  const cases: [string, bigint][] = [
    ["0", 0n],
    ["-0", 0n],
    ["+0", 0n],
    ["0s", 0n],
    ["30s", 30n * SECOND],
    ["1m30s", 90n * SECOND],
    ["20m0s", 20n * MINUTE],
    ["2h", 2n * HOUR],
    ["1.5h", 90n * MINUTE],
    ["-1.5h", -90n * MINUTE],
    ["+5s", 5n * SECOND],
    ["300ms", 300n * MILLISECOND],
    ["1us", 1_000n],
    ["1\u00b5s", 1_000n],
    ["1\u03bcs", 1_000n],
    ["7ns", 7n],
    [".5s", 500n * MILLISECOND],
    ["1.s", SECOND],
    ["1h2m3.004s", HOUR + 2n * MINUTE + 3n * SECOND + 4n * MILLISECOND],
    ["2h45m", 2n * HOUR + 45n * MINUTE],
    ["1.000000001s", SECOND + 1n],
    ["9223372036854775807ns", (1n << 63n) - 1n],
    ["-9223372036854775808ns", -(1n << 63n)],
  ];
  for (const [text, want] of cases) {
    assert.equal(parseDurationNanos(text), want, text);
  }
});

Deno.test("parseDurationNanos rejects what Go rejects, with Go's messages", () => {
  const cases: [string, string][] = [
    ["", 'time: invalid duration ""'],
    ["1", 'time: missing unit in duration "1"'],
    ["1x", 'time: unknown unit "x" in duration "1x"'],
    ["1d", 'time: unknown unit "d" in duration "1d"'],
    ["s", 'time: invalid duration "s"'],
    [".s", 'time: invalid duration ".s"'],
    ["1h-2m", 'time: unknown unit "h-" in duration "1h-2m"'],
    [" 1s", 'time: invalid duration " 1s"'],
    ["--1s", 'time: invalid duration "--1s"'],
    ["9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'],
    ["3000000h", 'time: invalid duration "3000000h"'],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseDurationNanos(text), DurationParseError, text);
    assert.throws(() => parseDurationNanos(text), { message }, text);
    assert.equal(isDuration(text), false, text);
  }
});

Deno.test("formatDurationNanos matches Go's Duration.String()", () => {
  const cases: [bigint, string][] = [
    [0n, "0s"],
    [1n, "1ns"],
    [999n, "999ns"],
    [1_100n, "1.1\u00b5s"],
    [2_200_000n, "2.2ms"],
    [1_500_000_000n, "1.5s"],
    [90n * SECOND, "1m30s"],
    [30n * MINUTE, "30m0s"],
    [20n * MINUTE, "20m0s"],
    [2n * HOUR, "2h0m0s"],
    [HOUR + 2n * MINUTE + 3n * SECOND + 4n * MILLISECOND, "1h2m3.004s"],
    [-90n * SECOND, "-1m30s"],
    [-1n, "-1ns"],
    [(1n << 63n) - 1n, "2562047h47m16.854775807s"],
    [-(1n << 63n), "-2562047h47m16.854775808s"],
  ];
  for (const [nanos, want] of cases) {
    assert.equal(formatDurationNanos(nanos), want, String(nanos));
  }
  assert.throws(() => formatDurationNanos(1n << 63n), RangeError);
});

Deno.test("number helpers convert milliseconds both ways and round-trip", () => {
  assert.equal(parseDuration("1m30s"), 90_000);
  assert.equal(parseDuration("1.5ms"), 1.5);
  assert.equal(formatDuration(30 * 60_000), "30m0s");
  assert.equal(formatDuration(1.5), "1.5ms");
  assert.equal(formatDuration(0), "0s");
  assert.throws(() => formatDuration(Number.NaN), RangeError);
  for (const text of ["30s", "1m30s", "2h0m0s", "1h2m3.004s", "1.5ms", "-20m0s"]) {
    assert.equal(formatDuration(parseDuration(text)), text);
  }
});
