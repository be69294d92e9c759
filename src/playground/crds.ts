/**
 * The Gardener and MCM CustomResourceDefinitions that the playground installs and the tests use: by default the
 * project's vendored structural copies in `crds/` (see crds/README.md: upstream repository, commit, what changed),
 * or a directory of real CRDs with the same layout (`--crds-dir`). Either way the fake API servers validate every
 * object against the real schemas; there is no schemaless fallback.
 */
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../k8s/api/objects.ts";

/** Subdirectories of a CRD directory, each installed whole. */
export const CRD_GROUPS = ["gardener", "machine"] as const;

/**
 * Our own structural schemas of the garden's kinds (Shoot, CloudProfile, bindings...), which Gardener serves from its
 * aggregated API server without CRDs: installed only where a fake API server acts as a garden.
 */
export const GARDEN_CRD_GROUP = "garden";

/** One subdirectory of a CRD directory. */
export type CrdGroup = typeof CRD_GROUPS[number] | typeof GARDEN_CRD_GROUP;

/**
 * The vendored `crds/` folder. Relative to this module (src/playground/crds.ts), so it resolves in a checkout and
 * inside the compiled binary, which embeds the folder (`--include crds/`).
 */
export const VENDORED_CRD_DIR: string = fileURLToPath(new URL("../../crds", import.meta.url));

/** What `loadCrds` reads. */
export interface CrdSelection {
  /** A directory with `gardener/` and `machine/` (default: the vendored copy). */
  dir?: string;
  /** The groups to read (default: all). */
  groups?: readonly CrdGroup[];
  /** Only the CRDs with these `metadata.name`s (e.g. `workers.extensions.gardener.cloud`); each must be found. */
  names?: readonly string[];
}

/** The file a CRD is kept in by convention (`10-crd-<group>_<plural>.yaml`), to skip parsing the others. */
function fileOf(name: string): string {
  const dot = name.indexOf(".");
  return `10-crd-${name.slice(dot + 1)}_${name.slice(0, dot)}.yaml`;
}

/**
 * Reads the CRDs of a CRD directory, groups and files in name order. Throws naming the directory when a group is
 * missing or empty, the file and document when one is not a CustomResourceDefinition, and a wanted name not found.
 */
export function loadCrds(selection: CrdSelection = {}): KubeObject[] {
  const dir = selection.dir ?? VENDORED_CRD_DIR;
  const wanted = selection.names ? new Set(selection.names) : undefined;
  const out: KubeObject[] = [];
  for (const group of selection.groups ?? CRD_GROUPS) {
    const path = `${dir}/${group}`;
    let files: string[] = [];
    try {
      files = [...Deno.readDirSync(path)].filter((e) => e.isFile && /\.ya?ml$/.test(e.name)).map((e) => e.name);
    } catch {
      throw new Error(`the Gardener and MCM CRDs are expected in ${path}; it does not exist or cannot be read`);
    }
    if (files.length === 0) throw new Error(`no CRD files (*.yaml) in ${path}`);
    if (wanted) {
      // The conventional file names spare parsing the rest; a CRD kept under another name is still found below.
      const likely = new Set([...wanted].map(fileOf));
      if ([...likely].every((f) => files.includes(f))) files = files.filter((f) => likely.has(f));
    }
    for (const f of files.sort()) {
      parseAllDocuments(Deno.readTextFileSync(`${path}/${f}`)).forEach((doc, i) => {
        const v = doc.toJS() as KubeObject | null;
        if (!v) return;
        if (v.kind !== "CustomResourceDefinition") {
          throw new Error(`${path}/${f}#${i + 1}: not a CustomResourceDefinition`);
        }
        if (!wanted || wanted.has(v.metadata?.name ?? "")) out.push(v);
      });
    }
  }
  const missing = [...wanted ?? []].filter((n) => !out.some((c) => c.metadata?.name === n));
  if (missing.length > 0) throw new Error(`no CRD ${missing.join(", ")} in ${dir}`);
  return out;
}

/** The CRDs to install and one line for the user saying which they are. */
export interface CrdSet {
  crds: KubeObject[];
  note: string;
}

/** The CRDs of `dir` when given, else the vendored ones; the note says that objects are validated against them. */
export function resolveCrds(dir?: string): CrdSet {
  const crds = loadCrds({ dir });
  const from = dir === undefined
    ? "the structural copies vendored in crds/ (from the Gardener repositories; provenance in crds/README.md)"
    : dir;
  return {
    crds,
    note: `CRDs: every object is validated against the real schemas of ${crds.length} Gardener and MCM CRDs, ` +
      `from ${from}`,
  };
}
