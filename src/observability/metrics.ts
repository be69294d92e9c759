/**
 * Prometheus metrics: counters, gauges and histograms with labels, a registry that renders the text exposition format
 * (version 0.0.4), and the process collectors. Our own small implementation rather than prom-client: we use four
 * types and one format, and prom-client's module graph (tdigest, bintrees, cluster, pushgateway) cost start-up memory
 * and broke `deno compile` (see docs/decisions.md).
 */

/** Label values by label name. */
export type LabelValues<T extends string> = Partial<Record<T, string | number>>;

/** One sample: its labels, value and, for histograms, the series name (`_bucket`, `_sum`, `_count`). */
export interface MetricValue<T extends string> {
  labels: LabelValues<T> & { le?: string | number };
  value: number;
  metricName?: string;
}

/** What `get()` returns: a snapshot of a metric after its collect hook ran. */
export interface MetricData<T extends string> {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  values: MetricValue<T>[];
}

/** Options every metric type takes. `collect` runs before each scrape or `get()` (e.g. to set a gauge). */
export interface MetricConfiguration<T extends string, M> {
  name: string;
  help: string;
  labelNames?: readonly T[];
  collect?: (this: M) => void;
}

/** Histogram options: upper bounds of the buckets (sorted; `+Inf` is implicit). */
export interface HistogramConfiguration<T extends string> extends MetricConfiguration<T, Histogram<T>> {
  buckets?: readonly number[];
}

/** client_golang's default buckets (seconds). */
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The part of every metric: name, help, label names and the per-label-set series. */
abstract class Metric<T extends string, S> {
  readonly name: string;
  readonly help: string;
  protected readonly labelNames: readonly T[];
  protected readonly series = new Map<string, { labels: LabelValues<T>; state: S }>();
  private readonly collectHook?: () => void;

  constructor(config: MetricConfiguration<T, never>, hook: ((this: never) => void) | undefined) {
    if (!NAME.test(config.name)) throw new Error(`invalid metric name ${JSON.stringify(config.name)}`);
    for (const l of config.labelNames ?? []) {
      if (!LABEL.test(l) || l.startsWith("__") || l === "le") {
        throw new Error(`metric ${config.name}: invalid label name ${JSON.stringify(l)}`);
      }
    }
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames ?? [];
    this.collectHook = hook?.bind(this as never);
  }

  abstract readonly type: MetricData<T>["type"];
  protected abstract initial(): S;
  protected abstract samples(labels: LabelValues<T>, state: S): MetricValue<T>[];

  /** Removes every series (collect hooks rebuild labelled gauges from scratch). */
  reset(): void {
    this.series.clear();
  }

  /** The state of a label set, created on first use; unknown label names are a programming error. */
  protected state(labels: LabelValues<T> | undefined): S {
    const values: LabelValues<T> = labels ?? {};
    for (const k of Object.keys(values)) {
      if (!this.labelNames.includes(k as T)) throw new Error(`metric ${this.name}: label ${k} is not declared`);
    }
    const key = this.labelNames.map((n) => String(values[n] ?? "")).join("\u0000");
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels: { ...values }, state: this.initial() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  /** Runs the collect hook, then returns every sample. */
  get(): MetricData<T> {
    this.collectHook?.();
    // A metric without labels always has its one series, as in client_golang.
    if (this.labelNames.length === 0) this.state(undefined);
    const values = [...this.series.values()].flatMap(({ labels, state }) => this.samples(labels, state));
    return { name: this.name, help: this.help, type: this.type, values };
  }
}

/** Splits the `(labels, value)` / `(value)` / `(labels)` call forms. */
function args<T extends string>(
  a: LabelValues<T> | number | undefined,
  b: number | undefined,
  fallback: number,
): [LabelValues<T> | undefined, number] {
  return typeof a === "number" ? [undefined, a] : [a, b ?? fallback];
}

/** A metric with one number per label set (counters and gauges). */
abstract class SingleValueMetric<T extends string> extends Metric<T, { value: number }> {
  protected initial() {
    return { value: 0 };
  }

