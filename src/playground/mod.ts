/**
 * The playground: a fake API server with the real CRDs and the example manifests applied — the place where later
 * work runs our controllers against simulators. `runPlayground` composes small steps (start, install CRDs, write
 * the kubeconfig, apply examples) so that the scenario can grow step by step.
 */
import { KubeClient } from "../k8s/client.ts";
import type { Logger } from "../observability/log.ts";
import { getLogger } from "../observability/log.ts";
import { aborted, shutdownSignal } from "../runtime/shutdown.ts";
import { type ApiServer, startApiServer } from "../sim/apiserver/mod.ts";
import { type AppliedObject, applyManifests } from "./apply_manifests.ts";
import { defaultCrdDir, loadCrds } from "./crds.ts";
import { readManifestDir } from "./manifests.ts";
import { ResourceMapper } from "./resource_mapper.ts";

/** How to run the playground. */
export interface PlaygroundOptions {
  /** API server port (0: any free port). */
  port?: number;
  /** Where to write the kubeconfig (default: a new temporary file). */
  kubeconfigOut?: string;
  /** Run the scenario once and return instead of serving until `signal` aborts. */
  once?: boolean;
  /** Ends the serving phase (default: the first SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** CRD directory with `gardener/` and `machine/` (default: ../shared/crds beside the project). */
  crdsDir?: string;
  /** Directory of example manifests (default: example/ of the project). */
  examplesDir?: string;
  /** Receives the human-readable progress lines (default: console.log). */
  print?: (line: string) => void;
  log?: Logger;
}

/** What the scenario did. */
export interface PlaygroundResult {
  kubeconfigPath: string;
  url: string;
  applied: AppliedObject[];
}

/** The project's example/ directory. */
export function defaultExamplesDir(): string {
  return new URL("../../example", import.meta.url).pathname;
}

async function kubeconfigPath(given: string | undefined): Promise<string> {
  if (given) return given;
  return `${await Deno.makeTempDir({ prefix: "playground-" })}/kubeconfig`;
}

/** Runs the scenario; unless `once`, keeps serving until the signal aborts. Always stops what it started. */
export async function runPlayground(opts: PlaygroundOptions = {}): Promise<PlaygroundResult> {
  const print = opts.print ?? ((line: string) => console.log(line));
  const log = opts.log ?? getLogger("playground");
  // Read inputs first: a missing CRD directory or a broken manifest fails before anything starts.
  const crds = await loadCrds(opts.crdsDir ?? defaultCrdDir());
  const manifests = await readManifestDir(opts.examplesDir ?? defaultExamplesDir());

  let api: ApiServer | undefined;
  let client: KubeClient | undefined;
  try {
    api = await startApiServer({ port: opts.port ?? 0, log: log.child("apiserver") });
    await api.installCrds(crds);
    print(`installed ${crds.length} CustomResourceDefinitions`);
    const path = await kubeconfigPath(opts.kubeconfigOut);
    await api.writeKubeconfig(path);
    print(`kubeconfig: ${path}`);

    client = new KubeClient(api.connection());
    const applied = await applyManifests(client, new ResourceMapper(client), manifests);
    for (const a of applied) print(`${a.ref}${a.namespace ? ` (namespace ${a.namespace})` : ""} ${a.action}`);
    const result = { kubeconfigPath: path, url: api.url, applied };
    if (opts.once) return result;
    print(`serving at ${api.url}; press Ctrl-C to stop`);
    await aborted(opts.signal ?? shutdownSignal(log));
    return result;
  } finally {
    client?.close();
    await api?.stop();
  }
}
