/**
 * The CRDs the playground's examples need: the real Gardener (extensions, resources) and MCM (machine) CRDs, read
 * from `../shared/crds` beside the project (never copied into it). Absent files are an error that says where they
 * were looked for.
 */
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../k8s/objects.ts";

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