  protected samples(labels: LabelValues<T>, s: { value: number }): MetricValue<T>[] {
    return [{ labels, value: s.value }];
  }
}

/** A monotonically increasing count. */
export class Counter<T extends string = string> extends SingleValueMetric<T> {
  readonly type = "counter";

  constructor(config: MetricConfiguration<T, Counter<T>>) {
    super(config as MetricConfiguration<T, never>, config.collect as never);
  }

  /** Adds `value` (default 1, never negative). */
  inc(labels?: LabelValues<T> | number, value?: number): void {
    const [l, v] = args(labels, value, 1);
    if (!(v >= 0)) throw new Error(`metric ${this.name}: a counter cannot decrease (${v})`);
    this.state(l).value += v;
  }
}

/** A value that goes up and down. */
export class Gauge<T extends string = string> extends SingleValueMetric<T> {
  readonly type = "gauge";

  constructor(config: MetricConfiguration<T, Gauge<T>>) {
    super(config as MetricConfiguration<T, never>, config.collect as never);
  }

  /** Sets the value. */
  set(labels: LabelValues<T> | number, value?: number): void {
    const [l, v] = args(labels, value, 0);
    this.state(l).value = v;
  }

  /** Adds `value` (default 1). */
  inc(labels?: LabelValues<T> | number, value?: number): void {
    const [l, v] = args(labels, value, 1);
    this.state(l).value += v;
  }

