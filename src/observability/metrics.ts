/**
 * Prometheus metrics: one registry per process, prom-client for metric types and the text exposition, and our own
 * process collectors (prom-client's read /proc through Node's fs, which reports zeros under Deno).
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration } from "prom-client";

export { Counter, Gauge, Histogram, Registry };

/** The process-wide registry that `/metrics` serves. */
export const registry: Registry = new Registry();

const startTimeSeconds = Math.floor(Date.now() / 1000);

function procFdCount(): number | undefined {
  try {
    let n = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
    return n;
  } catch {
    return undefined;
  }
}

function procMaxFds(): number | undefined {
  try {
    const limits = Deno.readTextFileSync("/proc/self/limits");
    const line = limits.split("\n").find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/** Registers process_* metrics (CPU, RSS, heap, file descriptors, start time) on a registry. */
export function registerProcessMetrics(reg: Registry = registry): void {
  if (reg.getSingleMetric("process_cpu_seconds_total")) return;
  const cpuUser = new Gauge({ name: "process_cpu_user_seconds_total", help: "User CPU time spent in seconds." });
  const cpuSystem = new Gauge({ name: "process_cpu_system_seconds_total", help: "System CPU time spent in seconds." });
  const cpuTotal = new Gauge({
    name: "process_cpu_seconds_total",
    help: "Total user and system CPU time spent in seconds.",
    collect() {
      const usage = process.cpuUsage();
      cpuUser.set(usage.user / 1e6);
      cpuSystem.set(usage.system / 1e6);
      this.set((usage.user + usage.system) / 1e6);
    },
  });
  const rss = new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    collect() {
      this.set(Deno.memoryUsage().rss);
    },
  });
  const heap = new Gauge({
    name: "process_heap_bytes",
    help: "Process heap size in bytes.",
    collect() {
      this.set(Deno.memoryUsage().heapTotal);
    },
  });
  const fds = new Gauge({
    name: "process_open_fds",
    help: "Number of open file descriptors.",
    collect() {
      const n = procFdCount();
      if (n !== undefined) this.set(n);
    },
  });
  const maxFds = new Gauge({
    name: "process_max_fds",
    help: "Maximum number of open file descriptors.",
    collect() {
      const n = procMaxFds();
      if (n !== undefined) this.set(n);
    },
  });
  const start = new Gauge({ name: "process_start_time_seconds", help: "Start time of the process since unix epoch." });
  start.set(startTimeSeconds);
  for (const m of [cpuUser, cpuSystem, cpuTotal, rss, heap, fds, maxFds, start]) reg.registerMetric(m);
}

/** Returns the counter of that name, creating it once (components may be instantiated many times in tests). */
export function counter<T extends string>(config: CounterConfiguration<T>, reg: Registry = registry): Counter<T> {
  const existing = reg.getSingleMetric(config.name);
  if (existing) return existing as Counter<T>;
  return new Counter<T>({ ...config, registers: [reg] });
}

/** Returns the gauge of that name, creating it once. */
export function gauge<T extends string>(config: GaugeConfiguration<T>, reg: Registry = registry): Gauge<T> {
  const existing = reg.getSingleMetric(config.name);
  if (existing) return existing as Gauge<T>;
  return new Gauge<T>({ ...config, registers: [reg] });
}

/** Returns the histogram of that name, creating it once. */
export function histogram<T extends string>(config: HistogramConfiguration<T>, reg: Registry = registry): Histogram<T> {
  const existing = reg.getSingleMetric(config.name);
  if (existing) return existing as Histogram<T>;
  return new Histogram<T>({ ...config, registers: [reg] });
}
