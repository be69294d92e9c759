/**
 * An in-process Kubernetes API server faithful enough that our controllers — and the real kubectl — behave against
 * it as against kube-apiserver. See docs/architecture.md for the module map of this folder.
 *
 *   const api = await startApiServer();             // HTTPS on 127.0.0.1, random port, generated CA, bearer token
 *   const client = new KubeClient(api.connection());
 *   await api.installCrds(loadCrds({ groups: ["machine"] })); // the vendored MCM CRDs (src/playground/crds.ts)
 *   api.faults.add({ verb: "update", resource: "machines", status: 409, probability: 0.1 });
 *   api.counters.writes();                           // create+update+patch+delete requests served
 *   await api.stop();
 */
import type { ClusterConnection } from "../../k8s/client/kubeconfig.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { ApiextensionsV1, CoreV1 } from "../../k8s/api/resources.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { getLogger, type Logger } from "../../observability/log.ts";
import { forgetSecret, registerSecret } from "../../observability/redact.ts";
import { entropySeed, listenerUrl, listenHttp, Rng } from "../kernel/mod.ts";
import { AdmissionRunner } from "./admission/runner.ts";
import { generateServingCertificates } from "../../runtime/certificates.ts";
import { Counters, type RequestCounters } from "./counters.ts";
import { type FaultInjector, Faults } from "./faults.ts";
import { createHttpHandler } from "./http/router.ts";
import { renderKubeconfig } from "./http/kubeconfig_yaml.ts";
import { ObjectStore } from "./storage/object_store.ts";
import { ReadPath } from "./read_path.ts";
import { ResourceRegistry } from "./registry/resource_registry.ts";
import { ServerControllers } from "./server_controllers.ts";
import { RbacGate } from "./rbac/gate.ts";
import { StatusError } from "./status_errors.ts";
import { type UserInfo, WritePath } from "./write_path.ts";

export interface ApiServerOptions {
  hostname?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** HTTPS with a generated CA (default) or plain HTTP. */
  tls?: boolean;
  /** Bearer token required over HTTPS (default: random). Plain HTTP accepts anonymous requests, as kubectl sends none. */
  token?: string;
  /** How many watch events are kept for resuming watches; older resourceVersions get 410 Gone. */
  watchHistory?: number;
  /** Interval of BOOKMARK events on watches that asked for them (default 1 s). */
  bookmarkIntervalMs?: number;
  /** Namespaces created at start (default: default, kube-system, kube-public, kube-node-lease). */
  namespaces?: string[];
  /** Events queued for one watcher beyond which it is closed as too slow (default 10,000). */
  watchQueueLimit?: number;
  /** Seed of fault decisions and generated names (default: random). */
  seed?: number;
  log?: Logger;
  clock?: Clock;
}

export interface ApiServer {
  /** Base URL, e.g. `https://127.0.0.1:41234`. */
  readonly url: string;
  readonly token: string;
  /** PEM of the generated CA (HTTPS only). */
  readonly caPem?: string;
  /** Connection for our KubeClient: the admin's (`system:masters`), or that of a token (`serviceAccountToken`). */
  connection(token?: string): ClusterConnection;
  /** A kubeconfig for kubectl and our CLI, the admin's or that of a token. */
  kubeconfigYaml(token?: string): string;
  writeKubeconfig(path: string, token?: string): Promise<void>;
  /**
   * Issues a bearer token of an existing ServiceAccount (as the TokenRequest API does): its requests are authorized
   * by the RBAC objects in the server. Throws if the ServiceAccount does not exist.
   */
  serviceAccountToken(namespace: string, name: string): string;
  /** Every authorization decision about users outside `system:masters`, and the stored RBAC objects. */
  readonly rbac: Pick<RbacGate, "audit" | "storedPolicy">;
  /** Installs CustomResourceDefinitions (objects as parsed from YAML) and waits until they are served. */
  installCrds(crds: KubeObject[]): Promise<void>;
  readonly faults: FaultInjector;
  readonly counters: RequestCounters;
  stop(): Promise<void>;
}

const DEFAULT_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
const SYSTEM_USER: UserInfo = { username: "system:apiserver", groups: ["system:masters"] };

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The server's parts behind the HTTP face. */
interface ServerCore {
  registry: ResourceRegistry;
  store: ObjectStore;
  reads: ReadPath;
  writes: WritePath;
  controllers: ServerControllers;
  faults: Faults;
  counters: Counters;
  rbac: RbacGate;
}

/** Wires storage, admission, the read and write paths, the server's controllers, faults and counters. */
function assembleCore(opts: ApiServerOptions, clock: Clock, log: Logger): ServerCore {
  const registry = new ResourceRegistry();
  const store = new ObjectStore(opts.watchHistory ?? 10_000);
  const admission = new AdmissionRunner(store, log.child("admission"), clock);
  // One seed, separate streams: enabling a fault never shifts the names a run generates.
  const root = new Rng(opts.seed ?? entropySeed());
  const names = root.fork(1);
  const faults = new Faults({
    dropWatches: () => {
      for (const w of store.allWatchers()) w.close("dropped");
    },
    compact: () => store.compact(),
  }, root.fork(2).uint32());
  const writes = new WritePath(store, registry, clock, admission, () => names.next());
  const reads = new ReadPath(store, clock, {
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000,
    watchQueueLimit: opts.watchQueueLimit ?? 10_000,
  });
  const controllers = new ServerControllers(store, registry, writes, log.child("controllers"));
  return { registry, store, reads, writes, controllers, faults, counters: new Counters(), rbac: new RbacGate(store) };
}

