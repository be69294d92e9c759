/**
 * Reads the example manifests: every `*.yaml`/`*.yml` file of a directory (sorted by name), multi-document, each
 * document checked to be a Kubernetes object. Errors name the file and the document.
 */
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import type { KubeObject } from "../k8s/api/objects.ts";

/** One object read from a manifest file. */
export interface Manifest {
  object: KubeObject;
  /** `file#index` (1-based), for messages. */
  source: string;
}

const ManifestSchema = z.object({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.object({
    name: z.string().min(1),
    namespace: z.string().min(1).optional(),
  }).passthrough(),
}).passthrough();

/** Parses one file's text; throws naming the file, document and field on bad input. */
export function parseManifests(text: string, file: string): Manifest[] {
  const out: Manifest[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    const source = `${file}#${i + 1}`;
    if (doc.errors.length) throw new Error(`${source}: invalid YAML: ${doc.errors[0].message}`);
    const value = doc.toJS();
    if (value === null || value === undefined) return;
    const parsed = ManifestSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${source}: not a Kubernetes object: ${issue.path.join(".") || "<root>"}: ${issue.message}`);
    }
    out.push({ object: parsed.data as unknown as KubeObject, source });
  });
  return out;
}

/** Reads every manifest file of `dir` in name order. */
export async function readManifestDir(dir: string): Promise<Manifest[]> {
  const files: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && /\.ya?ml$/.test(e.name)) files.push(e.name);
    }
  } catch (e) {
    throw new Error(`cannot read the example manifests in ${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  files.sort();
  const out: Manifest[] = [];
  for (const f of files) out.push(...parseManifests(await Deno.readTextFile(`${dir}/${f}`), `${dir}/${f}`));
  return out;
}
