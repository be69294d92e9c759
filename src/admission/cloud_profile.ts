/**
 * Admission rules for CloudProfiles and NamespacedCloudProfiles of type `equinixmetal`, and the profile a Shoot is
 * checked against. Pure.
 *
 * A CloudProfile's `spec.providerConfig` is decoded strictly and validated (`validateCloudProfileConfig`), and every
 * image version of `spec.machineImages` must have a mapping there (an `id` or an `ipxeScriptUrl`): without one, the
 * worker controller could not boot a pool that picks it. A NamespacedCloudProfile may add images and its own
 * providerConfig; its versions must be mapped in its own config or its parent's. Its `status.cloudProfileSpec` (the
 * merged profile Gardener writes) is checked like a CloudProfile's spec.
 */
import { type FieldError, fieldPath, FieldValidationError, invalid, required } from "../apis/decode.ts";
import type { CloudProfileConfig } from "../apis/equinixmetal/v1alpha1.ts";
import { decodeCloudProfileConfig } from "../apis/equinixmetal/v1alpha1.ts";
import { validateCloudProfileConfig } from "../apis/equinixmetal/validation.ts";
import type {
  CloudProfileMachineImage,
  CloudProfileSpec,
  NamespacedCloudProfile,
  RawExtensionSchema,
} from "../apis/core/v1beta1.ts";
import type { z } from "zod";

type Raw = z.output<typeof RawExtensionSchema>;

/** The provider type this admission is responsible for. */
export const PROVIDER_TYPE = "equinixmetal";

/** Decodes a providerConfig at `path`; errors go to `errors`, undefined when absent or invalid. */
export function decodeProfileConfig(
  raw: Raw | undefined,
  path: string,
  errors: FieldError[],
): CloudProfileConfig | undefined {
  if (raw === undefined) return undefined;
  try {
    const cfg = decodeCloudProfileConfig(raw, { path });
    const found = validateCloudProfileConfig(cfg, path);
    errors.push(...found);
    return found.length === 0 ? cfg : undefined;
  } catch (e) {
    if (!(e instanceof FieldValidationError)) throw e;
    errors.push(...e.errors);
    return undefined;
  }
}

/** True if `configs` map image `name` at `version`. */
export function hasImageMapping(configs: readonly (CloudProfileConfig | undefined)[], name: string, version: string) {
  return configs.some((cfg) =>
    cfg?.machineImages.some((img) => img.name === name && img.versions.some((v) => v.version === version))
  );
}

/** Every version of `images` (at `path`) without a mapping in `configs`. */
function unmappedVersions(
  images: readonly CloudProfileMachineImage[],
  path: string,
  configs: readonly (CloudProfileConfig | undefined)[],
  configPath: string,
): FieldError[] {
  const errors: FieldError[] = [];
  images.forEach((image, i) => {
    image.versions.forEach((v, j) => {
      if (!hasImageMapping(configs, image.name, v.version)) {
        errors.push(
          required(
            fieldPath(path, i, "versions", j),
            `machine image ${image.name} version ${v.version} has no mapping in ${configPath}.machineImages ` +
              "(an Equinix OS id or an ipxeScriptUrl)",
          ),
        );
      }
    });
  });
  return errors;
}

/** Validates a CloudProfile spec (or a merged `status.cloudProfileSpec`) found at `path`. */
export function validateCloudProfileSpec(spec: CloudProfileSpec, path = "spec"): FieldError[] {
  if (spec.type !== PROVIDER_TYPE) return [];
  const errors: FieldError[] = [];
  const configPath = fieldPath(path, "providerConfig");
  if (spec.providerConfig === undefined) {
    errors.push(required(configPath, "a CloudProfileConfig mapping every machine image version"));
    return errors;
  }
  const cfg = decodeProfileConfig(spec.providerConfig, configPath, errors);
  if (cfg) errors.push(...unmappedVersions(spec.machineImages, fieldPath(path, "machineImages"), [cfg], configPath));
  return errors;
}

