/**
 * SIMULATION of gardenlet: the concrete objects of a shoot made from the template — renamed for the n-th shoot,
 * credentials filled in, pools replaced when a scenario asks for other sizes — and the changes gardenlet makes to
 * them during the flow (copying the Infrastructure's provider status into the Worker, changing a pool's machine
 * type as a Shoot edit would). Every function returns new objects. Pure.
 */
import { encodeBase64 } from "../../runtime/base64.ts";
import { createHash } from "node:crypto";
import type { KubeObject } from "../../k8s/api/objects.ts";
import type { ShootObjects, ShootTemplate } from "./shoot_template.ts";

/** The size of one worker pool. */
export interface PoolShape {
  name: string;
  machineType: string;
  minimum: number;
  maximum: number;
  zones: string[];
}

/** Values gardenlet copies into the `cloudprovider` secret (from the shoot's credentials binding). */
export interface Credentials {
  apiToken: string;
  projectId: string;
}

/** Placeholders of the example's `cloudprovider` secret. */
export const TOKEN_PLACEHOLDER = "${METAL_API_TOKEN}";
export const PROJECT_PLACEHOLDER = "${METAL_PROJECT_ID}";

type Json = Record<string, unknown>;

/** Reads a nested record (creating nothing); undefined when a step is not an object. */
function at(obj: unknown, ...path: string[]): Json | undefined {
  let cur = obj;
  for (const p of path) {
    if (!cur || typeof cur !== "object") return undefined;
    cur = (cur as Json)[p];
  }
  return cur && typeof cur === "object" && !Array.isArray(cur) ? cur as Json : undefined;
}

function poolsOf(worker: KubeObject): Json[] {
  return (at(worker, "spec")?.pools as Json[] | undefined) ?? [];
}

function shootWorkersOf(cluster: KubeObject): Json[] {
  return (at(cluster, "spec", "shoot", "spec", "provider")?.workers as Json[] | undefined) ?? [];
}

/** Shoot names for `count` shoots: the template's name alone, or `<name>-1` … `<name>-<count>`. */
export function shootNames(template: ShootTemplate, count: number): string[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`shoots: must be a positive integer, got ${count}`);
  if (count === 1) return [template.shootName];
  return Array.from({ length: count }, (_, i) => `${template.shootName}-${i + 1}`);
}

/** Pools of `machinesPerPool` machines each (minimum = maximum), shaped like the template's pools in turn. */
export function generatePools(template: ShootTemplate, count: number, machinesPerPool: number): PoolShape[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`pools: must be a positive integer, got ${count}`);
  if (!Number.isInteger(machinesPerPool) || machinesPerPool < 0) {
    throw new Error(`machinesPerPool: must be a non-negative integer, got ${machinesPerPool}`);
  }
  const shapes = poolsOf(template.worker);
  return Array.from({ length: count }, (_, i) => {
    const t = shapes[i % shapes.length];
    return {
      name: `pool-${i + 1}`,
      machineType: String(t.machineType),
      minimum: machinesPerPool,
      maximum: machinesPerPool,
      zones: [...((t.zones as string[] | undefined) ?? [])],
    };
  });
}

/** The pools of a shoot (or template) as shapes. */
export function poolShapes(template: ShootTemplate): PoolShape[] {
  return poolsOf(template.worker).map((p) => ({
    name: String(p.name),
    machineType: String(p.machineType),
    minimum: Number(p.minimum),
    maximum: Number(p.maximum),
    zones: [...((p.zones as string[] | undefined) ?? [])],
  }));
}

/** A UUID derived from the template's for the n-th shoot (deterministic, still a valid UUID). */
function derivedUid(uid: string, index: number): string {
  if (index === 0) return uid;
  return uid.slice(0, 24) + index.toString(16).padStart(12, "0").slice(-12);
}

function poolEntry(templatePool: Json, shape: PoolShape, userDataName: string): Json {
  const p = structuredClone(templatePool);
  const from = String(templatePool.name);
  p.name = shape.name;
  p.machineType = shape.machineType;
  p.minimum = shape.minimum;
  p.maximum = shape.maximum;
  p.zones = [...shape.zones];
  p.userDataSecretRef = { ...(p.userDataSecretRef as Json), name: userDataName };
  p.nodeAgentSecretName = nodeAgentSecretName(p);
  if (p.labels && typeof p.labels === "object") {
    p.labels = Object.fromEntries(
      Object.entries(p.labels as Record<string, string>).map(([k, v]) => [k, v === from ? shape.name : v]),
    );
  }
  return p;
}

