/**
 * The MachineClass name suffix of a worker pool: Gardener's `WorkerPoolHash` (extensions/pkg/controller/worker/
 * machines.go), reproduced byte for byte, plus this provider's own data.
 *
 * Gardener's algorithm: collect a list of strings, hash each with SHA-256 (lower-case hex), concatenate the hex digests,
 * hash that text again and keep the first five hex characters.
 * - V2 (pool has `nodeAgentSecretName`, the normal case today): [nodeAgentSecretName, ...additionalDataV2].
 * - V1 (no `nodeAgentSecretName`): [k8s major.minor (pool version, else the shoot's), machineType, image name+version,
 *   volume size, volume type?, raw providerConfig?, ...additionalDataV1, CRI name?, CA rotation initiation time?,
 *   service-account-key rotation initiation time?, "node-local-dns"?].
 * - In-place strategies use a different hash in Gardener; this provider rejects them, so they throw here.
 *
 * Our provider data (reservations and the zone) is appended as additional data only when set, so a pool without it
 * gets exactly the hash the Go provider computed and switching implementations rolls no nodes. See docs/decisions.md,
 * section "Worker pool hash".
 */
import { createHash } from "node:crypto";
import { isInPlaceUpdateStrategy, type Shoot } from "../core/v1beta1.ts";
import type { WorkerConfig } from "../equinixmetal/v1alpha1.ts";
import type { WorkerPool } from "./v1alpha1.ts";

/** Raised for a pool whose update strategy is in-place: not supported by this provider. */
export class InPlaceUpdateNotSupportedError extends Error {
  constructor(readonly pool: string, readonly strategy: string) {
    super(
      `worker pool ${pool}: update strategy ${strategy} is not supported by provider equinixmetal; ` +
        "use AutoRollingUpdate",
    );
    this.name = "InPlaceUpdateNotSupportedError";
  }
}

/** SHA-256 of the UTF-8 bytes of `text`, as lower-case hex (Gardener's `utils.ComputeSHA256Hex`). */
function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Gardener's combination step: hash each entry, concatenate the hex digests, hash again, keep 5 hex characters. */
export function hashData(data: readonly string[]): string {
  let joined = "";
  for (const item of data) joined += sha256Hex(item);
  return sha256Hex(joined).slice(0, 5);
}

/** `major.minor` of a version the way Masterminds/semver's loose `NewVersion` reads it (`v` prefix, missing parts 0). */
export function versionMajorMinor(version: string): string {
  const m =
    /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/
      .exec(version);
  if (!m) throw new Error(`invalid Kubernetes version ${JSON.stringify(version)}: not a semantic version`);
  return `${BigInt(m[1])}.${BigInt(m[2] ?? "0")}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * Go's `time.Time.String()` of a `metav1.Time` read from JSON. metav1 converts parsed times to the process's local
 * zone; Gardener's images have no zone data, so that is UTC: `2024-05-01 10:00:00 +0000 UTC` (fractions trimmed).
 */
export function goTimeString(rfc3339: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(
    rfc3339,
  );
  if (!m) throw new Error(`invalid RFC 3339 time ${JSON.stringify(rfc3339)}`);
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d)); // setUTCFullYear keeps years 0-99 as they are
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  if (sign) {
    const offsetMinutes = (Number(oh) * 60 + Number(om)) * (sign === "-" ? -1 : 1);
    date.setTime(date.getTime() - offsetMinutes * 60_000);
  }
  const fraction = (frac ?? "").slice(0, 9).replace(/0+$/, "");
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)} ` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}` +
    `${fraction ? "." + fraction : ""} +0000 UTC`;
}

/** Go's encoding/json string escaping (HTML-safe, as the API server's encoder writes it). */
function goJSONString(s: string): string {
  return JSON.stringify(s)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Go's float formatting in encoding/json: plain notation, exponent only below 1e-6 or from 1e21 on. */
function goJSONNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot encode ${n} as JSON`);
  return String(n); // ECMAScript's Number::toString switches to exponent form at the same bounds as Go
}

/**
 * The bytes of a `runtime.RawExtension` as a Go controller receives them from the API server: compact JSON with
 * object keys sorted (custom resources are served from a map) and Go's HTML-safe string escaping.
 */
export function goRawJSON(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return goJSONString(value);
  if (typeof value === "number") return goJSONNumber(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(goRawJSON).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)); // Go sorts map keys by byte order
    return `{${entries.map(([k, v]) => `${goJSONString(k)}:${goRawJSON(v)}`).join(",")}}`;
  }
  throw new Error(`cannot encode a ${typeof value} as JSON`);
}

