/**
 * The playground's live progress as data: pools (desired, ready, up to date), machines by phase, devices by state,
 * the shoots' Workers, the webhook server (registered, sidecars injected) — computed from what the seed and the Metal
 * simulator hold — and its two renderings: a block
 * of lines redrawn in place on a terminal, and one compact line printed on changes otherwise. Pure.
 */
import type { MachineDeployment } from "../apis/machine/v1alpha1.ts";
import type { KubeObject } from "../k8s/api/objects.ts";
import { MCM_DEPLOYMENT } from "../sim/gardenlet/mod.ts";
import { sidecarContainer } from "./sidecar.ts";

/** A Worker as the view reads it. */
export interface WorkerView extends KubeObject {
  spec?: { pools?: Array<{ name: string; machineType: string; minimum: number; maximum: number }> };
  status?: { lastOperation?: { type?: string; state?: string; description?: string } | null };
}

/** A Machine as the view reads it. */
export interface MachineView extends KubeObject {
  spec?: { class?: { name?: string } };
  status?: { currentStatus?: { phase?: string } };
}

/** One pool across every shoot that has it. */
export interface PoolProgress {
  name: string;
  machineTypes: string[];
  /** Σ MachineDeployment spec.replicas. */
  desired: number;
  ready: number;
  updated: number;
  available: number;
  minimum: number;
  maximum: number;
}

/** Everything the view shows at one instant. */
export interface ProgressSnapshot {
  elapsedMs: number;
  /** What the scenario is doing, e.g. "creating", "serving". */
  phase: string;
  shoots: number;
  workers: Array<{ key: string; state: string; description: string }>;
  pools: PoolProgress[];
  machines: Record<string, number>;
  machineTotal: number;
  devices: Record<string, number>;
  deviceTotal: number;
  metalCalls: number;
  apiWrites: number;
  /** The extension's webhook server as a component: its state and the sidecars it injected. */
  webhook?: WebhookProgress;
  /** Per Shoot condition type, how many Shoots report it True, of those reporting it. */
  shootConditions?: Array<{ type: string; true: number; of: number }>;
}

/** The webhook server in the view. */
export interface WebhookProgress {
  /** `disabled (...)`, `registered (<configuration>)` or `not registered yet`. */
  state: string;
  /** machine-controller-manager Deployments carrying our sidecar, of all of them. */
  sidecars: number;
  managers: number;
}

/** What the view reads about the webhooks: the extension's flag, the seed's configurations and Deployments. */
export interface WebhookInput {
  disabled: readonly string[];
  configurations: readonly KubeObject[];
  deployments: readonly KubeObject[];
}

/** Inputs of `computeProgress`. */
export interface ProgressInput {
  elapsedMs: number;
  phase: string;
  shoots: number;
  workers: readonly WorkerView[];
  deployments: readonly MachineDeployment[];
  machines: readonly MachineView[];
  deviceStates: readonly string[];
  metalCalls: number;
  apiWrites: number;
  webhooks?: WebhookInput;
  /** The Shoots' conditions as gardenlet's care pass last wrote them (`Type=Status`). */
  shootConditions?: readonly (readonly string[])[];
}

const POOL_LABEL = "worker.gardener.cloud/pool";
/** Order of machine phases in the view (others follow alphabetically). */
export const PHASE_ORDER = [
  "(new)",
  "Pending",
  "Available",
  "Running",
  "Terminating",
  "Unknown",
  "CrashLoopBackOff",
  "Failed",
];
/** Order of device states in the view. */
export const STATE_ORDER = ["queued", "provisioning", "active", "deprovisioning", "failed", "inactive"];

