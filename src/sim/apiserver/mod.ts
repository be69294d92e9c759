/**
 * CONTRACT STUB (implemented by the fake-apiserver work): an in-process Kubernetes API server faithful enough that
 * our controllers — and the real kubectl — behave against it as against kube-apiserver.
 *
 *   const api = await startApiServer();             // HTTPS on 127.0.0.1, random port, generated CA, bearer token
 *   const client = new KubeClient(api.connection());
 *   await api.installCrds(await loadCrdFiles("../shared/crds/machine"));
 *   api.faults.add({ verb: "update", resource: "machines", status: 409, probability: 0.1 });
 *   api.counters.writes();                           // create+update+patch+delete requests served
 *   await api.stop();
 */
import type { ClusterConnection } from "../../k8s/kubeconfig.ts";
import type { KubeObject } from "../../k8s/objects.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { Logger } from "../../observability/log.ts";

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
  log?: Logger;
  clock?: Clock;
}

/** Verbs as the API server names them. */
export type Verb =
  | "get"
  | "list"
  | "watch"
  | "create"
  | "update"
  | "patch"
  | "delete"
  | "deletecollection";

/** One fault rule; every matching request is subject to it. */
export interface FaultRule {
  verb?: Verb;
  /** Plural resource name (e.g. `machines`), optionally `resource/subresource`. */
  resource?: string;
  namespace?: string;
  /** Chance that a matching request is affected (default 1). */
  probability?: number;
  /** Answer with this HTTP status instead of serving (409 gives a Conflict Status, 429 adds Retry-After). */
  status?: number;
  retryAfterSeconds?: number;
  /** Delay before serving. */
  latencyMs?: number;
  /** Stop after affecting this many requests. */
  times?: number;
}

export interface FaultInjector {
  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void;
  clear(): void;
  /** Closes every open watch stream (clients must resume from their last resourceVersion). */
  dropWatches(): void;
  /** Forgets the watch history so that resuming from any older resourceVersion gets 410 Gone. */
  compact(): void;
  /** Seed of the random decisions (reproducible runs). */
  seed(n: number): void;
}

export interface RequestCounters {
  /** Requests served, by `verb` and by `verb resource` (e.g. `update machines`, `patch workers/status`). */
  snapshot(): { byVerb: Record<string, number>; byVerbResource: Record<string, number> };
  /** create+update+patch+delete+deletecollection requests, optionally excluding some resources (e.g. leases). */
  writes(opts?: { excludeResources?: string[] }): number;
  reset(): void;
}

export interface ApiServer {
  /** Base URL, e.g. `https://127.0.0.1:41234`. */
  readonly url: string;
  readonly token: string;
  /** PEM of the generated CA (HTTPS only). */
  readonly caPem?: string;
  /** Connection for our KubeClient. */
  connection(): ClusterConnection;
  /** A kubeconfig for kubectl and our CLI. */
  kubeconfigYaml(): string;
  writeKubeconfig(path: string): Promise<void>;
  /** Installs CustomResourceDefinitions (objects as parsed from YAML) and waits until they are served. */
  installCrds(crds: KubeObject[]): Promise<void>;
  readonly faults: FaultInjector;
  readonly counters: RequestCounters;
  stop(): Promise<void>;
}

/** Starts the server; resolves once it accepts requests. */
export function startApiServer(_opts: ApiServerOptions = {}): Promise<ApiServer> {
  throw new Error("not implemented yet: src/sim/apiserver/mod.ts");
}