/** The rotation initiation time that applies to `pool`: its pending-rollout entry if it has one, else the global one. */
function rotationTime(
  pool: string,
  rotation: { lastInitiationTime?: string; pendingWorkersRollouts?: { name: string; lastInitiationTime?: string }[] },
): string | undefined {
  const pending = rotation.pendingWorkersRollouts?.find((r) => r.name === pool);
  return pending ? pending.lastInitiationTime : rotation.lastInitiationTime;
}

/** The exact strings Gardener's V1 hash covers, in order (exported so tests can show what is hashed). */
export function workerPoolHashV1Data(pool: WorkerPool, shoot: Shoot, additionalData: readonly string[] = []): string[] {
  const version = pool.kubernetesVersion ?? shoot.spec.kubernetes.version;
  const data = [versionMajorMinor(version), pool.machineType, pool.machineImage.name + pool.machineImage.version];
  if (pool.volume) {
    data.push(pool.volume.size);
    if (pool.volume.type !== undefined) data.push(pool.volume.type);
  }
  if (pool.providerConfig !== undefined) data.push(goRawJSON(pool.providerConfig));
  data.push(...additionalData);
  for (const w of shoot.spec.provider.workers ?? []) {
    if (w.name === pool.name && w.cri) data.push(w.cri.name);
  }
  const rotation = shoot.status?.credentials?.rotation;
  for (const r of [rotation?.certificateAuthorities, rotation?.serviceAccountKey]) {
    if (!r) continue;
    const t = rotationTime(pool.name, r);
    if (t !== undefined) data.push(goTimeString(t));
  }
  if (shoot.spec.systemComponents?.nodeLocalDNS?.enabled === true) data.push("node-local-dns");
  return data;
}

/** Gardener's `WorkerPoolHashV1`. */
export function workerPoolHashV1(pool: WorkerPool, shoot: Shoot, additionalData: readonly string[] = []): string {
  return hashData(workerPoolHashV1Data(pool, shoot, additionalData));
}

/** Gardener's `WorkerPoolHashV2`. */
export function workerPoolHashV2(nodeAgentSecretName: string, additionalData: readonly string[] = []): string {
  return hashData([nodeAgentSecretName, ...additionalData]);
}

/** Gardener's `WorkerPoolHash` dispatch (V2 when `nodeAgentSecretName` is set, else V1); in-place pools throw. */
export function workerPoolHash(
  pool: WorkerPool,
  shoot: Shoot,
  additionalDataV1: readonly string[] = [],
  additionalDataV2: readonly string[] = [],
): string {
  if (isInPlaceUpdateStrategy(pool.updateStrategy)) {
    throw new InPlaceUpdateNotSupportedError(pool.name, pool.updateStrategy!);
  }
  if (pool.nodeAgentSecretName !== undefined) return workerPoolHashV2(pool.nodeAgentSecretName, additionalDataV2);
  return workerPoolHashV1(pool, shoot, additionalDataV1);
}

/** Provider settings that must roll a pool's machines when they change. */
export interface EquinixHashInputs {
  /** The pool's decoded WorkerConfig, if it has one. */
  workerConfig?: Pick<WorkerConfig, "reservationIDs" | "reservedDevicesOnly">;
  /** The zone (Equinix facility) of the MachineDeployment, if deployments are per zone. */
  zone?: string;
}

/**
 * Our additional hash data. Only set values contribute, so pools without them hash as in the Go provider.
 * Reservation IDs are compared as a set (lower-cased, sorted): reordering them must not roll nodes. V1 already covers
 * the raw providerConfig, so it gets only the zone; V2 covers nothing else, so it gets everything.
 */
export function equinixAdditionalHashData(inputs: EquinixHashInputs): { v1: string[]; v2: string[] } {
  const zone = inputs.zone ? [`zone=${inputs.zone}`] : [];
  const reservations: string[] = [];
  const ids = inputs.workerConfig?.reservationIDs ?? [];
  if (ids.length > 0) {
    reservations.push(`reservationIDs=${[...new Set(ids.map((id) => id.toLowerCase()))].sort().join(",")}`);
  }
  if (inputs.workerConfig?.reservedDevicesOnly === true) reservations.push("reservedDevicesOnly=true");
  return { v1: zone, v2: [...reservations, ...zone] };
}

/** The MachineClass hash of an Equinix worker pool (Gardener's hash plus our provider data). */
export function equinixWorkerPoolHash(pool: WorkerPool, shoot: Shoot, inputs: EquinixHashInputs = {}): string {
  const extra = equinixAdditionalHashData(inputs);
  return workerPoolHash(pool, shoot, extra.v1, extra.v2);
}
