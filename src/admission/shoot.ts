/**
 * Admission rules for Shoots of type `equinixmetal`. Pure: the Shoot (and on update the stored one) and the profile it
 * names in, field errors with full paths out.
 *
 * - provider configs decoded strictly: `infrastructureConfig`, `controlPlaneConfig`, every worker's `providerConfig`
 *   (a WorkerConfig, also validated: reservation IDs, `reservedDevicesOnly` needs one);
 * - the region is a metro of the profile, every zone a facility of that metro (`regions[].zones`);
 * - machine types, images and versions and the Kubernetes version exist in the profile, and every image version has
 *   a mapping in its CloudProfileConfig; a pool that keeps its type, image or version on update is not re-checked
 *   (the profile may have dropped it since, the pool keeps running);
 * - in-place update strategies are refused: Equinix Metal reinstalls a device from its image, and the provider does
 *   not compute Gardener's in-place hash;
 * - networking CIDRs parse, are network addresses and do not overlap;
 * - on update: region, provider type and the networking CIDRs do not change, and no pool loses a zone.
 */
import {
  duplicate,
  type FieldError,
  fieldPath,
  FieldValidationError,
  forbidden,
  invalid,
  notSupported,
  required,
} from "../apis/decode.ts";
import type { CloudProfileConfig } from "../apis/equinixmetal/v1alpha1.ts";
import {
  decodeControlPlaneConfig,
  decodeInfrastructureConfig,
  decodeWorkerConfig,
} from "../apis/equinixmetal/v1alpha1.ts";
import { validateWorkerConfig } from "../apis/equinixmetal/validation.ts";
import { type CloudProfileSpec, isInPlaceUpdateStrategy, type Shoot, type ShootWorker } from "../apis/core/v1beta1.ts";
import { jsonEqual } from "../k8s/api/patch/json_value.ts";
import { type CidrBlock, cidrsOverlap, parseCidrBlock } from "../runtime/ip_address.ts";
import { decodeProfileConfig, hasImageMapping } from "./cloud_profile.ts";

/** Runs a strict decode; its field errors join `errors`. */
function collect<T>(errors: FieldError[], decode: () => T): T | undefined {
  try {
    return decode();
  } catch (e) {
    if (!(e instanceof FieldValidationError)) throw e;
    errors.push(...e.errors);
    return undefined;
  }
}

const NETWORKS = ["nodes", "pods", "services"] as const;

/** Networking CIDRs: parseable, network addresses, not overlapping each other. */
export function validateNetworking(shoot: Shoot): FieldError[] {
  const errors: FieldError[] = [];
  const net = shoot.spec.networking;
  if (!net) return errors;
  const blocks: { name: string; block: CidrBlock }[] = [];
  for (const name of NETWORKS) {
    const text = net[name];
    if (text === undefined) continue;
    const field = fieldPath("spec.networking", name);
    const block = parseCidrBlock(text);
    if (!block) {
      errors.push(invalid(field, text, "must be a CIDR block, e.g. 10.250.0.0/16"));
      continue;
    }
    if (block.address !== block.network) {
      errors.push(invalid(field, text, "must be a network address: the host bits must be zero"));
      continue;
    }
    for (const other of blocks) {
      if (cidrsOverlap(block, other.block)) {
        errors.push(invalid(field, text, `must not overlap spec.networking.${other.name} (${net[other.name]})`));
      }
    }
    blocks.push({ name, block });
  }
  return errors;
}

/** What a worker pool is checked against. */
interface ProfileView {
  spec: CloudProfileSpec;
  config?: CloudProfileConfig;
  /** The shoot's metro and its facility codes, if the metro is in the profile. */
  metro: string;
  zones?: string[];
}

