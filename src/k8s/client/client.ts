/**
 * A thin `fetch` client for any group/version/resource. Errors are thrown as the typed errors of `errors.ts`.
 * Non-watch requests have a timeout; a 401 makes the connection drop cached credentials and the request is retried
 * once (rotated service-account tokens, expired exec credentials).
 */
import { z } from "zod";
import type { ClusterConnection } from "./kubeconfig.ts";
import type { KubeList, KubeObject, WatchEvent } from "../api/objects.ts";
import { apiVersionOf, resourceName, type ResourceType } from "../api/resources.ts";
import { apiErrorFrom, GoneError, RequestTimeoutError, type Status } from "../api/errors.ts";
import type { Logger } from "../../observability/log.ts";
import { getLogger } from "../../observability/log.ts";
import { counter } from "../../observability/metrics.ts";
import { type Clock, realClock } from "../../runtime/clock.ts";
import { USER_AGENT } from "../../runtime/version.ts";
import { TokenBucket } from "./token_bucket.ts";
import { createTransport, type Transport } from "./http_transport.ts";
import { watchEvents } from "./watch_stream.ts";

export interface NamespaceOption {
  /** Required for namespaced resources (except cluster-wide list/watch). */
  namespace?: string;
}

export interface ListOptions extends NamespaceOption {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  signal?: AbortSignal;
}

export interface WatchOptions extends NamespaceOption {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WriteOptions extends NamespaceOption {
  dryRun?: boolean;
  fieldManager?: string;
  signal?: AbortSignal;
}

/** merge = RFC 7386, json = RFC 6902, strategic = strategic-merge-patch, apply = server-side apply. */
export type PatchType = "merge" | "json" | "strategic" | "apply";

export interface PatchOptions extends WriteOptions {
  /** Server-side apply: take over conflicting fields. */
  force?: boolean;
  subresource?: "status" | "scale";
}

export interface DeleteOptions extends NamespaceOption {
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface ClientOptions {
  /** Client-side rate limit (like --kube-api-qps / --kube-api-burst); unlimited when absent. */
  qps?: number;
  burst?: number;
  userAgent?: string;
  /** Per-request timeout for non-watch requests (default 60 s; 0 disables it). */
  timeoutMs?: number;
  log?: Logger;
  /** Drives the request timeout and the rate limiter. */
  clock?: Clock;
}

/** autoscaling/v1 Scale. */
export interface Scale extends KubeObject {
  spec: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

/** The Content-Type of each patch type. */
export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

const DEFAULT_TIMEOUT_MS = 60_000;
const LIST_PAGE_SIZE = 500;

const requestsTotal = counter({
  name: "rest_client_requests_total",
  help: "Kubernetes API requests, by method and HTTP status code ('error' for network failures).",
  labelNames: ["method", "code"],
});

const ObjectSchema = z.object({ metadata: z.object({}).loose() }).loose();
const ListSchema = z.object({
  metadata: z.object({
    resourceVersion: z.string().optional(),
    continue: z.string().optional(),
    remainingItemCount: z.number().optional(),
  }).loose().optional(),
  items: z.array(z.unknown()).nullish(),
}).loose();

interface RequestSpec {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Watches stream for minutes: no timeout. */
  noTimeout?: boolean;
}

/** A request path problem detected before anything was sent. */
function usageError(msg: string): Error {
  return new TypeError(msg);
}

/** Generic Kubernetes API access. */
export class KubeClient {
  private transport?: Transport;
  private readonly bucket?: TokenBucket;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(readonly connection: ClusterConnection, readonly options: ClientOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.log = options.log ?? getLogger("k8s.client");
    if (options.qps !== undefined && options.qps > 0) {
      this.bucket = new TokenBucket({
        qps: options.qps,
        burst: options.burst ?? Math.max(1, Math.ceil(options.qps)),
        clock: this.clock,
      });
    }
  }

