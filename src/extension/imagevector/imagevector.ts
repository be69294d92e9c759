/**
 * The image vector: which image each named component runs, in the format of Gardener's `images.yaml` (`images:` with
 * `name`, `repository` and `tag`, or a full `ref`). The defaults are embedded (`images.yaml` next to this module); an
 * operator replaces entries by name with a file of the same format named by `IMAGEVECTOR_OVERWRITE`, as in every
 * Gardener extension. Per-version entries (`targetVersion`, `runtimeVersion`) are not supported: none of our images
 * depends on the Kubernetes version, and a file that uses them is rejected rather than half understood.
 */
import { parse } from "yaml";
import { z } from "zod";
import defaultImagesText from "./images.yaml" with { type: "text" };

/** The environment variable naming an overwrite file (Gardener's name). */
export const IMAGEVECTOR_OVERWRITE_ENV = "IMAGEVECTOR_OVERWRITE";

/** One image of the vector. */
export interface ImageSource {
  name: string;
  sourceRepository?: string;
  /** Repository without tag, e.g. `quay.io/metallb/speaker`. */
  repository?: string;
  /** Tag (`v1.2.3`) or digest (`sha256:...`). */
  tag?: string;
  /** A full reference (`repo:tag` or `repo@sha256:...`); wins over repository and tag. */
  ref?: string;
}

/** Images by name. */
export type ImageVector = ReadonlyMap<string, ImageSource>;

const ImageSourceSchema = z.strictObject({
  name: z.string().min(1),
  sourceRepository: z.string().optional(),
  repository: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  ref: z.string().min(1).optional(),
  labels: z.array(z.unknown()).optional(),
});

const ImageVectorFileSchema = z.strictObject({ images: z.array(ImageSourceSchema) });

/** Thrown for an image vector that cannot be read or used; the message names the source and the entry. */
export class ImageVectorError extends Error {}

/** Parses image vector text (Gardener's format); `source` names it in errors. Pure. */
export function parseImageVector(text: string, source: string): ImageVector {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new ImageVectorError(`image vector ${source}: not YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = ImageVectorFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.join(".");
    throw new ImageVectorError(`image vector ${source}: ${path ? `${path}: ` : ""}${issue.message}`);
  }
  const out = new Map<string, ImageSource>();
  for (const [i, entry] of parsed.data.images.entries()) {
    if (out.has(entry.name)) {
      throw new ImageVectorError(`image vector ${source}: images[${i}]: duplicate name ${entry.name}`);
    }
    const { labels: _labels, ...image } = entry;
    out.set(entry.name, image);
  }
  return out;
}

/**
 * The vector with `overwrite`'s entries applied by name: the fields an overwrite entry sets replace the base entry's
 * (a `ref` drops the base's repository and tag, a repository or tag drops the base's ref); new names are added. Pure.
 */
export function overwriteImageVector(base: ImageVector, overwrite: ImageVector): ImageVector {
  const out = new Map(base);
  for (const [name, over] of overwrite) {
    const current = out.get(name);
    if (!current) {
      out.set(name, over);
      continue;
    }
    const merged: ImageSource = { ...current };
    if (over.sourceRepository !== undefined) merged.sourceRepository = over.sourceRepository;
    if (over.ref !== undefined) {
      merged.ref = over.ref;
      delete merged.repository;
      delete merged.tag;
    }
    if (over.repository !== undefined || over.tag !== undefined) delete merged.ref;
    if (over.repository !== undefined) merged.repository = over.repository;
    if (over.tag !== undefined) merged.tag = over.tag;
    out.set(name, merged);
  }
  return out;
}

/** The image reference of an entry: `ref`, or `repository:tag` (`repository@sha256:...` for a digest). Pure. */
export function imageReference(image: ImageSource): string {
  if (image.ref) return image.ref;
  if (!image.repository) throw new ImageVectorError(`image ${image.name}: neither ref nor repository is set`);
  if (!image.tag) return image.repository;
  return image.tag.startsWith("sha256:") ? `${image.repository}@${image.tag}` : `${image.repository}:${image.tag}`;
}

/** The image reference for `name`; throws naming the image when the vector lacks it. Pure. */
export function findImage(vector: ImageVector, name: string): string {
  const image = vector.get(name);
  if (!image) throw new ImageVectorError(`image ${name} is not in the image vector`);
  return imageReference(image);
}

/** The embedded default vector. */
export function defaultImageVector(): ImageVector {
  return parseImageVector(defaultImagesText, "images.yaml (embedded)");
}

/**
 * The default vector with the overwrite file applied when `overwritePath` is given (the value of
 * `IMAGEVECTOR_OVERWRITE`), read once at start-up; every image of the result must resolve to a reference.
 */
export function loadImageVector(overwritePath?: string): ImageVector {
  let vector = defaultImageVector();
  if (overwritePath) {
    let text: string;
    try {
      text = Deno.readTextFileSync(overwritePath);
    } catch (e) {
      throw new ImageVectorError(
        `${IMAGEVECTOR_OVERWRITE_ENV}: cannot read ${overwritePath}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    vector = overwriteImageVector(vector, parseImageVector(text, overwritePath));
  }
  for (const image of vector.values()) imageReference(image);
  return vector;
}