  /** Subtracts `value` (default 1). */
  dec(labels?: LabelValues<T> | number, value?: number): void {
    const [l, v] = args(labels, value, 1);
    this.state(l).value -= v;
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

/** Observations counted in cumulative buckets, with their sum and count. */
export class Histogram<T extends string = string> extends Metric<T, HistogramState> {
  readonly type = "histogram";
  private readonly buckets: number[];

  constructor(config: HistogramConfiguration<T>) {
    super(config as MetricConfiguration<T, never>, config.collect as never);
    this.buckets = [...(config.buckets ?? DEFAULT_BUCKETS)].sort((a, b) => a - b);
  }

  protected initial(): HistogramState {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  protected samples(labels: LabelValues<T>, s: HistogramState): MetricValue<T>[] {
    const out: MetricValue<T>[] = this.buckets.map((le, i) => ({
      labels: { ...labels, le },
      value: s.counts[i],
      metricName: `${this.name}_bucket`,
    }));
    out.push({ labels: { ...labels, le: "+Inf" }, value: s.count, metricName: `${this.name}_bucket` });
    out.push({ labels, value: s.sum, metricName: `${this.name}_sum` });
    out.push({ labels, value: s.count, metricName: `${this.name}_count` });
    return out;
  }

  /** Records one observation. */
  observe(labels: LabelValues<T> | number, value?: number): void {
    const [l, v] = args(labels, value, 0);
    const s = this.state(l);
    // Buckets are cumulative: an observation counts in every bucket whose bound it does not exceed.
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]) s.counts[i]++;
    s.sum += v;
    s.count++;
  }
}

// deno-lint-ignore no-explicit-any -- a registry holds metrics of any label set
type AnyMetric = Counter<any> | Gauge<any> | Histogram<any>;

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatLabels(labels: Record<string, string | number | undefined>): string {
  const parts = Object.entries(labels)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${escapeLabel(typeof v === "number" ? formatValue(v) : String(v))}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** A set of metrics rendered together on `/metrics`. */
export class Registry {
  /** The Content-Type of `metrics()`. */
  readonly contentType = "text/plain; version=0.0.4; charset=utf-8";
  private readonly byName = new Map<string, AnyMetric>();

  /** Adds a metric; a second metric of the same name is a programming error. */
  registerMetric(metric: AnyMetric): void {
    if (this.byName.has(metric.name)) throw new Error(`metric ${metric.name} is already registered`);
    this.byName.set(metric.name, metric);
  }

  /** The metric of that name, if registered. */
  getSingleMetric(name: string): AnyMetric | undefined {
    return this.byName.get(name);
  }

  /** Every metric in the text exposition format. */
  metrics(): string {
    const lines: string[] = [];
    for (const metric of this.byName.values()) {
      const data = metric.get();
      lines.push(`# HELP ${data.name} ${escapeHelp(data.help)}`, `# TYPE ${data.name} ${data.type}`);
      for (const v of data.values) {
        lines.push(`${v.metricName ?? data.name}${formatLabels(v.labels)} ${formatValue(v.value)}`);
      }
    }
    return lines.join("\n") + "\n";
  }
}

/** The process-wide registry that `/metrics` serves. */
export const registry: Registry = new Registry();

const startTimeSeconds = Math.floor(Date.now() / 1000);

/**
 * User and system CPU seconds. Deno 2.9 has no typed API for them: `process.cpuUsage()` reads the untyped
 * `Deno.cpuUsage()`, and touching the `process` global loads the Node compatibility layer (~9 MB RSS), so we call it
 * directly. `/proc/self/stat` is no alternative: Deno reads `/proc/self` only with all permissions.
 */
function cpuSeconds(): { user: number; system: number } | undefined {
  const usage = (Deno as unknown as { cpuUsage?: () => { user: number; system: number } }).cpuUsage?.();
  return usage && { user: usage.user / 1e6, system: usage.system / 1e6 };
}

/** A counter whose total is read at scrape time (client_golang's CounterFunc). */
function counterFunc(name: string, help: string, read: () => number | undefined): Counter {
  return new Counter({
    name,
    help,
    collect() {
      const v = read();
      this.reset();
      if (v !== undefined) this.inc(v);
    },
  });
}

/** A gauge whose value is read at scrape time (client_golang's GaugeFunc); no sample when unknown. */
function gaugeFunc(name: string, help: string, read: () => number | undefined): Gauge {
  return new Gauge({
    name,
    help,
    collect() {
      const v = read();
      if (v !== undefined) this.set(v);
    },
  });
}

/**
 * Registers the process_* metrics (CPU, RSS, heap, start time) on a registry, once. client_golang's
 * process_open_fds and process_max_fds are left out: they come from /proc/self, which needs all permissions.
 */
export function registerProcessMetrics(reg: Registry = registry): void {
  if (reg.getSingleMetric("process_cpu_seconds_total")) return;
  const metrics = [
    counterFunc("process_cpu_user_seconds_total", "User CPU time spent in seconds.", () => cpuSeconds()?.user),
    counterFunc("process_cpu_system_seconds_total", "System CPU time spent in seconds.", () => cpuSeconds()?.system),
    counterFunc("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", () => {
      const cpu = cpuSeconds();
      return cpu && cpu.user + cpu.system;
    }),
    gaugeFunc("process_resident_memory_bytes", "Resident memory size in bytes.", () => Deno.memoryUsage().rss),
    gaugeFunc("process_heap_bytes", "Process heap size in bytes.", () => Deno.memoryUsage().heapTotal),
    gaugeFunc("process_start_time_seconds", "Start time of the process since unix epoch.", () => startTimeSeconds),
  ];
  for (const m of metrics) reg.registerMetric(m);
}

/** Returns the counter of that name, creating it once (components may be instantiated many times in tests). */
export function counter<T extends string>(
  config: MetricConfiguration<T, Counter<T>>,
  reg: Registry = registry,
): Counter<T> {
  const existing = reg.getSingleMetric(config.name);
  if (existing) return existing as Counter<T>;
  const m = new Counter<T>(config);
  reg.registerMetric(m);
  return m;
}

/** Returns the gauge of that name, creating it once. */
export function gauge<T extends string>(config: MetricConfiguration<T, Gauge<T>>, reg: Registry = registry): Gauge<T> {
  const existing = reg.getSingleMetric(config.name);
  if (existing) return existing as Gauge<T>;
  const m = new Gauge<T>(config);
  reg.registerMetric(m);
  return m;
}

/** Returns the histogram of that name, creating it once. */
export function histogram<T extends string>(config: HistogramConfiguration<T>, reg: Registry = registry): Histogram<T> {
  const existing = reg.getSingleMetric(config.name);
  if (existing) return existing as Histogram<T>;
  const m = new Histogram<T>(config);
  reg.registerMetric(m);
  return m;
}
