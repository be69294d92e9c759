/**
 * The CRDs the playground's examples need: the real Gardener (extensions, resources) and MCM (machine) CRDs, read
 * from `../shared/crds` beside the project (never copied into it). Without that directory (a fresh clone) the
 * playground falls back to schemaless registrations generated in code (`embedded_crds.ts`) and says so. A directory
 * given explicitly must exist: its absence is an error that says where the CRDs were looked for.
 */
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../k8s/objects.ts";
import { embeddedCrds } from "./embedded_crds.ts";

/** Subdirectories of the CRD directory that are installed. */
export const CRD_SUBDIRS = ["gardener", "machine"] as const;

/** `../shared/crds` relative to the project root (this file is src/playground/crds.ts). */
export function defaultCrdDir(): string {
  return new URL("../../../shared/crds", import.meta.url).pathname;
}

/** Reads every CRD of the subdirectories; throws naming the directory when it is missing or empty. */
export async function loadCrds(dir: string): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const sub of CRD_SUBDIRS) {
    const path = `${dir}/${sub}`;
    const files: string[] = [];
    try {
      for await (const e of Deno.readDir(path)) if (e.isFile && /\.ya?ml$/.test(e.name)) files.push(e.name);
    } catch {
      throw new Error(
        `the playground needs the Gardener and MCM CRDs in ${path} (../shared/crds beside the project, or ` +
          `--crds-dir); it does not exist or cannot be read`,
      );
    }
    if (files.length === 0) throw new Error(`no CRD files (*.yaml) in ${path}`);
    for (const f of files.sort()) {
      for (const doc of parseAllDocuments(await Deno.readTextFile(`${path}/${f}`))) {
        const v = doc.toJS() as KubeObject | null;
        if (!v) continue;
        if (v.kind !== "CustomResourceDefinition") throw new Error(`${path}/${f}: not a CustomResourceDefinition`);
        out.push(v);
      }
    }
  }
  return out;
}

/** The CRDs to install and where they came from. */
export interface CrdSet {
  crds: KubeObject[];
  source: "directory" | "embedded";
  /** One line for the user: which set is used. */
  note: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** `--crds-dir` value that selects the embedded schemaless CRDs. */
export const EMBEDDED = "embedded";

/**
 * The real CRDs of `dir` when given (it must exist; `embedded` selects the embedded ones), else those of the shared
 * directory (default ../shared/crds) when present, else the embedded schemaless ones.
 */
export async function resolveCrds(dir?: string, shared = defaultCrdDir()): Promise<CrdSet> {
  if (dir === EMBEDDED) return embedded(`${EMBEDDED} requested`);
  if (dir !== undefined) {
    const crds = await loadCrds(dir);
    return { crds, source: "directory", note: `CRDs: ${crds.length} real Gardener and MCM CRDs from ${dir}` };
  }
  if (await exists(shared)) {
    const crds = await loadCrds(shared);
    return { crds, source: "directory", note: `CRDs: ${crds.length} real Gardener and MCM CRDs from ${shared}` };
  }
  return embedded(`${shared} not found`);
}

function embedded(why: string): CrdSet {
  const crds = embeddedCrds();
  return {
    crds,
    source: "embedded",
    note: `CRDs: ${why}; using ${crds.length} embedded schemaless CRDs (names, scopes, subresources and printer ` +
      `columns only; objects are not validated against the real schemas)`,
  };
}