function shootWorkerEntry(templateEntry: Json, shape: PoolShape): Json {
  const w = structuredClone(templateEntry);
  w.name = shape.name;
  w.minimum = shape.minimum;
  w.maximum = shape.maximum;
  w.zones = [...shape.zones];
  w.machine = { ...(w.machine as Json), type: shape.machineType };
  return w;
}

/** Options of `shootObjects`. */
export interface ShootShape {
  /** Shoot name; its technical ID becomes `shoot--<project of the template>--<name>`. */
  name: string;
  /** Position among the scenario's shoots (0-based; derives the shoot UID). */
  index: number;
  credentials: Credentials;
  /** Pools instead of the template's. */
  pools?: PoolShape[];
}

/** The objects of one concrete shoot. */
export function shootObjects(template: ShootTemplate, shape: ShootShape): ShootObjects {
  const project = template.technicalId.split("--")[1] ?? "garden";
  const technicalId = shape.name === template.shootName ? template.technicalId : `shoot--${project}--${shape.name}`;
  const ns = technicalId;
  const inNs = (o: KubeObject): KubeObject => {
    const c = structuredClone(o);
    c.metadata.namespace = ns;
    return c;
  };

  const namespace = structuredClone(template.namespace);
  namespace.metadata.name = ns;
  const uidKey = "shoot.gardener.cloud/uid";
  const templateUid = template.namespace.metadata.annotations?.[uidKey] ??
    String(at(template.cluster, "spec", "shoot", "metadata")?.uid ?? "00000000-0000-4000-8000-000000000000");
  const uid = derivedUid(templateUid, shape.index);
  namespace.metadata.annotations = { ...namespace.metadata.annotations, [uidKey]: uid };

  const cluster = structuredClone(template.cluster);
  cluster.metadata.name = ns;
  const shoot = at(cluster, "spec", "shoot");
  if (shoot) {
    shoot.metadata = { ...(shoot.metadata as Json), name: shape.name, uid };
    const status = at(shoot, "status");
    if (status) Object.assign(status, { technicalID: ns, uid });
  }

  const cloudProvider = inNs(template.cloudProvider);
  const fill = (v: unknown) =>
    typeof v === "string"
      ? v.replaceAll(TOKEN_PLACEHOLDER, shape.credentials.apiToken).replaceAll(
        PROJECT_PLACEHOLDER,
        shape.credentials.projectId,
      )
      : v;
  const cp = cloudProvider as KubeObject & { stringData?: Record<string, string>; data?: Record<string, string> };
  if (cp.stringData) {
    cp.stringData = Object.fromEntries(Object.entries(cp.stringData).map(([k, v]) => [k, fill(v) as string]));
  }

  const retarget = <T extends KubeObject>(o: T): T => {
    const c = inNs(o) as T;
    c.metadata.name = shape.name;
    const spec = at(c, "spec");
    if (spec?.secretRef) spec.secretRef = { ...(spec.secretRef as Json), namespace: ns };
    return c;
  };
  const infrastructure = retarget(template.infrastructure);
  const worker = retarget(template.worker);
  if (technicalId !== template.technicalId) {
    // Each shoot has its own key pair (in Infrastructure and Worker, as base64 of the line).
    const key = encodeBase64(shootPublicKey(technicalId));
    for (const o of [infrastructure, worker]) at(o, "spec")!.sshPublicKey = key;
  }
  let userData = template.userData.map(inNs);

  if (shape.pools) {
    const poolShapesList = poolsOf(template.worker);
    const templateShootWorkers = shootWorkersOf(template.cluster);
    const byName = new Map(template.userData.map((s) => [s.metadata.name, s]));
    userData = [];
    const pools: Json[] = [];
    const shootWorkers: Json[] = [];
    shape.pools.forEach((p, i) => {
      const tp = poolShapesList[i % poolShapesList.length];
      const userDataName = `user-data-${p.name}`;
      const source = byName.get(String((tp.userDataSecretRef as Json)?.name)) ?? template.userData[0];
      const secret = inNs(source);
      secret.metadata.name = userDataName;
      secret.metadata.labels = { ...secret.metadata.labels, "worker.gardener.cloud/pool": p.name };
      userData.push(secret);
      pools.push(poolEntry(tp, p, userDataName));
      if (templateShootWorkers.length) {
        shootWorkers.push(shootWorkerEntry(templateShootWorkers[i % templateShootWorkers.length], p));
      }
    });
    at(worker, "spec")!.pools = pools;
    const provider = at(cluster, "spec", "shoot", "spec", "provider");
    if (provider) provider.workers = shootWorkers;
  }

  return {
    shootName: shape.name,
    technicalId: ns,
    namespace,
    cluster,
    cloudProvider,
    userData,
    infrastructure,
    worker,
    others: template.others.map((o) => structuredClone(o)),
  };
}

