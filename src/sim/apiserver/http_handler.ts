/**
 * The HTTP face of the fake API server: authentication, health and version endpoints, discovery, and the REST
 * verbs of every served resource and subresource (status, scale, eviction, namespace finalize). Each resource
 * request is counted, may be delayed or failed by an injected fault, and is answered with JSON or a kube Status.
 */
import { z } from "zod";
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { apiVersionOf, PolicyV1 } from "../../k8s/api/resources.ts";
import { statusBody } from "../../k8s/api/errors.ts";
import type { Logger } from "../../observability/log.ts";
import { counter } from "../../observability/metrics.ts";
import type { Clock } from "../../runtime/clock.ts";
import { applyMergePatch } from "../../k8s/api/patch/merge_patch.ts";
import { applyStrategicMergePatch } from "../../k8s/api/patch/strategic_merge_patch.ts";
import type { Counters } from "./counters.ts";
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from "./discovery.ts";
import { decideEviction } from "./eviction.ts";
import type { Faults } from "./faults.ts";
import { streamingResponse } from "../kernel/mod.ts";
import type { ObjectStore } from "./object_store.ts";
import { applyPatch, parsePatchBody, type PatchKind, patchKindOf } from "./patching.ts";
import type { ReadPath } from "./read_path.ts";
import { parseResourcePath, type RequestInfo } from "./request_info.ts";
import type { ResourceRegistry } from "./resource_registry.ts";
import { applyScale, type ScaleObject, toScale, validateScale } from "./scale.ts";
import { hasSubresource, type ServedResource, storageKey } from "./served_resource.ts";
import {
  badRequest,
  invalid,
  methodNotAllowed,
  notFound,
  pathNotFound,
  StatusError,
  tooManyRequests,
  unauthorized,
  withCode,
} from "./status_errors.ts";
import type { DeleteRequest, UserInfo, WriteOptions, WritePath, WriteResult } from "./write_path.ts";

const JSON_HEADERS = { "content-type": "application/json" };

const requestsTotal = counter({
  name: "fake_apiserver_requests_total",
  help: "Requests served by the fake Kubernetes API server, by verb, resource and HTTP code.",
  labelNames: ["verb", "resource", "code"] as const,
});

/** DeleteOptions (meta/v1) as far as the server honours them. */
const DeleteOptionsSchema = z.object({
  kind: z.string().optional(),
  apiVersion: z.string().optional(),
  propagationPolicy: z.enum(["Background", "Foreground", "Orphan"]).optional(),
  orphanDependents: z.boolean().optional(),
  gracePeriodSeconds: z.number().int().optional(),
  dryRun: z.array(z.string()).optional(),
  preconditions: z.object({ uid: z.string().optional(), resourceVersion: z.string().optional() }).optional(),
}).passthrough();

/** policy/v1 Eviction. */
const EvictionSchema = z.object({
  metadata: z.object({ name: z.string().optional(), namespace: z.string().optional() }).passthrough().optional(),
  deleteOptions: DeleteOptionsSchema.optional(),
}).passthrough();

/** Build information `/version` reports (kubectl only needs the shape). */
const VERSION_INFO = {
  major: "1",
  minor: "30",
  gitVersion: "v1.30.0-fake+provider-equinix-metal",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-01-01T00:00:00Z",
  goVersion: "go1.22.0",
  compiler: "gc",
  platform: "linux/amd64",
};

/** Everything the handler needs. */
export interface HttpHandlerDeps {
  registry: ResourceRegistry;
  store: ObjectStore;
  reads: ReadPath;
  writes: WritePath;
  faults: Faults;
  counters: Counters;
  clock: Clock;
  log: Logger;
  /** Required bearer token, or undefined to accept anonymous requests (plain HTTP). */
  token?: string;
  serverAddress: () => string;
}

function json(code: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status: code,
    headers: { ...JSON_HEADERS, ...headers },
  });
}