/**
 * Validates a NamespacedCloudProfile: its own providerConfig, its images mapped in it or in the parent's (`parent`,
 * the parent CloudProfile's spec, if it exists), and the merged `status.cloudProfileSpec` if present.
 */
export function validateNamespacedCloudProfile(
  profile: NamespacedCloudProfile,
  parent: CloudProfileSpec | undefined,
): FieldError[] {
  const errors: FieldError[] = [];
  if (profile.spec.parent.kind !== "CloudProfile") {
    errors.push(invalid("spec.parent.kind", profile.spec.parent.kind, `must be "CloudProfile"`));
  }
  if (parent !== undefined && parent.type !== PROVIDER_TYPE) return errors;
  const own = decodeProfileConfig(profile.spec.providerConfig, "spec.providerConfig", errors);
  const parentErrors: FieldError[] = [];
  const inherited = decodeProfileConfig(parent?.providerConfig, "spec.providerConfig", parentErrors);
  if (profile.spec.providerConfig === undefined || own) {
    errors.push(
      ...unmappedVersions(
        profile.spec.machineImages ?? [],
        "spec.machineImages",
        [own, inherited],
        "spec.providerConfig",
      ),
    );
  }
  const merged = profile.status?.cloudProfileSpec;
  if (merged) errors.push(...validateCloudProfileSpec(merged, "status.cloudProfileSpec"));
  return errors;
}

/**
 * The profile a Shoot of a NamespacedCloudProfile is checked against: Gardener's merged `status.cloudProfileSpec` if
 * it was written, else the parent's spec with the namespaced images, machine types, versions and mappings added.
 */
export function effectiveProfile(
  profile: NamespacedCloudProfile,
  parent: CloudProfileSpec | undefined,
): CloudProfileSpec | undefined {
  if (profile.status?.cloudProfileSpec) return profile.status.cloudProfileSpec;
  if (!parent) return undefined;
  const images = new Map(parent.machineImages.map((i) => [i.name, { ...i, versions: [...i.versions] }]));
  for (const img of profile.spec.machineImages ?? []) {
    const have = images.get(img.name);
    if (have) have.versions.push(...img.versions.filter((v) => !have.versions.some((h) => h.version === v.version)));
    else images.set(img.name, img);
  }
  const cfgImages = [
    ...((profile.spec.providerConfig?.machineImages as unknown[] | undefined) ?? []),
    ...((parent.providerConfig?.machineImages as unknown[] | undefined) ?? []),
  ];
  const kubernetes = parent.kubernetes || profile.spec.kubernetes
    ? { versions: [...(parent.kubernetes?.versions ?? []), ...(profile.spec.kubernetes?.versions ?? [])] }
    : undefined;
  return {
    ...parent,
    machineTypes: [...parent.machineTypes, ...(profile.spec.machineTypes ?? [])],
    machineImages: [...images.values()],
    ...(kubernetes ? { kubernetes } : {}),
    ...(parent.providerConfig || profile.spec.providerConfig
      ? {
        providerConfig: {
          ...(parent.providerConfig ?? profile.spec.providerConfig),
          machineImages: mergeMappings(cfgImages),
        },
      }
      : {}),
  };
}

/** Merges CloudProfileConfig image lists (first wins per name and version). */
function mergeMappings(images: unknown[]): unknown[] {
  const out = new Map<string, { name: string; versions: { version: string }[] }>();
  for (const raw of images) {
    const img = raw as { name?: string; versions?: { version: string }[] };
    if (typeof img?.name !== "string" || !Array.isArray(img.versions)) continue;
    const have = out.get(img.name);
    if (!have) out.set(img.name, { ...img, name: img.name, versions: [...img.versions] });
    else have.versions.push(...img.versions.filter((v) => !have.versions.some((h) => h.version === v?.version)));
  }
  return [...out.values()];
}