  /** Closes pooled connections (tests; long-running processes keep one client for their lifetime). */
  close(): void {
    this.transport?.close();
    this.transport = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** `/api/v1` or `/apis/<group>/<version>`. */
  static groupVersionPath(res: Pick<ResourceType, "group" | "version">): string {
    return res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  }

  /** The URL path of a collection, an object or an object's subresource. */
  static resourcePath(res: ResourceType, namespace: string | undefined, name?: string, subresource?: string): string {
    let p = KubeClient.groupVersionPath(res);
    if (res.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${res.resource}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  private objectPath(res: ResourceType, name: string, namespace: string | undefined, sub?: string): string {
    if (!name) throw usageError(`${resourceName(res)}: object name is required`);
    if (res.namespaced && !namespace) {
      throw usageError(`${resourceName(res)} "${name}": namespace is required (the resource is namespaced)`);
    }
    return KubeClient.resourcePath(res, namespace, name, sub);
  }

  /** GET one object. */
  async get<T extends KubeObject>(
    res: ResourceType,
    name: string,
    opts: NamespaceOption & { signal?: AbortSignal } = {},
  ): Promise<T> {
    const path = this.objectPath(res, name, opts.namespace);
    return this.withTypeMeta(res, await this.objectRequest<T>("GET", path, { signal: opts.signal }));
  }

  /** GET one page of a list. */
  async list<T extends KubeObject>(res: ResourceType, opts: ListOptions = {}): Promise<KubeList<T>> {
    const path = KubeClient.resourcePath(res, opts.namespace);
    const resp = await this.send("GET", path, {
      query: {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit,
        continue: opts.continue,
        resourceVersion: opts.resourceVersion,
      },
      signal: opts.signal,
    });
    const body = await this.readJson(resp, "GET", path);
    const parsed = ListSchema.safeParse(body);
    if (!parsed.success) throw this.badResponse("GET", path, parsed.error.issues[0]);
    const items = (parsed.data.items ?? []) as T[];
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (typeof it !== "object" || it === null || typeof it.metadata !== "object" || it.metadata === null) {
        throw this.badResponse("GET", path, { path: ["items", i, "metadata"], message: "expected an object" });
      }
      this.withTypeMeta(res, it);
    }
    return {
      apiVersion: parsed.data.apiVersion as string | undefined,
      kind: parsed.data.kind as string | undefined,
      metadata: parsed.data.metadata ?? {},
      items,
    };
  }

  /** GET every page of a list (follows `continue`). */
  async listAll<T extends KubeObject>(
    res: ResourceType,
    opts: Omit<ListOptions, "continue"> = {},
  ): Promise<KubeList<T>> {
    const limit = opts.limit ?? LIST_PAGE_SIZE;
    const first = await this.list<T>(res, { ...opts, limit });
    const items = first.items;
    let cont = first.metadata.continue;
    while (cont) {
      let page: KubeList<T>;
      try {
        page = await this.list<T>(res, { ...opts, limit, continue: cont, resourceVersion: undefined });
      } catch (e) {
        // The continue token expired (etcd compacted meanwhile): fall back to one unpaginated list, as client-go does.
        if (e instanceof GoneError) return await this.list<T>(res, { ...opts, limit: undefined });
        throw e;
      }
      items.push(...page.items);
      cont = page.metadata.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion }, items };
  }

  /** Streams watch events until the server closes or the signal aborts; a 410 throws GoneError. */
  async *watch<T extends KubeObject>(res: ResourceType, opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const path = KubeClient.resourcePath(res, opts.namespace);
    const request = this.send("GET", path, {
      query: {
        watch: "true",
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: opts.allowWatchBookmarks ? "true" : undefined,
        timeoutSeconds: opts.timeoutSeconds,
      },
      signal: opts.signal,
      noTimeout: true,
    });
    let resp: Response;
    try {
      resp = await request;
    } catch (e) {
      if (opts.signal?.aborted) return; // stopped before the server answered
      throw e;
    }
    const body = resp.body;
    if (!body) return;
    try {
      for await (const ev of watchEvents<T>(body)) {
        if (ev.type !== "BOOKMARK") this.withTypeMeta(res, ev.object);
        yield ev;
      }
    } catch (e) {
      if (opts.signal?.aborted) return; // the caller stopped the watch
      throw e;
    } finally {
      await body.cancel().catch(() => {});
    }
  }

  /** POST a new object (namespace from the object or the options; 409 AlreadyExistsError if it exists). */
  async create<T extends KubeObject>(res: ResourceType, obj: T, opts: WriteOptions = {}): Promise<T> {
    const ns = this.namespaceOf(res, obj, opts);
    if (res.namespaced && !ns) {
      throw usageError(
        `${resourceName(res)} "${obj.metadata.name ?? obj.metadata.generateName ?? ""}": namespace is required`,
      );
    }
    const path = KubeClient.resourcePath(res, ns);
    const body = this.withTypeMeta(res, { ...obj });
    return this.withTypeMeta(
      res,
      await this.objectRequest<T>("POST", path, { body, query: this.writeQuery(opts), signal: opts.signal }),
    );
  }

  /** PUT with the object's resourceVersion (409 ConflictError when stale). */
  async update<T extends KubeObject>(res: ResourceType, obj: T, opts: WriteOptions = {}): Promise<T> {
    return await this.put(res, obj, undefined, opts);
  }

  /** PUT to the status subresource. */
  async updateStatus<T extends KubeObject>(res: ResourceType, obj: T, opts: WriteOptions = {}): Promise<T> {
    return await this.put(res, obj, "status", opts);
  }

  private async put<T extends KubeObject>(
    res: ResourceType,
    obj: T,
    sub: string | undefined,
    opts: WriteOptions,
  ): Promise<T> {
    const path = this.objectPath(res, obj.metadata.name ?? "", this.namespaceOf(res, obj, opts), sub);
    const body = this.withTypeMeta(res, { ...obj });
    return this.withTypeMeta(
      res,
      await this.objectRequest<T>("PUT", path, { body, query: this.writeQuery(opts), signal: opts.signal }),
    );
  }

  /** PATCH an object or its status/scale subresource with the given patch type. */
  async patch<T extends KubeObject>(
    res: ResourceType,
    name: string,
    patch: unknown,
    type: PatchType,
    opts: PatchOptions = {},
  ): Promise<T> {
    const path = this.objectPath(res, name, opts.namespace, opts.subresource);
    if (type === "json" && !Array.isArray(patch)) {
      throw usageError(`patch of ${resourceName(res)} "${name}": a JSON patch must be an array of operations`);
    }
    if (type !== "json" && (typeof patch !== "object" || patch === null || Array.isArray(patch))) {
      throw usageError(`patch of ${resourceName(res)} "${name}": a ${type} patch must be an object`);
    }
    if (type === "apply" && !opts.fieldManager) {
      throw usageError(`apply of ${resourceName(res)} "${name}": fieldManager is required for server-side apply`);
    }
    if (opts.force && type !== "apply") {
      throw usageError(`patch of ${resourceName(res)} "${name}": force is only valid for server-side apply`);
    }
    // Server-side apply takes YAML; JSON is YAML, so the body is always JSON.
    const body = type === "apply" && opts.subresource !== "scale"
      ? this.withTypeMeta(res, { ...(patch as KubeObject) })
      : patch;
    const query = { ...this.writeQuery(opts), force: opts.force ? "true" : undefined };
    const result = await this.objectRequest<T>("PATCH", path, {
      body,
      contentType: PATCH_CONTENT_TYPES[type],
      query,
      signal: opts.signal,
    });
    return opts.subresource === "scale" ? result : this.withTypeMeta(res, result);
  }

  /** DELETE; returns the object (finalizers pending) or a Success status. */
  async delete(res: ResourceType, name: string, opts: DeleteOptions = {}): Promise<KubeObject | Status> {
    const path = this.objectPath(res, name, opts.namespace);
    const resp = await this.send("DELETE", path, {
      body: deleteOptionsBody(opts),
      query: { dryRun: opts.dryRun ? "All" : undefined },
      signal: opts.signal,
    });
    const body = await this.readJson(resp, "DELETE", path);
    if ((body as { kind?: string }).kind === "Status") return body as Status;
    const parsed = ObjectSchema.safeParse(body);
    if (!parsed.success) throw this.badResponse("DELETE", path, parsed.error.issues[0]);
    return this.withTypeMeta(res, body as KubeObject);
  }

  /** GET the scale subresource. */
  async getScale(res: ResourceType, name: string, opts: NamespaceOption = {}): Promise<Scale> {
    this.requireSubresource(res, "scale");
    return await this.objectRequest<Scale>("GET", this.objectPath(res, name, opts.namespace, "scale"), {});
  }

  /** Sets spec.replicas through the scale subresource (a merge patch, like `kubectl scale`). */
  async updateScale(res: ResourceType, name: string, replicas: number, opts: WriteOptions = {}): Promise<Scale> {
    this.requireSubresource(res, "scale");
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw usageError(`scale of ${resourceName(res)} "${name}": replicas must be a non-negative integer`);
    }
    return await this.patch<Scale>(res, name, { spec: { replicas } }, "merge", { ...opts, subresource: "scale" });
  }