/** Creates the namespaces a fresh cluster has. */
async function createNamespaces(core: ServerCore, names: string[]): Promise<void> {
  const nsResource = core.registry.resolve("", "v1", CoreV1.namespaces.resource)!;
  for (const name of names) {
    await core.writes.create(nsResource, undefined, { metadata: { name } }, { dryRun: false, user: SYSTEM_USER });
  }
}

/** The server's clock for request handling: injected latency ends early when the server stops. */
function requestClock(clock: Clock, stopping: AbortSignal): Clock {
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: (t) => clock.clearTimeout(t),
    // Shutdown never waits on a fake clock.
    sleep: (ms) => clock.sleep(ms, stopping),
  };
}

/** Creates or updates CustomResourceDefinitions and checks that each one's group is served. */
async function installCrds(core: ServerCore, crds: KubeObject[]): Promise<void> {
  const { registry, store, writes } = core;
  const crdResource = registry.resolve(
    ApiextensionsV1.customResourceDefinitions.group,
    ApiextensionsV1.customResourceDefinitions.version,
    ApiextensionsV1.customResourceDefinitions.resource,
  )!;
  for (const crd of crds) {
    const name = crd.metadata?.name;
    if (!name) throw new Error(`installCrds: a CustomResourceDefinition without metadata.name (kind ${crd.kind})`);
    const options = { dryRun: false, user: SYSTEM_USER };
    try {
      if (store.get("customresourcedefinitions.apiextensions.k8s.io", "", name)) {
        await writes.update(crdResource, "", name, () => ({ ...crd, metadata: { ...crd.metadata } }), options);
      } else {
        await writes.create(crdResource, undefined, crd, options);
      }
    } catch (e) {
      if (e instanceof StatusError) throw new Error(`installCrds: CRD ${name}: ${e.message}`);
      throw e;
    }
    const group = (crd as { spec?: { group?: string } }).spec?.group ?? "";
    if (!registry.versionsOf(group).length) throw new Error(`installCrds: CRD ${name} is stored but not served`);
  }
}

/** Starts the server; resolves once it accepts requests. */
export async function startApiServer(opts: ApiServerOptions = {}): Promise<ApiServer> {
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? getLogger("fake-apiserver");
  const tls = opts.tls ?? true;
  const token = opts.token ?? randomToken();
  registerSecret(token);
  // Certificates are checked by clients against the wall clock, so they use real time even under a FakeClock.
  const certs = tls ? await generateServingCertificates() : undefined;
  const core = assembleCore(opts, clock, log);
  await createNamespaces(core, opts.namespaces ?? DEFAULT_NAMESPACES);

  const stopping = new AbortController();
  let baseUrl = "";
  const handler = createHttpHandler({
    ...core,
    clock: requestClock(clock, stopping.signal),
    log,
    token: tls ? token : undefined,
    rbac: core.rbac,
    serverAddress: () => new URL(baseUrl).host,
  });
  const listener = await listenHttp(
    {
      hostname: opts.hostname ?? "127.0.0.1",
      port: opts.port ?? 0,
      streams: true,
      ...(certs ? { tls: { cert: certs.certPem, key: certs.keyPem } } : {}),
    },
    handler,
    log,
  );
  baseUrl = listenerUrl(listener, tls ? "https" : "http");
  log.debug("fake kube-apiserver listening", { url: baseUrl, tls });

  let stopped: Promise<void> | undefined;
  const api: ApiServer = {
    url: baseUrl,
    token,
    caPem: certs?.caPem,
    connection: (as = token) => ({
      server: baseUrl,
      ...(certs ? { caPem: certs.caPem } : {}),
      token: () => Promise.resolve(as),
      namespace: "default",
    }),
    kubeconfigYaml: (as = token) => renderKubeconfig({ server: baseUrl, caPem: certs?.caPem, token: as }),
    writeKubeconfig: (path, as) => Deno.writeTextFile(path, api.kubeconfigYaml(as), { mode: 0o600 }),
    serviceAccountToken(namespace, name) {
      if (!core.store.get("serviceaccounts", namespace, name)) {
        throw new Error(`serviceAccountToken: serviceaccounts "${name}" not found in namespace ${namespace}`);
      }
      return core.rbac.tokens.issue(namespace, name);
    },
    rbac: core.rbac,
    installCrds: (crds) => installCrds(core, crds),
    faults: core.faults,
    counters: core.counters,
    stop(): Promise<void> {
      stopped ??= (async () => {
        core.controllers.stop();
        stopping.abort(new DOMException("fake API server stopped", "AbortError"));
        for (const w of core.store.allWatchers()) w.close("stopped");
        await listener.close();
        forgetSecret(token);
        core.rbac.tokens.clear();
        log.debug("fake kube-apiserver stopped", { url: baseUrl });
      })();
      return stopped;
    },
  };
  return api;
}