/** The Worker with the Infrastructure's provider status copied verbatim, as gardenlet does. */
export function withInfrastructureStatus(worker: KubeObject, providerStatus: unknown): KubeObject {
  const w = structuredClone(worker);
  const spec = at(w, "spec") ?? {};
  if (providerStatus === undefined) delete spec.infrastructureProviderStatus;
  else spec.infrastructureProviderStatus = structuredClone(providerStatus);
  return w;
}

/** The first other usable machine type of the CloudProfile with the same architecture, for a rolling update. */
export function alternativeMachineType(cluster: KubeObject, current: string): string | undefined {
  const types = (at(cluster, "spec", "cloudProfile", "spec")?.machineTypes as Json[] | undefined) ?? [];
  const arch = types.find((t) => t.name === current)?.architecture;
  return types.find((t) => t.name !== current && t.usable !== false && (arch === undefined || t.architecture === arch))
    ?.name as string | undefined;
}

/** A pool's machine type changed in the Worker spec (what a Shoot edit makes gardenlet write). */
export function withPoolMachineType(worker: KubeObject, pool: string, machineType: string): KubeObject {
  const w = structuredClone(worker);
  const entry = poolsOf(w).find((p) => p.name === pool);
  if (!entry) throw new Error(`Worker ${w.metadata.namespace}/${w.metadata.name} has no pool ${pool}`);
  entry.machineType = machineType;
  return w;
}

/** The Cluster's Shoot with a pool's machine type changed (gardenlet syncs the Cluster before the flow). */
export function clusterWithPoolMachineType(cluster: KubeObject, pool: string, machineType: string): KubeObject {
  const c = structuredClone(cluster);
  const entry = shootWorkersOf(c).find((p) => p.name === pool);
  if (entry) entry.machine = { ...(entry.machine as Json), type: machineType };
  return c;
}

/** The machines a Worker wants per pool: the sum of the pools' minimums (no autoscaler runs in the playground). */
export function wantedMachines(worker: KubeObject): number {
  return poolsOf(worker).reduce((n, p) => n + Number(p.minimum ?? 0), 0);
}

/**
 * The name of a pool's gardener-node-agent secret as gardenlet derives it: `gardener-node-agent-<pool>-<hash>`, the
 * hash over what makes up the pool's OperatingSystemConfig (machine type, image, Kubernetes version, architecture,
 * volumes, kubelet configuration). A change of any of them gives a new name, which feeds the MachineClass hash and
 * so rolls the pool, as in a real landscape.
 */
export function nodeAgentSecretName(pool: Record<string, unknown>): string {
  const key = JSON.stringify([
    pool.machineType,
    pool.machineImage,
    pool.kubernetesVersion ?? null,
    pool.architecture ?? null,
    pool.volume ?? null,
    pool.dataVolumes ?? null,
    pool.kubeletDataVolumeName ?? null,
    pool.kubeletConfig ?? null,
  ]);
  return `gardener-node-agent-${pool.name}-${createHash("sha256").update(key).digest("hex").slice(0, 5)}`;
}

/** The Worker with every pool's `nodeAgentSecretName` as gardenlet computes it (unchanged pools keep theirs). */
export function withNodeAgentSecretNames(worker: KubeObject): KubeObject {
  const w = structuredClone(worker);
  for (const p of poolsOf(w)) p.nodeAgentSecretName = nodeAgentSecretName(p);
  return w;
}

/** True if some pool's `nodeAgentSecretName` is not the one gardenlet would compute. */
export function nodeAgentSecretNamesOutdated(worker: KubeObject): boolean {
  return poolsOf(worker).some((p) => p.nodeAgentSecretName !== nodeAgentSecretName(p));
}

/** SSH string encoding: 32-bit big-endian length, then the bytes. */
function sshString(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

/**
 * A shoot's own SSH public key (an `authorized_keys` line), derived from its technical ID: gardenlet generates a key
 * pair per shoot, and the Infrastructure controller refuses a key another shoot already registered in the project.
 * Only the public half exists (nothing logs in to simulated devices); deterministic so that runs are reproducible.
 */
export function shootPublicKey(technicalId: string): string {
  const type = new TextEncoder().encode("ssh-ed25519");
  const key = createHash("sha256").update(`simulated ed25519 key of ${technicalId}`).digest();
  const blob = new Uint8Array([...sshString(type), ...sshString(new Uint8Array(key))]);
  return `ssh-ed25519 ${encodeBase64(blob)} gardener@${technicalId}`;
}