function count(values: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** The phase a machine is shown in. */
export function machinePhase(m: MachineView): string {
  return m.status?.currentStatus?.phase || (m.metadata.deletionTimestamp ? "Terminating" : "(new)");
}

/** The webhook server's state and the sidecars injected so far. */
export function webhookProgress(input: WebhookInput): WebhookProgress {
  const managers = input.deployments.filter((d) => d.metadata.name === MCM_DEPLOYMENT && !d.metadata.deletionTimestamp);
  const sidecars = managers.filter((d) => sidecarContainer(d)).length;
  const registered = input.configurations.filter((c) =>
    ((c as { webhooks?: Array<{ name?: string }> }).webhooks ?? []).some((w) => w.name?.startsWith("controlplane."))
  ).map((c) => c.metadata.name);
  const off = input.disabled.filter((w) => w === "*" || w === "controlplane");
  const state = off.length
    ? `disabled (--disable-webhooks ${input.disabled.join(",")})`
    : registered.length
    ? `registered (${registered.join(", ")})`
    : "not registered yet";
  return { state, sidecars, managers: managers.length };
}

/** Computes the snapshot. */
export function computeProgress(input: ProgressInput): ProgressSnapshot {
  const pools = new Map<string, PoolProgress>();
  const pool = (name: string) => {
    let p = pools.get(name);
    if (!p) {
      p = { name, machineTypes: [], desired: 0, ready: 0, updated: 0, available: 0, minimum: 0, maximum: 0 };
      pools.set(name, p);
    }
    return p;
  };
  for (const w of input.workers) {
    if (w.metadata.deletionTimestamp) continue;
    for (const p of w.spec?.pools ?? []) {
      const entry = pool(p.name);
      if (!entry.machineTypes.includes(p.machineType)) entry.machineTypes.push(p.machineType);
      entry.minimum += p.minimum;
      entry.maximum += p.maximum;
    }
  }
  for (const d of input.deployments) {
    const name = d.metadata.labels?.[POOL_LABEL];
    if (!name) continue;
    const entry = pool(name);
    entry.desired += d.spec?.replicas ?? 0;
    entry.ready += d.status?.readyReplicas ?? 0;
    entry.updated += d.status?.updatedReplicas ?? 0;
    entry.available += d.status?.availableReplicas ?? 0;
  }
  return {
    elapsedMs: input.elapsedMs,
    phase: input.phase,
    shoots: input.shoots,
    workers: input.workers.map((w) => ({
      key: `${w.metadata.namespace}/${w.metadata.name}`,
      state: w.metadata.deletionTimestamp
        ? `Deleting${w.status?.lastOperation?.state ? ` (${w.status.lastOperation.state})` : ""}`
        : w.status?.lastOperation?.state ?? "Pending",
      description: w.status?.lastOperation?.description ?? "",
    })).sort((a, b) => a.key.localeCompare(b.key)),
    pools: [...pools.values()].sort((a, b) => a.name.localeCompare(b.name)),
    machines: count(input.machines.map(machinePhase)),
    machineTotal: input.machines.length,
    devices: count(input.deviceStates),
    deviceTotal: input.deviceStates.length,
    metalCalls: input.metalCalls,
    apiWrites: input.apiWrites,
    ...(input.webhooks ? { webhook: webhookProgress(input.webhooks) } : {}),
    ...(input.shootConditions?.length ? { shootConditions: conditionCounts(input.shootConditions) } : {}),
  };
}

/** Per condition type (first-seen order): Shoots with it True, of those reporting it. */
export function conditionCounts(
  shoots: readonly (readonly string[])[],
): Array<{ type: string; true: number; of: number }> {
  const out = new Map<string, { type: string; true: number; of: number }>();
  for (const conds of shoots) {
    for (const c of conds) {
      const [type, status] = c.split("=");
      const e = out.get(type) ?? { type, true: 0, of: 0 };
      e.of++;
      if (status === "True") e.true++;
      out.set(type, e);
    }
  }
  return [...out.values()];
}

function conditionsText(s: ProgressSnapshot): string {
  return (s.shootConditions ?? []).map((c) => `${c.type} ${c.true}/${c.of}`).join(", ");
}

function ordered(counts: Record<string, number>, order: readonly string[]): Array<[string, number]> {
  const known = order.filter((k) => counts[k]).map((k) => [k, counts[k]] as [string, number]);
  const rest = Object.keys(counts).filter((k) => !order.includes(k)).sort().map((k) =>
    [k, counts[k]] as [string, number]
  );
  return [...known, ...rest];
}

function counts(counts: Record<string, number>, order: readonly string[]): string {
  const parts = ordered(counts, order).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(", ") : "none";
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function truncate(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

/** The block redrawn on a terminal (at most ~14 lines, whatever the number of shoots). */
export function renderProgressBlock(s: ProgressSnapshot, width = 120): string[] {
  const lines: string[] = [];
  lines.push(`── ${s.phase} ── ${seconds(s.elapsedMs)} ── ${s.shoots} shoot${s.shoots === 1 ? "" : "s"} ──`);
  const shown = s.workers.slice(0, 3);
  for (const w of shown) lines.push(`Worker ${w.key}: ${w.state}${w.description ? ` — ${w.description}` : ""}`);
  if (s.workers.length > shown.length) {
    const states = count(s.workers.map((w) => w.state));
    lines.push(
      `… ${s.workers.length - shown.length} more Workers (all: ${
        counts(states, ["Succeeded", "Processing", "Error"])
      })`,
    );
  }
  if (s.workers.length === 0) lines.push("Workers: none");
  for (const p of s.pools) {
    lines.push(
      `Pool ${p.name} (${p.machineTypes.join(", ") || "?"}, min ${p.minimum} max ${p.maximum}): ` +
        `${p.ready}/${p.desired} ready, ${p.updated} up to date, ${p.available} available`,
    );
  }
  lines.push(`Machines (${s.machineTotal}): ${counts(s.machines, PHASE_ORDER)}`);
  lines.push(`Devices (${s.deviceTotal}): ${counts(s.devices, STATE_ORDER)}`);
  if (s.webhook) {
    lines.push(
      `Webhook server: ${s.webhook.state} · sidecar in ${s.webhook.sidecars}/${s.webhook.managers} ` +
        "machine-controller-manager",
    );
  }
  if (s.shootConditions?.length) lines.push(`Shoot conditions True: ${conditionsText(s)}`);
  lines.push(`Metal API calls ${s.metalCalls} · API-server writes ${s.apiWrites}`);
  return lines.map((l) => truncate(l, width));
}

/** The compact line printed when something changed (no elapsed time, so it only differs on real changes). */
export function renderProgressLine(s: ProgressSnapshot): string {
  const pools = s.pools.map((p) => `${p.name} ${p.ready}/${p.desired}`).join(", ") || "none";
  const states = count(s.workers.map((w) => w.state));
  const webhook = (s.webhook ? ` | sidecars: ${s.webhook.sidecars}/${s.webhook.managers}` : "") +
    (s.shootConditions?.length ? ` | shoot conditions True: ${conditionsText(s)}` : "");
  return `[${s.phase}] workers: ${counts(states, ["Succeeded", "Processing", "Error"])} | pools ready: ${pools} | ` +
    `machines: ${counts(s.machines, PHASE_ORDER)} | devices: ${counts(s.devices, STATE_ORDER)}${webhook}`;
}
