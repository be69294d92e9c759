/**
 * SIMULATION of gardenlet: a user's `core.gardener.cloud/v1beta1` Shoot (and optionally its CloudProfile) turned into
 * the objects gardenlet writes into the seed — the shoot namespace, the Cluster, the Infrastructure and the Worker —
 * as gardenlet derives them: one Worker pool per Shoot worker with its machine type, image (defaulted from the
 * CloudProfile, checked against the profile's image mapping), zones, Kubernetes version, node labels and provider
 * config; the Infrastructure's provider config from `infrastructureConfig`; no SSH public key when
 * `workersSettings.sshAccess.enabled` is false; the Shoot (hibernation included) embedded in the Cluster. What the
 * manifests do not describe (the Seed, the credentials secret, the user data stand-in, the namespace labels) comes
 * from the example template. Validated with zod; every error names the file and the field path. Pure.
 */
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { createHash } from "node:crypto";
import { fieldPath, FieldValidationError } from "../../apis/decode.ts";
import { findImageInCloudProfile } from "../../apis/equinixmetal/helper.ts";
import {
  decodeCloudProfileConfig,
  decodeControlPlaneConfig,
  decodeInfrastructureConfig,
  decodeWorkerConfig,
} from "../../apis/equinixmetal/v1alpha1.ts";
import { validateWorkerConfig } from "../../apis/equinixmetal/validation.ts";
import { decodeCluster, decodeWorker } from "../../apis/extensions/v1alpha1.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { encodeBase64 } from "../../runtime/base64.ts";
import { nodeAgentSecretName, shootPublicKey } from "./shoot_objects.ts";
import type { ShootTemplate } from "./shoot_template.ts";

