/**
 * Gardener's image vector: named images, each `repository:tag` (or `repository@digest`), optionally restricted to a
 * Kubernetes version range. The operator overwrites entries with a YAML file named by `IMAGEVECTOR_OVERWRITE` (same
 * shape, `images: [...]`): an entry of the same name and target version replaces the fields it sets, a new name is
 * added.
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** The environment variable naming the operator's overwrite file (Gardener's). */
export const IMAGEVECTOR_OVERWRITE_ENV = "IMAGEVECTOR_OVERWRITE";

/** One entry of `images.yaml`. */
export const ImageSourceSchema = z.object({
  name: z.string().min(1),
  sourceRepository: z.string().optional(),
  repository: z.string().min(1),
  tag: z.string().optional(),
  /** A semver range such as `>= 1.30`; only `>=`/`<` bounds joined by commas or spaces are supported. */
  targetVersion: z.string().optional(),
});
export type ImageSource = z.output<typeof ImageSourceSchema>;

const OverwriteSchema = z.object({ images: z.array(ImageSourceSchema.partial({ repository: true })) });

/** The images the extension deploys, after the operator's overwrite. */
export type ImageVector = readonly ImageSource[];

/** Merges the operator's overwrite (YAML text) into `base`; errors name the file's problem. */
export function overwriteImageVector(base: ImageVector, yamlText: string, source = IMAGEVECTOR_OVERWRITE_ENV) {
  const parsed = OverwriteSchema.safeParse(parseYaml(yamlText));
  if (!parsed.success) {
    throw new Error(`${source}: not an image vector: ${z.prettifyError(parsed.error).replace(/\n/g, "; ")}`);
  }
  const result = base.map((i) => ({ ...i }));
  for (const entry of parsed.data.images) {
    const target = result.find((i) => i.name === entry.name && i.targetVersion === entry.targetVersion);
    if (target) {
      for (const [k, v] of Object.entries(entry)) if (v !== undefined) (target as Record<string, unknown>)[k] = v;
    } else if (entry.repository) {
      result.push({ ...entry, repository: entry.repository });
    } else {
      throw new Error(`${source}: image ${JSON.stringify(entry.name)} is new and has no repository`);
    }
  }
  return result as ImageVector;
}

/** Reads the overwrite file named by `overwritePath` (if any) over `base` (once, at start-up). */
export function loadImageVector(base: ImageVector, overwritePath?: string): ImageVector {
  if (!overwritePath) return base;
  let text: string;
  try {
    text = Deno.readTextFileSync(overwritePath);
  } catch (e) {
    throw new Error(`${IMAGEVECTOR_OVERWRITE_ENV} ${overwritePath}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return overwriteImageVector(base, text, overwritePath);
}

function versionParts(v: string): number[] {
  return v.replace(/^v/, "").split(/[.-]/).slice(0, 3).map((p) => Number.parseInt(p, 10) || 0);
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** True if `version` satisfies `range` (`>= 1.30, < 1.33`; an empty range matches every version). */
export function matchesTargetVersion(range: string | undefined, version: string | undefined): boolean {
  if (!range?.trim()) return true;
  if (!version) return false;
  for (const m of range.matchAll(/(>=|<=|>|<|=)?\s*v?(\d+(?:\.\d+){0,2})/g)) {
    const c = compareVersions(version, m[2]);
    const ok = { ">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0, "=": c === 0 }[m[1] ?? "="];
    if (!ok) return false;
  }
  return true;
}

/** The image reference (`repository:tag`, or `repository@sha256:…`) of `name` for the Kubernetes `version`. */
export function findImage(vector: ImageVector, name: string, version?: string): string {
  const image = vector.find((i) => i.name === name && matchesTargetVersion(i.targetVersion, version));
  if (!image) throw new Error(`image ${JSON.stringify(name)} is not in the image vector`);
  if (!image.tag) return image.repository;
  return image.tag.startsWith("sha256:") ? `${image.repository}@${image.tag}` : `${image.repository}:${image.tag}`;
}