function errorResponse(e: StatusError): Response {
  return json(e.code, e.status, e.headers);
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const ANONYMOUS_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version"]);

function warningHeaders(warnings: string[]): Record<string, string> {
  if (warnings.length === 0) return {};
  return { warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ") };
}

function writeResponse(r: WriteResult): Response {
  return json(r.code, r.json ?? JSON.stringify(r.object), warningHeaders(r.warnings));
}

/** Creates the request handler for Deno.serve. */
export function createHttpHandler(deps: HttpHandlerDeps): (req: Request) => Promise<Response> {
  const { registry, reads, writes, faults, counters, log } = deps;

  function authenticate(req: Request, path: string): UserInfo {
    if (deps.token === undefined) return { username: "system:anonymous", groups: ["system:unauthenticated"] };
    const header = req.headers.get("authorization") ?? "";
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (m && timingSafeEqual(m[1].trim(), deps.token)) {
      return { username: "system:admin", groups: ["system:masters", "system:authenticated"] };
    }
    if (ANONYMOUS_PATHS.has(path)) return { username: "system:anonymous", groups: ["system:unauthenticated"] };
    throw unauthorized();
  }

  function nonResource(path: string): Response | undefined {
    switch (path) {
      case "/healthz":
      case "/livez":
      case "/readyz":
        return new Response("ok", { headers: { "content-type": "text/plain; charset=utf-8" } });
      case "/version":
        return json(200, VERSION_INFO);
      case "/api":
        return json(200, apiVersions(deps.serverAddress()));
      case "/apis":
        return json(200, apiGroupList(registry));
      case "/api/v1":
        return json(200, apiResourceList(registry, "", "v1"));
    }
    if (path.startsWith("/healthz/") || path.startsWith("/livez/") || path.startsWith("/readyz/")) {
      return new Response("ok", { headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    const parts = path.split("/").filter((p) => p);
    if (parts[0] === "apis" && parts.length === 2) {
      const doc = apiGroup(registry, parts[1]);
      return doc ? json(200, doc) : errorResponse(pathNotFound(path));
    }
    if (parts[0] === "apis" && parts.length === 3) {
      const doc = apiResourceList(registry, parts[1], parts[2]);
      return doc ? json(200, doc) : errorResponse(pathNotFound(path));
    }
    return undefined;
  }

  async function readBody(req: Request): Promise<unknown> {
    const text = await req.text();
    if (text.trim() === "") return undefined;
    const type = (req.headers.get("content-type") ?? "").split(";")[0].trim();
    try {
      return type.includes("yaml") ? parseYaml(text) : JSON.parse(text);
    } catch (e) {
      throw badRequest(`error decoding request body: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  function writeOptions(query: URLSearchParams, user: UserInfo, subresource?: "status"): WriteOptions {
    const dryRun = query.getAll("dryRun");
    if (dryRun.some((d) => d !== "All")) {
      throw badRequest(`Invalid dryRun value: ${dryRun.join(",")}; only "All" is supported`);
    }
    const fv = query.get("fieldValidation");
    if (fv !== null && fv !== "Strict" && fv !== "Warn" && fv !== "Ignore") {
      throw badRequest(`fieldValidation must be one of Strict, Warn, Ignore; got "${fv}"`);
    }
    return {
      dryRun: dryRun.length > 0,
      fieldManager: query.get("fieldManager") ?? undefined,
      fieldValidation: (fv ?? undefined) as WriteOptions["fieldValidation"],
      user,
      subresource,
    };
  }

  function deleteRequest(body: unknown, query: URLSearchParams): { req: DeleteRequest; dryRun: boolean } {
    const parsed = DeleteOptionsSchema.safeParse(body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw badRequest(`invalid DeleteOptions: ${issue.path.join(".") || "<root>"}: ${issue.message}`);
    }
    const opts = parsed.data;
    const qPolicy = query.get("propagationPolicy");
    if (qPolicy !== null && !["Background", "Foreground", "Orphan"].includes(qPolicy)) {
      throw badRequest(`propagationPolicy must be one of Background, Foreground, Orphan; got "${qPolicy}"`);
    }
    let policy = (qPolicy ?? opts.propagationPolicy) as DeleteRequest["propagationPolicy"];
    if (!policy && opts.orphanDependents !== undefined) policy = opts.orphanDependents ? "Orphan" : "Background";
    const dryRun = query.getAll("dryRun").includes("All") || (opts.dryRun ?? []).includes("All");
    return { req: { propagationPolicy: policy, preconditions: opts.preconditions }, dryRun };
  }

  /** Resolves the resource of a request, checking scope and subresource. */
  function resolve(info: RequestInfo, path: string): ServedResource {
    const r = registry.resolve(info.group, info.version, info.resource);
    if (!r) throw pathNotFound(path);
    if (info.namespace !== undefined && !r.type.namespaced) throw pathNotFound(path);
    if (info.subresource) {
      const ok = info.resource === "namespaces" && info.subresource === "finalize"
        ? true
        : hasSubresource(r, info.subresource as "status" | "scale" | "eviction");
      if (!ok) throw pathNotFound(path);
    }
    if (r.type.namespaced && info.name && info.namespace === undefined) throw pathNotFound(path);
    return r;
  }

  async function serveResource(req: Request, url: URL, info: RequestInfo, user: UserInfo): Promise<Response> {
    const r = resolve(info, url.pathname);
    const query = url.searchParams;
    const ns = info.namespace ?? "";
    const name = info.name ?? "";
    const sub = info.subresource;

    if (sub === "eviction") {
      if (info.verb !== "create") throw methodNotAllowed();
      return await evict(r, ns, name, await readBody(req), query, user);
    }
    if (sub === "scale") return await scale(req, r, ns, name, info, query, user);
    if (sub === "finalize") return await finalize(req, name, info, query, user);
    const status = sub === "status" ? "status" as const : undefined;

    switch (info.verb) {
      case "get":
        return json(200, reads.get(r, ns, name));
      case "list":
        if (status) throw methodNotAllowed();
        return json(200, reads.list(r, info.namespace, query));
      case "watch": {
        const watcher = reads.watch(r, info.namespace, query, info.name);
        return streamingResponse(watcher.stream, {
          status: 200,
          headers: { ...JSON_HEADERS, "cache-control": "no-cache" },
        });
      }
      case "create":
        if (info.name || status) throw methodNotAllowed();
        return writeResponse(await writes.create(r, info.namespace, await readBody(req), writeOptions(query, user)));
      case "update": {
        const body = await readBody(req);
        return writeResponse(await writes.update(r, ns, name, () => body, writeOptions(query, user, status)));
      }
      case "patch":
        return await patch(req, r, ns, name, query, user, status);
      case "delete": {
        if (status) throw methodNotAllowed();
        const { req: del, dryRun } = deleteRequest(await readBody(req), query);
        const result = await writes.delete(r, ns, name, del, { ...writeOptions(query, user), dryRun });
        return deleteResponse(r, result);
      }
      case "deletecollection": {
        if (status) throw methodNotAllowed();
        const { req: del, dryRun } = deleteRequest(await readBody(req), query);
        const list = JSON.parse(reads.list(r, info.namespace, query)) as { items: KubeObject[] };
        for (const item of list.items) {
          try {
            await writes.delete(r, item.metadata.namespace ?? "", item.metadata.name ?? "", del, {
              ...writeOptions(query, user),
              dryRun,
            });
          } catch (e) {
            if (!(e instanceof StatusError && e.code === 404)) throw e;
          }
        }
        return json(200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" });
      }
    }
  }

  function deleteResponse(r: ServedResource, result: WriteResult): Response {
    // Objects still present (finalizers) come back as they are now; pods and custom resources return the deleted
    // object as kube-apiserver does; other built-ins answer with a Success Status.
    if (!result.deleted || r.custom || storageKey(r.type) === "pods") return writeResponse(result);
    return json(200, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: {
        name: result.object.metadata.name,
        ...(r.type.group ? { group: r.type.group } : {}),
        kind: r.type.resource,
        uid: result.object.metadata.uid,
      },
    });
  }

  async function patch(
    req: Request,
    r: ServedResource,
    ns: string,
    name: string,
    query: URLSearchParams,
    user: UserInfo,
    status: "status" | undefined,
  ): Promise<Response> {
    const kind: PatchKind = patchKindOf(req.headers.get("content-type"), !r.custom);
    const body = parsePatchBody(kind, await req.text());
    const opts = writeOptions(query, user, status);
    const typeInfo = { apiVersion: apiVersionOf(r.type), kind: r.type.kind, name, group: r.type.group };
    if (kind === "apply") {
      const manager = query.get("fieldManager");
      if (!manager) {
        throw badRequest(
          "PATCH /apply requests require a fieldManager parameter (fieldManager is required for apply requests)",
        );
      }
      if (body === null || typeof body !== "object" || Array.isArray(body)) {
        throw badRequest("apply configuration must be an object");
      }
      const applied = body as KubeObject;
      if (!applied.apiVersion || !applied.kind) {
        throw badRequest("apply configuration must set apiVersion and kind");
      }
      if (applied.metadata?.name && applied.metadata.name !== name) {
        throw badRequest(
          `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`,
        );
      }
      const applyOpts: WriteOptions = { ...opts, applyManager: manager };
      if (!deps.store.get(storageKey(r.type), ns, name)) {
        if (status) throw notFound({ resource: r.type.resource, group: r.type.group, name });
        const created = await writes.create(r, r.type.namespaced ? ns : undefined, {
          ...applied,
          metadata: { ...applied.metadata, name },
        }, applyOpts);
        return writeResponse(created);
      }
      const merge = (current: KubeObject) => {
        const cfg = { ...applied, metadata: { ...(applied.metadata ?? {}) } };
        delete cfg.metadata.managedFields;
        return r.custom
          ? applyMergePatch(current, cfg)
          : applyStrategicMergePatch(current, cfg, { apiVersion: typeInfo.apiVersion, kind: typeInfo.kind });
      };
      return writeResponse(await writes.update(r, ns, name, merge, applyOpts));
    }
    const compute = (current: KubeObject) =>
      applyPatch(kind, current as unknown as Record<string, unknown>, body, typeInfo);
    return writeResponse(await writes.update(r, ns, name, compute, opts));
  }

  async function scale(
    req: Request,
    r: ServedResource,
    ns: string,
    name: string,
    info: RequestInfo,
    query: URLSearchParams,
    user: UserInfo,
  ): Promise<Response> {
    if (info.verb === "get") return json(200, toScale(r, reads.getObject(r, ns, name)));
    if (info.verb !== "update" && info.verb !== "patch") throw methodNotAllowed();
    let submitted: ScaleObject | undefined;
    let body: unknown;
    let kind: PatchKind | undefined;
    if (info.verb === "update") body = await readBody(req);
    else {
      kind = patchKindOf(req.headers.get("content-type"), true);
      body = parsePatchBody(kind, await req.text());
    }
    const result = await writes.update(r, ns, name, (current) => {
      const view = toScale(r, current);
      if (info.verb === "update") submitted = body as ScaleObject;
      else if (kind === "apply" || kind === "merge" || kind === "strategic") {
        submitted = applyMergePatch(view, body) as ScaleObject;
      } else {
        submitted = applyPatch("json", view as unknown as Record<string, unknown>, body, {
          apiVersion: "autoscaling/v1",
          kind: "Scale",
          name,
          group: "autoscaling",
        }) as unknown as ScaleObject;
      }
      const errors = validateScale(submitted);
      if (errors.length) throw invalid({ kind: "Scale", group: "autoscaling", name }, errors);
      return applyScale(r, current, submitted);
    }, { ...writeOptions(query, user), viaScale: true });
    return json(200, toScale(r, result.object));
  }

  async function finalize(
    req: Request,
    name: string,
    info: RequestInfo,
    query: URLSearchParams,
    user: UserInfo,
  ): Promise<Response> {
    if (info.verb !== "update") throw methodNotAllowed();
    const body = await readBody(req) as { spec?: { finalizers?: unknown } } | undefined;
    const finalizers = body?.spec?.finalizers;
    if (finalizers !== undefined && (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== "string"))) {
      throw invalid({ kind: "Namespace", group: "", name }, [
        { type: "FieldValueInvalid", field: "spec.finalizers", message: "Invalid value: must be a list of strings" },
      ]);
    }
    const opts = writeOptions(query, user);
    // The finalize subresource is the only writer of spec.finalizers; apply it, then let the stored object decide.
    const existing = deps.store.get("namespaces", "", name);
    if (!existing) throw notFound({ resource: "namespaces", group: "", name });
    if (!opts.dryRun) {
      writes.updateNow("namespaces", "", name, (obj) => {
        (obj as { spec?: { finalizers?: string[] } }).spec = { finalizers: (finalizers ?? []) as string[] };
      });
    }
    const after = deps.store.get("namespaces", "", name);
    return json(200, after ? after.json : JSON.stringify(existing.object));
  }

  async function evict(
    r: ServedResource,
    ns: string,
    name: string,
    body: unknown,
    query: URLSearchParams,
    user: UserInfo,
  ): Promise<Response> {
    const parsed = EvictionSchema.safeParse(body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw badRequest(`invalid Eviction for pod ${ns}/${name}: ${issue.path.join(".") || "<root>"}: ${issue.message}`);
    }
    if (parsed.data.metadata?.name && parsed.data.metadata.name !== name) {
      throw badRequest(`name in URL does not match name in Eviction object: ${name} != ${parsed.data.metadata.name}`);
    }
    const pod = deps.store.get("pods", ns, name);
    if (!pod) throw notFound({ resource: "pods", group: "", name });
    const { req: del, dryRun } = deleteRequest(parsed.data.deleteOptions, query);
    await writes.admitSubresourceCreate(r, "eviction", ns, name, {
      apiVersion: "policy/v1",
      kind: "Eviction",
      ...(parsed.data as Record<string, unknown>),
      metadata: { ...(parsed.data.metadata ?? {}), name, namespace: ns },
    } as KubeObject, { dryRun, user });
    const pdbs = deps.store.list(storageKey(PolicyV1.podDisruptionBudgets), ns).map((e) =>
      structuredClone(e.stored.object)
    );
    const pods = deps.store.list("pods", ns).map((e) => structuredClone(e.stored.object));
    const decision = decideEviction(structuredClone(pod.object), pdbs, pods);
    if (!decision.allowed) {
      const causes = (decision.causes ?? []).map((c) => ({ reason: c.type, message: c.message }));
      if ((decision.code ?? 429) === 429) throw tooManyRequests(decision.message, undefined, causes);
      const err = withCode(decision.code!, decision.message);
      err.status.details = { causes };
      throw err;
    }
    await writes.delete(r, ns, name, del, { ...writeOptions(query, user), dryRun });
    return json(201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
  }

  return async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    let info: RequestInfo | undefined;
    let resourceLabel = "";
    let code = 500;
    try {
      const user = authenticate(req, path);
      const special = nonResource(path);
      if (special) {
        code = special.status;
        return special;
      }
      info = parseResourcePath(req.method, path, url.searchParams);
      if (!info) {
        if (path.startsWith("/openapi/")) {
          code = 404;
          return errorResponse(pathNotFound(path));
        }
        throw pathNotFound(path);
      }
      resourceLabel = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
      counters.record(info.verb, resourceLabel);
      if (!faults.empty) {
        const decision = faults.decide({
          verb: info.verb,
          resource: resourceLabel,
          group: info.group,
          namespace: info.namespace,
          name: info.name,
        });
        if (decision.latencyMs > 0) await deps.clock.sleep(decision.latencyMs);
        if (decision.error) throw decision.error;
      }
      const res = await serveResource(req, url, info, user);
      code = res.status;
      return res;
    } catch (e) {
      if (e instanceof StatusError) {
        code = e.code;
        return errorResponse(e);
      }
      if (e instanceof DOMException && e.name === "AbortError") {
        // An injected latency cut short by stop(): the server is going away, as kube-apiserver does on shutdown.
        code = 503;
        return errorResponse(withCode(503, "the server is shutting down"));
      }
      log.error("request failed", { method: req.method, path, error: e });
      code = 500;
      return json(
        500,
        statusBody(500, "InternalError", `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`),
      );
    } finally {
      if (info) requestsTotal.inc({ verb: info.verb, resource: resourceLabel, code: String(code) });
      if (log.enabled("debug")) log.debug("request", { method: req.method, path, verb: info?.verb, code });
    }
  };
}
