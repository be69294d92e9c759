/**
 * The numbers of a playground run: per phase its duration, the Metal API calls (total, by method, per machine) and
 * the API-server writes (total, of which leases and the simulations, and ours per machine), computed from counter
 * snapshots taken at the phase's start and end; and their text form. Pure.
 */
import { isWriteVerb } from "../sim/apiserver/mod.ts";

/** Counters at one instant. */
export interface CounterSnapshot {
  /** Clock milliseconds. */
  at: number;
  /** Metal simulator requests by `METHOD endpoint status`. */
  metal: Record<string, number>;
  /** Of those, project device listings without a hostname filter (orphan collection), by `METHOD endpoint`. */
  metalListings?: Record<string, number>;
  /** API-server requests by `verb resource`, summed over every server. */
  api: Record<string, number>;
  /** Writes the simulations sent (gardenlet, MachineDeployment/MachineSet controllers, nodes). */
  simulationWrites: number;
}

/** One phase of the scenario. */
export interface PhaseReport {
  name: string;
  durationMs: number;
  /** Machines the phase created, replaced or deleted (the per-machine divisor). */
  machines: number;
  metalCalls: number;
  /** Calls on device endpoints for single machines (lookups, creates, deletes, ...), by method. */
  deviceCalls: number;
  deviceCallsByMethod: Record<string, number>;
  /** Listings of a whole cluster's devices (the machine controller's orphan collection), not per machine. */
  deviceListings: number;
  metalByEndpoint: Record<string, number>;
  apiWrites: number;
  leaseWrites: number;
  simulationWrites: number;
  /** Writes of our components: all writes but leases and the simulations'. */
  componentWrites: number;
  /** Every write but the leases', by `verb resource` (ours and the simulations'). */
  writesByResource: Record<string, number>;
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

function add(into: Record<string, number>, key: string, n: number): void {
  into[key] = (into[key] ?? 0) + n;
}

/** Endpoints about devices (`/projects/{id}/devices`, `/devices/{id}…`): the machines' calls. */
export function isDeviceEndpoint(endpoint: string): boolean {
  return endpoint === "/projects/{id}/devices" || endpoint.startsWith("/devices/");
}

function sum(r: Record<string, number>): number {
  return Object.values(r).reduce((a, b) => a + b, 0);
}

/** The report of a phase from its start and end snapshots. */
export function phaseReport(
  name: string,
  before: CounterSnapshot,
  after: CounterSnapshot,
  machines: number,
): PhaseReport {
  const metal = diff(after.metal, before.metal);
  const deviceListings = sum(diff(after.metalListings ?? {}, before.metalListings ?? {}));
  const deviceCallsByMethod: Record<string, number> = {};
  const metalByEndpoint: Record<string, number> = {};
  for (const [key, n] of Object.entries(metal)) {
    const [method, endpoint] = key.split(" ");
    if (isDeviceEndpoint(endpoint)) add(deviceCallsByMethod, method, n);
    add(metalByEndpoint, `${method} ${endpoint}`, n);
  }
  if (deviceListings > 0) {
    deviceCallsByMethod.GET -= deviceListings;
    if (deviceCallsByMethod.GET === 0) delete deviceCallsByMethod.GET;
  }
  let apiWrites = 0;
  let leaseWrites = 0;
  const byResource: Record<string, number> = {};
  for (const [key, n] of Object.entries(diff(after.api, before.api))) {
    const [verb, resource] = key.split(" ");
    if (!isWriteVerb(verb)) continue;
    apiWrites += n;
    if (resource.split("/")[0] === "leases") leaseWrites += n;
    else add(byResource, `${verb} ${resource}`, n);
  }
  const simulationWrites = after.simulationWrites - before.simulationWrites;
  return {
    name,
    durationMs: after.at - before.at,
    machines,
    metalCalls: sum(metal),
    deviceCalls: sum(deviceCallsByMethod),
    deviceCallsByMethod,
    deviceListings,
    metalByEndpoint,
    apiWrites,
    leaseWrites,
    simulationWrites,
    componentWrites: apiWrites - leaseWrites - simulationWrites,
    writesByResource: byResource,
  };
}

function perMachine(n: number, machines: number): string {
  return machines > 0 ? (n / machines).toFixed(2) : "-";
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The summary as text lines. */
export function formatSummary(reports: PhaseReport[], notes: string[] = []): string[] {
  const lines = ["Summary"];
  const width = Math.max(...reports.map((r) => r.name.length), 5);
  lines.push(`  ${"phase".padEnd(width)}  duration  machines`);
  for (const r of reports) {
    lines.push(`  ${r.name.padEnd(width)}  ${seconds(r.durationMs).padStart(8)}  ${String(r.machines).padStart(8)}`);
  }
  lines.push(
    "  Metal API calls (device calls per machine of the phase, by method; listings = orphan collection's " +
      "listings of all devices; other = SSH keys etc.):",
  );
  for (const r of reports) {
    const methods = Object.entries(r.deviceCallsByMethod).sort(([a], [b]) => a.localeCompare(b))
      .map(([m, n]) => `${m} ${perMachine(n, r.machines)}`).join(", ");
    lines.push(
      `    ${r.name.padEnd(width)}  ${r.metalCalls} total: devices ${r.deviceCalls} = ` +
        `${perMachine(r.deviceCalls, r.machines)} per machine${methods ? ` (${methods})` : ""}, ` +
        `listings ${r.deviceListings}, other ${r.metalCalls - r.deviceCalls - r.deviceListings}`,
    );
  }
  const total = reports.reduce((n, r) => n + r.metalCalls, 0);
  lines.push(`    ${"all".padEnd(width)}  ${total} total`);
  lines.push("  API-server writes (seed and shoots; ours = all but leases and the simulations'):");
  for (const r of reports) {
    lines.push(
      `    ${r.name.padEnd(width)}  ${r.apiWrites} total: ours ${r.componentWrites} (${
        perMachine(r.componentWrites, r.machines)
      }` +
        ` per machine), leases ${r.leaseWrites}, simulations ${r.simulationWrites}`,
    );
  }
  const writes = reports.reduce((n, r) => n + r.apiWrites, 0);
  lines.push(`    ${"all".padEnd(width)}  ${writes} total`);
  for (const n of notes) lines.push(`  ${n}`);
  return lines;
}
