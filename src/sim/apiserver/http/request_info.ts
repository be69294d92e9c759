/**
 * Parses a resource URL the way kube-apiserver's RequestInfo does: `/api/v1/namespaces/ns/pods/name/status`,
 * `/apis/apps/v1/deployments`, the legacy `/watch/` prefix, and the namespace subresources `status`/`finalize`.
 */

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

/** The parts of a resource request URL. */
export interface RequestInfo {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  verb: Verb;
}

const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

/** Returns the request info, or undefined when the path is not a resource path (discovery, /version, ...). */
export function parseResourcePath(method: string, path: string, query: URLSearchParams): RequestInfo | undefined {
  const parts = path.split("/").filter((p) => p !== "").map(decodeURIComponent);
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === "api" && parts.length >= 3) {
    group = "";
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
  }
  if (rest.length === 0) return undefined;
  const resource = rest[0];
  const name = rest[1];
  const subresource = rest[2];
  if (rest.length > 3) return undefined;
  // `/api/v1/namespaces/foo` names the namespace `foo`; it is not a namespaced request.
  if (resource === "namespaces") namespace = undefined;

  const isWatch = watchPath || query.get("watch") === "true" || query.get("watch") === "1";
  let verb: Verb;
  switch (method) {
    case "GET":
    case "HEAD":
      verb = isWatch ? "watch" : name ? "get" : "list";
      break;
    case "POST":
      verb = "create";
      break;
    case "PUT":
      verb = "update";
      break;
    case "PATCH":
      verb = "patch";
      break;
    case "DELETE":
      verb = name ? "delete" : "deletecollection";
      break;
    default:
      return undefined;
  }
  return { group, version, namespace, resource, name, subresource, verb };
}