  /** POST pods/eviction (policy/v1); 429 TooManyRequestsError when a PodDisruptionBudget forbids it. */
  async evict(
    namespace: string,
    podName: string,
    opts: { deleteOptions?: DeleteOptions; signal?: AbortSignal } = {},
  ): Promise<void> {
    if (!namespace || !podName) throw usageError("evict: namespace and pod name are required");
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}/eviction`;
    const eviction = {
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name: podName, namespace },
      deleteOptions: opts.deleteOptions ? deleteOptionsBody(opts.deleteOptions) : undefined,
    };
    const resp = await this.send("POST", path, { body: eviction, signal: opts.signal });
    await resp.body?.cancel();
  }

  /** Raw JSON request (discovery, /version, /healthz). */
  async requestJson<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const resp = await this.send(method, path, { body, signal });
    return await this.readJson(resp, method, path) as T;
  }

  private requireSubresource(res: ResourceType, sub: "scale" | "status"): void {
    if (!res.subresources?.includes(sub)) {
      throw usageError(`${resourceName(res)} has no ${sub} subresource`);
    }
  }

  private namespaceOf(res: ResourceType, obj: KubeObject, opts: NamespaceOption): string | undefined {
    if (!res.namespaced) return undefined;
    const fromObj = obj.metadata.namespace;
    if (opts.namespace && fromObj && opts.namespace !== fromObj) {
      throw usageError(
        `${resourceName(res)} "${obj.metadata.name}": metadata.namespace "${fromObj}" differs from the namespace ` +
          `option "${opts.namespace}"`,
      );
    }
    return fromObj ?? opts.namespace;
  }

  private writeQuery(opts: WriteOptions): Record<string, string | undefined> {
    return { dryRun: opts.dryRun ? "All" : undefined, fieldManager: opts.fieldManager };
  }

  /** Lists and watches of built-in types omit apiVersion/kind on items; callers (events, owners) need them. */
  private withTypeMeta<T extends KubeObject>(res: ResourceType, obj: T): T {
    if (!obj.apiVersion) obj.apiVersion = apiVersionOf(res);
    if (!obj.kind) obj.kind = res.kind;
    return obj;
  }

  private async objectRequest<T extends KubeObject>(method: string, path: string, spec: RequestSpec): Promise<T> {
    const resp = await this.send(method, path, spec);
    const body = await this.readJson(resp, method, path);
    const parsed = ObjectSchema.safeParse(body);
    if (!parsed.success) throw this.badResponse(method, path, parsed.error.issues[0]);
    return body as T;
  }

  private badResponse(method: string, path: string, issue: { path: PropertyKey[]; message: string }): Error {
    return new Error(
      `${method} ${path}: unexpected response body at ${issue.path.map(String).join(".") || "(root)"}: ` +
        issue.message,
    );
  }

  private async readJson(resp: Response, method: string, path: string): Promise<unknown> {
    const text = await resp.text();
    if (!text) return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path}: response is not JSON (HTTP ${resp.status}): ${text.slice(0, 200)}`);
    }
  }