/** Zones: facilities of the shoot's metro, no duplicates, none removed from an existing pool. */
function zoneErrors(w: ShootWorker, path: string, profile: ProfileView | undefined, old: ShootWorker | undefined) {
  const errors: FieldError[] = [];
  const zonesPath = fieldPath(path, "zones");
  const seen = new Set<string>();
  (w.zones ?? []).forEach((zone, j) => {
    if (seen.has(zone)) errors.push(duplicate(fieldPath(zonesPath, j), zone));
    seen.add(zone);
    if (profile?.zones && !profile.zones.includes(zone)) {
      errors.push({
        ...notSupported(fieldPath(zonesPath, j), zone, profile.zones),
        message: `not a facility of metro ${JSON.stringify(profile.metro)}; supported values: ` +
          profile.zones.map((z) => JSON.stringify(z)).join(", "),
      });
    }
  });
  if (old) {
    (old.zones ?? []).forEach((zone) => {
      if (!(w.zones ?? []).includes(zone)) {
        errors.push(
          forbidden(
            zonesPath,
            `zone ${JSON.stringify(zone)} may not be removed from an existing pool (its machines live there)`,
          ),
        );
      }
    });
  }
  return errors;
}

/** Machine type, image and version offered by the profile (unless the pool keeps them), the version mapped. */
function machineErrors(w: ShootWorker, path: string, profile: ProfileView, old: ShootWorker | undefined) {
  const errors: FieldError[] = [];
  const typePath = fieldPath(path, "machine", "type");
  if (w.machine.type !== old?.machine.type) {
    const types = profile.spec.machineTypes.filter((t) => t.usable !== false).map((t) => t.name);
    if (!types.includes(w.machine.type)) errors.push(notSupported(typePath, w.machine.type, types));
  }
  const image = w.machine.image;
  if (image) {
    const unchanged = old?.machine.image?.name === image.name && old.machine.image.version === image.version;
    const known = profile.spec.machineImages.find((m) => m.name === image.name);
    if (!unchanged) {
      if (!known) {
        errors.push(
          notSupported(
            fieldPath(path, "machine", "image", "name"),
            image.name,
            profile.spec.machineImages.map((m) => m.name),
          ),
        );
      } else if (image.version !== undefined) {
        const versionPath = fieldPath(path, "machine", "image", "version");
        const versions = known.versions.map((v) => v.version);
        if (!versions.includes(image.version)) errors.push(notSupported(versionPath, image.version, versions));
        else if (profile.config && !hasImageMapping([profile.config], image.name, image.version)) {
          errors.push(
            invalid(
              versionPath,
              image.version,
              `machine image ${image.name} version ${image.version} has no mapping in the CloudProfile's providerConfig`,
            ),
          );
        }
      }
    }
  }
  return errors;
}

function validateWorker(w: ShootWorker, i: number, profile: ProfileView | undefined, old: ShootWorker | undefined) {
  const errors: FieldError[] = [];
  const path = fieldPath("spec.provider.workers", i);
  if (w.providerConfig !== undefined) {
    const cfgPath = fieldPath(path, "providerConfig");
    const cfg = collect(errors, () => decodeWorkerConfig(w.providerConfig, { path: cfgPath }));
    if (cfg) errors.push(...validateWorkerConfig(cfg, cfgPath));
  }
  if (isInPlaceUpdateStrategy(w.updateStrategy)) {
    errors.push(
      forbidden(
        fieldPath(path, "updateStrategy"),
        `${w.updateStrategy} is not supported by Equinix Metal: devices are reinstalled from their image, so pools ` +
          "can only be rolled (use AutoRollingUpdate)",
      ),
    );
  }
  errors.push(...zoneErrors(w, path, profile, old));
  if (!profile) return errors;
  errors.push(...machineErrors(w, path, profile, old));
  const k8s = w.kubernetes?.version;
  if (k8s !== undefined && k8s !== old?.kubernetes?.version) {
    errors.push(...checkKubernetesVersion(profile.spec, k8s, fieldPath(path, "kubernetes", "version")));
  }
  return errors;
}

