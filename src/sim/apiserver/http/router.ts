/**
 * The HTTP face of the fake API server: authentication, health and version endpoints, discovery, and the REST
 * verbs of every served resource and subresource (status, scale, eviction, namespace finalize). Each resource
 * request is counted, may be delayed or failed by an injected fault, and is routed to the handler of its verb (or
 * subresource), which answers with JSON or a kube Status.
 */
import { statusBody } from "../../../k8s/api/errors.ts";
import { counter } from "../../../observability/metrics.ts";
import { hasSubresource, type ServedResource } from "../registry/served_resource.ts";
import { pathNotFound, StatusError, withCode } from "../status_errors.ts";
import type { UserInfo } from "../write_path.ts";
import { authenticate } from "./authentication.ts";
import { nonResourceAttributes, resourceAttributes } from "./authorization.ts";
import { PRIVILEGED_GROUP } from "../rbac/authorizer.ts";
import { serveNonResource } from "./non_resource.ts";
import { parseResourcePath, type RequestInfo, type Verb } from "./request_info.ts";
import { errorResponse, json } from "./responses.ts";
import type { HttpHandlerDeps, VerbHandler } from "./verb_request.ts";
import { deleteCollection, deleteObject } from "./verbs/delete.ts";
import { evictPod } from "./verbs/eviction_subresource.ts";
import { finalizeNamespace } from "./verbs/finalize_subresource.ts";
import { requestToken } from "./verbs/token_subresource.ts";
import { patchObject } from "./verbs/patch.ts";
import { getObject, listObjects, watchObjects } from "./verbs/read.ts";
import { serveScale } from "./verbs/scale_subresource.ts";
import { createObject, updateObject } from "./verbs/write.ts";

export type { HttpHandlerDeps } from "./verb_request.ts";

const requestsTotal = counter({
  name: "fake_apiserver_requests_total",
  help: "Requests served by the fake Kubernetes API server, by verb, resource and HTTP code.",
  labelNames: ["verb", "resource", "code"] as const,
});

/** The handler of each verb on an object, a collection or the status subresource. */
const VERB_HANDLERS: Record<Verb, VerbHandler> = {
  get: getObject,
  list: listObjects,
  watch: watchObjects,
  create: createObject,
  update: updateObject,
  patch: patchObject,
  delete: deleteObject,
  deletecollection: deleteCollection,
};

/** Subresources with a handler of their own (which checks the verb). */
const SUBRESOURCE_HANDLERS: Record<string, VerbHandler> = {
  eviction: evictPod,
  scale: serveScale,
  finalize: finalizeNamespace,
  token: requestToken,
};

/** Resolves the resource of a request, checking scope and subresource. */
function resolveResource(deps: HttpHandlerDeps, info: RequestInfo, path: string): ServedResource {
  const r = deps.registry.resolve(info.group, info.version, info.resource);
  if (!r) throw pathNotFound(path);
  if (info.namespace !== undefined && !r.type.namespaced) throw pathNotFound(path);
  if (info.subresource) {
    const ok = (info.resource === "namespaces" && info.subresource === "finalize") ||
        (info.resource === "serviceaccounts" && info.subresource === "token")
      ? true
      : hasSubresource(r, info.subresource as "status" | "scale" | "eviction");
    if (!ok) throw pathNotFound(path);
  }
  if (r.type.namespaced && info.name && info.namespace === undefined) throw pathNotFound(path);
  return r;
}

/** Routes a resource request to the handler of its subresource or verb. */
function serveResource(
  deps: HttpHandlerDeps,
  req: Request,
  url: URL,
  info: RequestInfo,
  user: UserInfo,
): Promise<Response> | Response {
  const sub = info.subresource;
  const handler = (sub && SUBRESOURCE_HANDLERS[sub]) || VERB_HANDLERS[info.verb];
  return handler({
    deps,
    req,
    info,
    resource: resolveResource(deps, info, url.pathname),
    namespace: info.namespace ?? "",
    name: info.name ?? "",
    query: url.searchParams,
    user,
    status: sub === "status" ? "status" : undefined,
  });
}

/** Counts the request and applies the injected faults that match it (latency, then an error). */
async function countAndInjectFaults(deps: HttpHandlerDeps, info: RequestInfo, resourceLabel: string): Promise<void> {
  deps.counters.record(info.verb, resourceLabel);
  if (deps.faults.empty) return;
  const decision = deps.faults.decide({
    verb: info.verb,
    resource: resourceLabel,
    group: info.group,
    namespace: info.namespace,
    name: info.name,
  });
  if (decision.latencyMs > 0) await deps.clock.sleep(decision.latencyMs);
  if (decision.error) throw decision.error;
}

/** The answer to a request that failed with an exception. */
function failureResponse(deps: HttpHandlerDeps, req: Request, path: string, e: unknown): Response {
  if (e instanceof StatusError) return errorResponse(e);
  if (e instanceof DOMException && e.name === "AbortError") {
    // An injected latency cut short by stop(): the server is going away, as kube-apiserver does on shutdown.
    return errorResponse(withCode(503, "the server is shutting down"));
  }
  deps.log.error("request failed", { method: req.method, path, error: e });
  return json(
    500,
    statusBody(500, "InternalError", `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`),
  );
}

/** Creates the request handler of the server's listener. */
export function createHttpHandler(deps: HttpHandlerDeps): (req: Request) => Promise<Response> {
  return async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    let info: RequestInfo | undefined;
    let resourceLabel = "";
    let res: Response | undefined;
    try {
      const user = authenticate(req, path, deps.token, deps.rbac && ((t) => deps.rbac!.userOf(t)));
      if (deps.rbac && deps.token !== undefined && !user.groups.includes(PRIVILEGED_GROUP)) {
        const parsed = parseResourcePath(req.method, path, url.searchParams);
        deps.rbac.check(
          parsed ? resourceAttributes(parsed, user, url.searchParams) : nonResourceAttributes(req.method, path, user),
        );
      }
      res = serveNonResource(path, deps.registry, deps.serverAddress);
      if (res) return res;
      info = parseResourcePath(req.method, path, url.searchParams);
      if (!info) {
        if (path.startsWith("/openapi/")) return res = errorResponse(pathNotFound(path));
        throw pathNotFound(path);
      }
      resourceLabel = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
      await countAndInjectFaults(deps, info, resourceLabel);
      return res = await serveResource(deps, req, url, info, user);
    } catch (e) {
      return res = failureResponse(deps, req, path, e);
    } finally {
      const code = res?.status ?? 500;
      if (info) requestsTotal.inc({ verb: info.verb, resource: resourceLabel, code: String(code) });
      if (deps.log.enabled("debug")) deps.log.debug("request", { method: req.method, path, verb: info?.verb, code });
    }
  };
}