  private url(path: string, query: RequestSpec["query"]): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== "") params.set(k, String(v));
    const qs = params.toString();
    return `${this.connection.server}${path}${qs ? `?${qs}` : ""}`;
  }

  private async headers(spec: RequestSpec): Promise<Headers> {
    const h = new Headers({
      "Accept": "application/json",
      "User-Agent": this.options.userAgent ?? USER_AGENT,
    });
    if (spec.body !== undefined) h.set("Content-Type", spec.contentType ?? "application/json");
    const token = await this.connection.token?.();
    if (token) h.set("Authorization", `Bearer ${token}`);
    const imp = this.connection.impersonate;
    if (imp?.user) h.set("Impersonate-User", imp.user);
    if (imp?.uid) h.set("Impersonate-Uid", imp.uid);
    for (const g of imp?.groups ?? []) h.append("Impersonate-Group", g);
    return h;
  }

  /** Sends a request; non-2xx answers are thrown as typed errors. */
  private async send(method: string, path: string, spec: RequestSpec): Promise<Response> {
    const url = this.url(path, spec.query);
    for (let attempt = 0;; attempt++) {
      if (this.bucket) await this.bucket.take(spec.signal);
      const resp = await this.sendOnce(method, url, path, spec);
      if (resp.ok) return resp;
      const text = await resp.text().catch(() => "");
      if (resp.status === 401 && attempt === 0 && this.connection.invalidateCredentials) {
        this.log.info("API server answered 401; refreshing credentials and retrying once", { method, path });
        this.connection.invalidateCredentials();
        continue;
      }
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : "";
      } catch {
        // not JSON: the text itself becomes the message
      }
      throw apiErrorFrom(resp.status, body, resp.headers.get("Retry-After"));
    }
  }

  private async sendOnce(method: string, url: string, path: string, spec: RequestSpec): Promise<Response> {
    this.transport ??= createTransport(this.connection);
    const headers = await this.headers(spec);
    const timeoutMs = spec.noTimeout ? 0 : this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = new AbortController();
    const timer = timeoutMs > 0
      ? this.clock.setTimeout(() => timeout.abort(new RequestTimeoutError(method, path, timeoutMs)), timeoutMs)
      : undefined;
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout.signal]) : timeout.signal;
    try {
      const resp = await this.transport.fetch(url, {
        method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal,
      });
      requestsTotal.inc({ method, code: String(resp.status) });
      if (timer) {
        // The timeout covers the whole exchange: reading the body is part of it.
        return withBodyTimer(resp, () => this.clock.clearTimeout(timer));
      }
      return resp;
    } catch (e) {
      if (timer) this.clock.clearTimeout(timer);
      requestsTotal.inc({ method, code: "error" });
      if (timeout.signal.aborted) throw timeout.signal.reason;
      if (spec.signal?.aborted) throw spec.signal.reason ?? e;
      const reason = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
      throw new Error(`${method} ${path} (${this.connection.server}): ${reason}`, { cause: e });
    }
  }
}

/** Calls `onDone` once the body has been read, cancelled or failed. */
function withBodyTimer(resp: Response, onDone: () => void): Response {
  if (!resp.body) {
    onDone();
    return resp;
  }
  let finished = false;
  const finish = () => {
    if (!finished) {
      finished = true;
      onDone();
    }
  };
  const reader = resp.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          finish();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (e) {
        finish();
        controller.error(e);
      }
    },
    async cancel(reason) {
      finish();
      await reader.cancel(reason);
    },
  });
  return new Response(body, { status: resp.status, statusText: resp.statusText, headers: resp.headers });
}

function deleteOptionsBody(opts: DeleteOptions): Record<string, unknown> {
  return {
    kind: "DeleteOptions",
    apiVersion: "v1",
    propagationPolicy: opts.propagationPolicy,
    preconditions: opts.preconditions,
    gracePeriodSeconds: opts.gracePeriodSeconds,
    dryRun: opts.dryRun ? ["All"] : undefined,
  };
}
