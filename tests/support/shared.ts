/**
 * Access to `../shared` (real Gardener/MCM CRDs, the Metal OpenAPI spec). Tests that need it fail with a clear
 * message when it is absent instead of passing silently.
 */
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../src/k8s/objects.ts";

/** Absolute path of the shared folder beside the project root. */
export const SHARED_DIR = new URL("../../../shared/", import.meta.url).pathname;

/** Returns the absolute path of `rel` inside ../shared, or throws naming what is missing. */
export function sharedPath(rel: string): string {
  const path = SHARED_DIR + rel;
  try {
    Deno.statSync(path);
  } catch {
    throw new Error(
      `required test data is absent: ${path} (this test needs ../shared from the project root; ` +
        `see docs/development.md)`,
    );
  }
  return path;
}

/** Parses every YAML document of a file. */
export function readYamlDocuments(path: string): unknown[] {
  return parseAllDocuments(Deno.readTextFileSync(path)).map((d) => d.toJS()).filter((d) => d !== null);
}

/** Loads all CRDs of ../shared/crds/<group dir> (e.g. "machine", "gardener"). */
export function loadSharedCrds(dir: "machine" | "gardener"): KubeObject[] {
  const base = sharedPath(`crds/${dir}`);
  const out: KubeObject[] = [];
  for (const entry of [...Deno.readDirSync(base)].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isFile || !entry.name.endsWith(".yaml")) continue;
    for (const doc of readYamlDocuments(`${base}/${entry.name}`)) out.push(doc as KubeObject);
  }
  return out;
}

/** Finds the CRD that defines `kind` (e.g. "Worker", "MachineClass") in ../shared/crds. */
export function findSharedCrd(kind: string): KubeObject {
  for (const dir of ["gardener", "machine"] as const) {
    const crd = loadSharedCrds(dir).find((c) =>
      (c as { spec?: { names?: { kind?: string } } }).spec?.names?.kind === kind
    );
    if (crd) return crd;
  }
  throw new Error(`no CRD for kind ${kind} in ${SHARED_DIR}crds`);
}