const PROVIDER_TYPE = "equinixmetal";
const CORE_API_VERSION = "core.gardener.cloud/v1beta1";
/** Gardener's limit for shoot names (the technical ID must stay a valid namespace name). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const Raw = z.custom<Record<string, unknown>>(
  (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  { message: "expected an object" },
);
const IntOrString = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+%?$/, "a count or a percentage")]);
const Name = z.string().regex(DNS_LABEL, "must be a DNS label (lower case letters, digits and '-')");

const WorkerSchema = z.looseObject({
  name: Name.max(15),
  machine: z.looseObject({
    type: z.string().min(1),
    image: z.looseObject({ name: z.string().min(1), version: z.string().min(1).optional() }).optional(),
    architecture: z.enum(["amd64", "arm64"]).optional(),
  }),
  minimum: z.number().int().nonnegative(),
  maximum: z.number().int().nonnegative(),
  maxSurge: IntOrString.optional(),
  maxUnavailable: IntOrString.optional(),
  zones: z.array(z.string().min(1)).min(1, "needs at least one zone (a facility of the shoot's metro)"),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  taints: z.array(z.looseObject({ key: z.string(), effect: z.string() })).optional(),
  cri: z.looseObject({ name: z.string() }).optional(),
  kubernetes: z.looseObject({ version: z.string().optional(), kubelet: Raw.optional() }).optional(),
  providerConfig: Raw.optional(),
  volume: Raw.optional(),
  dataVolumes: z.array(Raw).optional(),
  kubeletDataVolumeName: z.string().optional(),
  machineControllerManager: Raw.optional(),
  clusterAutoscaler: Raw.optional(),
  systemComponents: z.looseObject({ allow: z.boolean().optional() }).optional(),
  updateStrategy: z.enum(["AutoRollingUpdate"], {
    message: "only AutoRollingUpdate is supported by this provider",
  }).optional(),
  priority: z.number().int().optional(),
}).refine((w) => w.maximum >= w.minimum, { message: "maximum must not be less than minimum", path: ["maximum"] });

/** The parts of a Shoot manifest gardenlet's derivation reads (other fields are kept in the Cluster as written). */
export const ShootManifestSchema = z.looseObject({
  apiVersion: z.literal(CORE_API_VERSION),
  kind: z.literal("Shoot"),
  metadata: z.looseObject({
    name: Name.max(21, "must be at most 21 characters (Gardener's limit for shoot names)"),
    namespace: z.string().regex(/^garden(-[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/, "must be garden or garden-<project>")
      .optional(),
    uid: z.string().optional(),
  }),
  spec: z.looseObject({
    cloudProfileName: z.string().optional(),
    cloudProfile: z.looseObject({ kind: z.string().optional(), name: z.string().min(1) }).optional(),
    region: z.string().min(1),
    kubernetes: z.looseObject({ version: z.string().regex(/^\d+\.\d+\.\d+$/, "must be a version x.y.z") }),
    hibernation: z.looseObject({ enabled: z.boolean().optional() }).optional(),
    provider: z.looseObject({
      type: z.literal(PROVIDER_TYPE),
      infrastructureConfig: Raw.optional(),
      controlPlaneConfig: Raw.optional(),
      workers: z.array(WorkerSchema).min(1, "needs at least one worker pool"),
      workersSettings: z.looseObject({
        sshAccess: z.looseObject({ enabled: z.boolean() }).optional(),
      }).optional(),
    }),
  }),
});
export type ShootManifest = z.output<typeof ShootManifestSchema>;
type ShootWorker = ShootManifest["spec"]["provider"]["workers"][number];

/** The parts of a CloudProfile gardenlet's derivation checks a Shoot against. */
export const CloudProfileManifestSchema = z.looseObject({
  apiVersion: z.literal(CORE_API_VERSION),
  kind: z.literal("CloudProfile"),
  metadata: z.looseObject({ name: z.string().min(1) }),
  spec: z.looseObject({
    type: z.literal(PROVIDER_TYPE),
    kubernetes: z.looseObject({ versions: z.array(z.looseObject({ version: z.string() })) }).optional(),
    regions: z.array(z.looseObject({
      name: z.string().min(1),
      zones: z.array(z.looseObject({ name: z.string().min(1) })).optional(),
    })).min(1),
    machineTypes: z.array(z.looseObject({
      name: z.string().min(1),
      cpu: z.union([z.number().int(), z.string().min(1)]),
      gpu: z.union([z.number().int(), z.string().min(1)]),
      memory: z.union([z.number().int(), z.string().min(1)]),
      architecture: z.string().optional(),
      usable: z.boolean().optional(),
    })).min(1),
    machineImages: z.array(z.looseObject({
      name: z.string().min(1),
      versions: z.array(z.looseObject({
        version: z.string().min(1),
        classification: z.string().optional(),
        architectures: z.array(z.string()).optional(),
      })).min(1),
    })).min(1),
    providerConfig: Raw.optional(),
  }),
});
export type CloudProfileManifest = z.output<typeof CloudProfileManifestSchema>;

/** An error in a manifest: `file: field.path: message`. */
export class ManifestError extends Error {
  constructor(readonly file: string, readonly field: string, detail: string) {
    super(`${file}: ${field ? `${field}: ` : ""}${detail}`);
    this.name = "ManifestError";
  }
}

/** The one non-empty YAML document of `text`, or an error naming the file. */
function singleDocument(text: string, file: string, what: string): unknown {
  const docs = parseAllDocuments(text);
  const values: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new ManifestError(file, "", `invalid YAML: ${doc.errors[0].message}`);
    const v = doc.toJS({ maxAliasCount: 100 });
    if (v !== null && v !== undefined) values.push(v);
  }
  if (values.length !== 1) throw new ManifestError(file, "", `expected one ${what} document, found ${values.length}`);
  return values[0];
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ManifestError(
    file,
    fieldPath("", ...issue.path.map((p) => typeof p === "symbol" ? String(p) : p)),
    issue.message,
  );
}

/** Parses and validates a Shoot manifest; throws a `ManifestError` naming the file and the field. */
export function parseShootManifest(text: string, file: string): ShootManifest {
  return parseWith(ShootManifestSchema, singleDocument(text, file, "Shoot"), file);
}

/** Parses and validates a CloudProfile manifest; throws a `ManifestError` naming the file and the field. */
export function parseCloudProfileManifest(text: string, file: string): CloudProfileManifest {
  const profile = parseWith(CloudProfileManifestSchema, singleDocument(text, file, "CloudProfile"), file);
  if (profile.spec.providerConfig) {
    decodeCloudProfileConfig(profile.spec.providerConfig, { path: "spec.providerConfig", object: file });
  }
  return profile;
}

/** The Gardener project of a project namespace: `garden` → `garden`, `garden-<p>` → `<p>`. */
export function projectOf(namespace: string): string {
  return namespace === "garden" ? "garden" : namespace.slice("garden-".length);
}

/** A deterministic UUID (version 4 layout) for a shoot without `metadata.uid`. */
function uidFor(technicalId: string): string {
  const h = createHash("sha256").update(`shoot uid ${technicalId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** What a derivation checks a Shoot against, and where errors point. */
interface Context {
  file: string;
  profile: CloudProfileManifest;
  /** The CloudProfile's file (or the example's Cluster) for messages. */
  profileSource: string;
}

function fail(ctx: Context, path: string, detail: string): never {
  throw new ManifestError(ctx.file, path, detail);
}

/** Compares dotted versions numerically (`4081.2.0` > `3975.2.0`). */
function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The pool's machine image: as written, else the newest supported version of the profile's image (Gardener's default). */
function machineImageOf(ctx: Context, w: ShootWorker, i: number, arch: string): { name: string; version: string } {
  const path = `spec.provider.workers[${i}].machine.image`;
  const images = ctx.profile.spec.machineImages;
  const image = w.machine.image?.name
    ? images.find((m) => m.name === w.machine.image!.name) ??
      fail(ctx, `${path}.name`, `"${w.machine.image.name}" is not a machine image of ${ctx.profileSource}`)
    : images[0];
  const fits = (v: { architectures?: string[] }) => !v.architectures || v.architectures.includes(arch);
  let version = w.machine.image?.version;
  if (version === undefined) {
    const candidates = image.versions.filter((v) => fits(v) && v.classification !== "deprecated");
    if (!candidates.length) {
      fail(ctx, path, `${ctx.profileSource} offers no supported ${image.name} version for ${arch}`);
    }
    version = candidates.map((v) => v.version).sort(compareVersions).at(-1)!;
  } else {
    const v = image.versions.find((v) => v.version === version) ??
      fail(ctx, `${path}.version`, `${image.name} ${version} is not offered by ${ctx.profileSource}`);
    if (!fits(v)) fail(ctx, `${path}.version`, `${image.name} ${version} is not offered for ${arch}`);
  }
  const cfg = ctx.profile.spec.providerConfig
    ? decodeCloudProfileConfig(ctx.profile.spec.providerConfig, { path: "spec.providerConfig" })
    : undefined;
  if (cfg && !findImageInCloudProfile(cfg, image.name, version)) {
    fail(
      ctx,
      `${path}.version`,
      `${image.name} ${version} has no Equinix Metal image (OS slug or iPXE script) in the providerConfig of ` +
        ctx.profileSource,
    );
  }
  return { name: image.name, version };
}

/** The labels gardenlet puts on a pool's nodes (its NodeLabelsForWorkerPool), user labels first. */
function nodeLabels(w: ShootWorker, arch: string, image: { name: string; version: string }, k8s: string) {
  const labels: Record<string, string> = {
    ...w.labels,
    "node.kubernetes.io/role": "node",
    "kubernetes.io/arch": arch,
    "worker.gardener.cloud/pool": w.name,
    "worker.garden.sapcloud.io/group": w.name,
    "worker.gardener.cloud/cri-name": w.cri?.name ?? "containerd",
    "worker.gardener.cloud/image-name": image.name,
    "worker.gardener.cloud/image-version": image.version,
    "worker.gardener.cloud/kubernetes-version": k8s,
  };
  if (w.systemComponents?.allow ?? true) labels["worker.gardener.cloud/system-components"] = "true";
  return labels;
}

/** Checks a pool against the CloudProfile and its provider config; returns the derived Worker pool. */
function workerPool(ctx: Context, shoot: ShootManifest, w: ShootWorker, i: number): Record<string, unknown> {
  const base = `spec.provider.workers[${i}]`;
  const type = ctx.profile.spec.machineTypes.find((t) => t.name === w.machine.type) ??
    fail(ctx, `${base}.machine.type`, `"${w.machine.type}" is not a machine type of ${ctx.profileSource}`);
  if (type.usable === false) fail(ctx, `${base}.machine.type`, `"${w.machine.type}" is not usable`);
  const arch = w.machine.architecture ?? type.architecture ?? "amd64";
  if (type.architecture && type.architecture !== arch) {
    fail(ctx, `${base}.machine.architecture`, `${arch} does not match ${type.name} (${type.architecture})`);
  }
  const region = ctx.profile.spec.regions.find((r) => r.name === shoot.spec.region)!;
  const zones = new Set((region.zones ?? []).map((z) => z.name));
  w.zones.forEach((z, j) => {
    if (!zones.has(z)) {
      fail(ctx, `${base}.zones[${j}]`, `"${z}" is not a zone of region ${region.name} (${[...zones].join(", ")})`);
    }
  });
  if (w.providerConfig) {
    const path = `${base}.providerConfig`;
    const cfg = decodeWorkerConfig(w.providerConfig, { path, object: ctx.file });
    const errors = validateWorkerConfig(cfg, path);
    if (errors.length) throw new FieldValidationError(errors, ctx.file);
  }
  const image = machineImageOf(ctx, w, i, arch);
  const kubernetesVersion = w.kubernetes?.version ?? shoot.spec.kubernetes.version;
  const pool: Record<string, unknown> = {
    name: w.name,
    machineType: w.machine.type,
    minimum: w.minimum,
    maximum: w.maximum,
    maxSurge: w.maxSurge ?? 1,
    maxUnavailable: w.maxUnavailable ?? 0,
    machineImage: image,
    architecture: arch,
    kubernetesVersion,
    userDataSecretRef: { name: `user-data-${w.name}`, key: "cloud_config" },
    zones: [...w.zones],
    labels: nodeLabels(w, arch, image, kubernetesVersion),
    updateStrategy: w.updateStrategy ?? "AutoRollingUpdate",
  };
  const copied = [
    "annotations",
    "taints",
    "providerConfig",
    "volume",
    "dataVolumes",
    "kubeletDataVolumeName",
    "machineControllerManager",
    "clusterAutoscaler",
    "priority",
  ] as const;
  for (const k of copied) if (w[k] !== undefined) pool[k] = structuredClone(w[k]);
  if (w.kubernetes?.kubelet) pool.kubeletConfig = structuredClone(w.kubernetes.kubelet);
  pool.nodeAgentSecretName = nodeAgentSecretName(pool);
  return pool;
}

/** The Shoot as gardenlet keeps it in the Cluster: defaults filled in, status of a shoot being created. */
function clusterShoot(
  shoot: ShootManifest,
  pools: Record<string, unknown>[],
  ids: { technicalId: string; uid: string; namespace: string; seedName: string; profileName: string },
): Record<string, unknown> {
  const s = structuredClone(shoot) as Record<string, unknown> & ShootManifest;
  s.metadata = { ...s.metadata, namespace: ids.namespace, uid: ids.uid, generation: 1 };
  s.spec.cloudProfile ??= { kind: "CloudProfile", name: ids.profileName };
  (s.spec as Record<string, unknown>).seedName ??= ids.seedName;
  s.spec.provider.workers = s.spec.provider.workers.map((w, i) => ({
    ...w,
    machine: { ...w.machine, image: pools[i].machineImage as { name: string; version: string } },
  }));
  (s as Record<string, unknown>).status = {
    technicalID: ids.technicalId,
    uid: ids.uid,
    seedName: ids.seedName,
    lastOperation: { type: "Create", state: "Processing", progress: 10, description: "Waiting for the infrastructure" },
  };
  return s;
}

/** True unless the Shoot turns SSH access off (`spec.provider.workersSettings.sshAccess.enabled: false`). */
export function sshAccessEnabled(shoot: ShootManifest): boolean {
  return shoot.spec.provider.workersSettings?.sshAccess?.enabled ?? true;
}

/** Checks the shoot-wide fields against the CloudProfile and decodes its provider configs; throws naming the field. */
function checkShoot(ctx: Context, shoot: ShootManifest): void {
  const profile = ctx.profile;
  const wanted = shoot.spec.cloudProfile?.name ?? shoot.spec.cloudProfileName;
  if (wanted !== undefined && wanted !== profile.metadata.name) {
    fail(ctx, "spec.cloudProfile.name", `"${wanted}" is not the CloudProfile given (${profile.metadata.name})`);
  }
  if (!profile.spec.regions.some((r) => r.name === shoot.spec.region)) {
    const names = profile.spec.regions.map((r) => r.name).join(", ");
    fail(ctx, "spec.region", `"${shoot.spec.region}" is not a region of ${ctx.profileSource} (${names})`);
  }
  const versions = profile.spec.kubernetes?.versions.map((v) => v.version);
  if (versions && !versions.includes(shoot.spec.kubernetes.version)) {
    fail(ctx, "spec.kubernetes.version", `${shoot.spec.kubernetes.version} is not offered (${versions.join(", ")})`);
  }
  const names = new Set<string>();
  shoot.spec.provider.workers.forEach((w, i) => {
    if (names.has(w.name)) fail(ctx, `spec.provider.workers[${i}].name`, `duplicate pool name "${w.name}"`);
    names.add(w.name);
  });
  const provider = shoot.spec.provider;
  const object = ctx.file;
  if (provider.infrastructureConfig) {
    decodeInfrastructureConfig(provider.infrastructureConfig, { path: "spec.provider.infrastructureConfig", object });
  }
  if (provider.controlPlaneConfig) {
    decodeControlPlaneConfig(provider.controlPlaneConfig, { path: "spec.provider.controlPlaneConfig", object });
  }
}

/** The shoot's identity in the seed: technical ID (`shoot--<project>--<name>`), UID, project namespace. */
function identityOf(shoot: ShootManifest) {
  const projectNamespace = shoot.metadata.namespace ?? "garden";
  const technicalId = `shoot--${projectOf(projectNamespace)}--${shoot.metadata.name}`;
  return { name: shoot.metadata.name, projectNamespace, technicalId, uid: shoot.metadata.uid ?? uidFor(technicalId) };
}

/** Infrastructure and Worker as gardenlet writes them (no SSH public key when SSH access is off). */
function extensionObjects(
  shoot: ShootManifest,
  base: ShootTemplate,
  technicalId: string,
  pools: Record<string, unknown>[],
): { infrastructure: KubeObject; worker: KubeObject } {
  const name = shoot.metadata.name;
  const provider = shoot.spec.provider;
  const secretRef = { name: "cloudprovider", namespace: technicalId };
  const sshPublicKey = sshAccessEnabled(shoot) ? { sshPublicKey: encodeBase64(shootPublicKey(technicalId)) } : {};
  const infrastructure = {
    apiVersion: base.infrastructure.apiVersion,
    kind: "Infrastructure",
    metadata: { name, namespace: technicalId },
    spec: {
      type: PROVIDER_TYPE,
      region: shoot.spec.region,
      secretRef,
      ...(provider.infrastructureConfig ? { providerConfig: structuredClone(provider.infrastructureConfig) } : {}),
      ...sshPublicKey,
    },
  } as KubeObject;
  const worker = {
    apiVersion: base.worker.apiVersion,
    kind: "Worker",
    metadata: { name, namespace: technicalId },
    spec: { type: PROVIDER_TYPE, region: shoot.spec.region, secretRef, ...sshPublicKey, pools },
  } as KubeObject;
  return { infrastructure, worker };
}

/**
 * The seed objects gardenlet writes for `shoot`, as a template the scenario can run: checked against `profile`
 * (default: the example's CloudProfile); the Seed, credentials, user data and namespace labels from `base`.
 */
export function shootTemplateFromShoot(
  shoot: ShootManifest,
  base: ShootTemplate,
  opts: { file: string; profile?: CloudProfileManifest; profileFile?: string },
): ShootTemplate {
  const baseCluster = base.cluster as KubeObject & { spec: Record<string, unknown> };
  const profile = opts.profile ??
    parseWith(CloudProfileManifestSchema, baseCluster.spec.cloudProfile, `the example Cluster's cloudProfile`);
  const ctx: Context = {
    file: opts.file,
    profile,
    profileSource: `CloudProfile ${profile.metadata.name}${opts.profileFile ? ` (${opts.profileFile})` : ""}`,
  };
  checkShoot(ctx, shoot);
  const pools = shoot.spec.provider.workers.map((w, i) => workerPool(ctx, shoot, w, i));
  const { technicalId, uid, projectNamespace } = identityOf(shoot);
  const seed = baseCluster.spec.seed as { metadata?: { name?: string } } | undefined;
  const seedName = seed?.metadata?.name ?? "seed";

  const namespace = structuredClone(base.namespace);
  namespace.metadata.name = technicalId;
  namespace.metadata.annotations = { ...namespace.metadata.annotations, "shoot.gardener.cloud/uid": uid };
  const ids = { technicalId, uid, namespace: projectNamespace, seedName, profileName: profile.metadata.name };
  const cluster: KubeObject = {
    apiVersion: base.cluster.apiVersion,
    kind: "Cluster",
    metadata: { name: technicalId },
    spec: {
      shoot: clusterShoot(shoot, pools, ids),
      cloudProfile: structuredClone(profile),
      seed: structuredClone(seed),
    },
  } as KubeObject;
  const inNs = (o: KubeObject): KubeObject => {
    const c = structuredClone(o);
    c.metadata.namespace = technicalId;
    return c;
  };
  const userData = pools.map((p) => {
    const s = inNs(base.userData[0]);
    s.metadata.name = `user-data-${p.name}`;
    s.metadata.labels = { ...s.metadata.labels, "worker.gardener.cloud/pool": String(p.name) };
    return s;
  });
  const { infrastructure, worker } = extensionObjects(shoot, base, technicalId, pools);
  decodeCluster(cluster, { object: `${opts.file} (derived Cluster)` });
  decodeWorker(worker, { object: `${opts.file} (derived Worker)` });
  return {
    shootName: shoot.metadata.name,
    technicalId,
    namespace,
    cluster,
    cloudProvider: inNs(base.cloudProvider),
    userData,
    infrastructure,
    worker,
    others: base.others.map((o) => structuredClone(o)),
  };
}