function checkKubernetesVersion(spec: CloudProfileSpec, version: string, field: string): FieldError[] {
  const versions = spec.kubernetes?.versions.map((v) => v.version);
  if (!versions || versions.includes(version)) return [];
  return [notSupported(field, version, versions)];
}

/**
 * Validates a Shoot of type `equinixmetal` against its profile (`undefined` when the profile could not be found, which
 * the caller reports) and, on update, the stored Shoot. An update that leaves the spec alone is not checked.
 */
export function validateShoot(shoot: Shoot, profile: CloudProfileSpec | undefined, old?: Shoot): FieldError[] {
  if (old && jsonEqual(old.spec, shoot.spec)) return [];
  const errors: FieldError[] = [];
  const spec = shoot.spec;
  if (old) errors.push(...validateShootUpdate(shoot, old));
  if (spec.provider.infrastructureConfig !== undefined) {
    collect(
      errors,
      () =>
        decodeInfrastructureConfig(spec.provider.infrastructureConfig, { path: "spec.provider.infrastructureConfig" }),
    );
  }
  if (spec.provider.controlPlaneConfig !== undefined) {
    collect(
      errors,
      () => decodeControlPlaneConfig(spec.provider.controlPlaneConfig, { path: "spec.provider.controlPlaneConfig" }),
    );
  }
  errors.push(...validateNetworking(shoot));
  let view: ProfileView | undefined;
  if (profile) {
    const profileErrors: FieldError[] = [];
    const config = decodeProfileConfig(profile.providerConfig, "spec.providerConfig", profileErrors);
    const region = profile.regions.find((r) => r.name === spec.region);
    if (!region && spec.region !== old?.spec.region) {
      errors.push(notSupported("spec.region", spec.region, profile.regions.map((r) => r.name)));
    }
    view = { spec: profile, config, metro: spec.region, zones: region?.zones?.map((z) => z.name) };
    if (spec.kubernetes.version !== old?.spec.kubernetes.version) {
      errors.push(...checkKubernetesVersion(profile, spec.kubernetes.version, "spec.kubernetes.version"));
    }
  }
  const oldWorkers = new Map((old?.spec.provider.workers ?? []).map((w) => [w.name, w]));
  (spec.provider.workers ?? []).forEach((w, i) => errors.push(...validateWorker(w, i, view, oldWorkers.get(w.name))));
  return errors;
}

/** What may not change once a Shoot exists. */
export function validateShootUpdate(shoot: Shoot, old: Shoot): FieldError[] {
  const errors: FieldError[] = [];
  const immutable = (field: string, now: unknown, before: unknown) => {
    if (before !== undefined && !jsonEqual(now, before)) {
      errors.push(invalid(field, now, `field is immutable (was ${JSON.stringify(before)})`));
    }
  };
  immutable("spec.region", shoot.spec.region, old.spec.region);
  immutable("spec.provider.type", shoot.spec.provider.type, old.spec.provider.type);
  for (const name of NETWORKS) {
    immutable(fieldPath("spec.networking", name), shoot.spec.networking?.[name], old.spec.networking?.[name]);
  }
  return errors;
}

/** The profile reference of a Shoot: `spec.cloudProfile` or the older `spec.cloudProfileName`. */
export function profileRefOf(
  shoot: Shoot,
): { kind: "CloudProfile" | "NamespacedCloudProfile"; name: string; field: string } | undefined {
  const ref = shoot.spec.cloudProfile;
  if (ref) {
    return {
      kind: ref.kind === "NamespacedCloudProfile" ? "NamespacedCloudProfile" : "CloudProfile",
      name: ref.name,
      field: "spec.cloudProfile.name",
    };
  }
  if (shoot.spec.cloudProfileName) {
    return { kind: "CloudProfile", name: shoot.spec.cloudProfileName, field: "spec.cloudProfileName" };
  }
  return undefined;
}

/** The error for a Shoot that names no profile. */
export const missingProfile = (): FieldError => required("spec.cloudProfile", "names the CloudProfile of the shoot");
