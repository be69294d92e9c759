import assert from "node:assert/strict";
import { counter, gauge, histogram, registerProcessMetrics, Registry } from "../../src/observability/metrics.ts";

Deno.test("exposition: HELP and TYPE per metric, one line per series, escaped label values and help", () => {
  const reg = new Registry();
  const c = counter({ name: "t_requests_total", help: 'Requests.\nBy "code".', labelNames: ["code", "path"] }, reg);
  c.inc({ code: "200", path: '/a"b\\c\nd' });
  c.inc({ code: "200", path: '/a"b\\c\nd' }, 2);
  c.inc({ code: 500 });
  const g = gauge({ name: "t_depth", help: "Depth." }, reg);
  g.set(3);
  g.dec(5);
  assert.equal(
    reg.metrics(),
    [
      '# HELP t_requests_total Requests.\\nBy "code".',
      "# TYPE t_requests_total counter",
      't_requests_total{code="200",path="/a\\"b\\\\c\\nd"} 3',
      't_requests_total{code="500"} 1',
      "# HELP t_depth Depth.",
      "# TYPE t_depth gauge",
      "t_depth -2",
      "",
    ].join("\n"),
  );
});

Deno.test("histogram: cumulative buckets with +Inf, sum and count per label set", () => {
  const reg = new Registry();
  const h = histogram({ name: "t_seconds", help: "h", labelNames: ["op"], buckets: [1, 0.1] }, reg);
  for (const v of [0.05, 0.5, 0.1, 7]) h.observe({ op: "get" }, v);
  const lines = reg.metrics().split("\n").filter((l) => l.startsWith("t_seconds"));
  assert.deepEqual(lines, [
    't_seconds_bucket{op="get",le="0.1"} 2',
    't_seconds_bucket{op="get",le="1"} 3',
    't_seconds_bucket{op="get",le="+Inf"} 4',
    't_seconds_sum{op="get"} 7.65',
    't_seconds_count{op="get"} 4',
  ]);
});

Deno.test("metrics without labels always expose their one series; labelled ones only once used", () => {
  const reg = new Registry();
  counter({ name: "t_plain_total", help: "h" }, reg);
  counter({ name: "t_labelled_total", help: "h", labelNames: ["x"] }, reg);
  const text = reg.metrics();
  assert.match(text, /^t_plain_total 0$/m);
  assert.doesNotMatch(text, /^t_labelled_total/m);
});

Deno.test("programming errors are refused: undeclared label, decreasing counter, bad names, duplicates", () => {
  const reg = new Registry();
  const c = counter({ name: "t_total", help: "h", labelNames: ["a"] }, reg);
  assert.throws(() => c.inc({ b: "x" } as never), /label b is not declared/);
  assert.throws(() => c.inc({ a: "x" }, -1), /cannot decrease/);
  assert.throws(() => counter({ name: "bad-name", help: "h" }, reg), /invalid metric name/);
  assert.throws(() => counter({ name: "t_le", help: "h", labelNames: ["le"] }, reg), /invalid label name/);
  assert.throws(() => reg.registerMetric(c), /already registered/);
});

Deno.test("collect hooks run before every scrape and may rebuild labelled series", () => {
  const reg = new Registry();
  let items = ["a", "b"];
  gauge({
    name: "t_items",
    help: "h",
    labelNames: ["name"],
    collect() {
      this.reset();
      for (const i of items) this.set({ name: i }, 1);
    },
  }, reg);
  assert.match(reg.metrics(), /t_items\{name="b"\} 1/);
  items = ["c"];
  const text = reg.metrics();
  assert.doesNotMatch(text, /name="b"/);
  assert.match(text, /t_items\{name="c"\} 1/);
});

Deno.test("process metrics: CPU seconds are counters, memory and start time gauges, with real values", () => {
  const reg = new Registry();
  registerProcessMetrics(reg);
  registerProcessMetrics(reg); // idempotent
  const text = reg.metrics();
  for (const name of ["process_cpu_seconds_total", "process_cpu_user_seconds_total"]) {
    assert.match(text, new RegExp(`^# TYPE ${name} counter$`, "m"));
  }
  assert.match(text, /^# TYPE process_resident_memory_bytes gauge$/m);
  assert.match(text, /^process_resident_memory_bytes [1-9]\d*$/m);
  assert.match(text, /^process_cpu_seconds_total \d/m);
  assert.match(text, /^process_start_time_seconds [1-9]\d*$/m);
});
