/** Output helpers for benchmark scripts: one human line and one machine line per measurement. */

export interface Measurement {
  name: string;
  value: number;
  unit: string;
  /** The goal this measurement is judged against, as text (e.g. "< 60 s"). */
  goal?: string;
}

/** Prints a measurement. */
export function report(m: Measurement): void {
  const goal = m.goal ? `  (goal ${m.goal})` : "";
  console.log(`${m.name}: ${formatNumber(m.value)} ${m.unit}${goal}`);
  console.log(`BENCH ${JSON.stringify(m)}`);
}

function formatNumber(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

/** Peak resident set size of this process so far, in MB (VmHWM from /proc). */
export function peakRssMb(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** CPU seconds (user+system) used by this process so far. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** A short description of the machine, for docs/performance.md. */
export function machineDescription(): string {
  const cpu = Deno.readTextFileSync("/proc/cpuinfo").match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
  const cores = navigator.hardwareConcurrency;
  const memGb = Math.round(
    Number(/MemTotal:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/meminfo"))?.[1] ?? 0) / 1048576,
  );
  return `${cores} cores (${cpu}), ${memGb} GiB, Deno ${Deno.version.deno}`;
}
