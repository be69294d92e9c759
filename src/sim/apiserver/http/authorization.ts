/** The authorization attributes of a request, derived as kube-apiserver's RequestInfo does. */
import type { Attributes } from "../rbac/authorizer.ts";
import type { UserInfo } from "../write_path.ts";
import type { RequestInfo } from "./request_info.ts";

/** The name a list or watch selects with `fieldSelector=metadata.name=<name>` (kube authorizes it as that name). */
function selectedName(query: URLSearchParams): string {
  const selector = query.get("fieldSelector") ?? "";
  for (const term of selector.split(",")) {
    const m = /^metadata\.name(==?)(.+)$/.exec(term.trim());
    if (m) return m[2];
  }
  return "";
}

/** Attributes of a resource request. */
export function resourceAttributes(info: RequestInfo, user: UserInfo, query: URLSearchParams): Attributes {
  let name = info.name ?? "";
  if (!name && (info.verb === "list" || info.verb === "watch")) name = selectedName(query);
  // `/api/v1/namespaces/foo` is a request in the namespace foo.
  const namespace = info.namespace ?? (info.resource === "namespaces" ? name : "");
  return {
    user,
    verb: info.verb,
    resourceRequest: true,
    group: info.group,
    resource: info.resource,
    subresource: info.subresource ?? "",
    namespace,
    name,
    path: "",
  };
}

/** Attributes of a non-resource request (discovery, health, version). */
export function nonResourceAttributes(method: string, path: string, user: UserInfo): Attributes {
  const verb = method === "HEAD" ? "get" : method.toLowerCase();
  return {
    user,
    verb,
    resourceRequest: false,
    group: "",
    resource: "",
    subresource: "",
    namespace: "",
    name: "",
    path,
  };
}
