/** The paths that name no resource: health checks, `/version` and the discovery documents. */
import type { ResourceRegistry } from "../registry/resource_registry.ts";
import { pathNotFound } from "../status_errors.ts";
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from "./discovery.ts";
import { errorResponse, json } from "./responses.ts";

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

const ok = () => new Response("ok", { headers: { "content-type": "text/plain; charset=utf-8" } });

/** The answer to a non-resource path, or undefined when the path names a resource. */
export function serveNonResource(path: string, registry: ResourceRegistry, serverAddress: () => string) {
  switch (path) {
    case "/healthz":
    case "/livez":
    case "/readyz":
      return ok();
    case "/version":
      return json(200, VERSION_INFO);
    case "/api":
      return json(200, apiVersions(serverAddress()));
    case "/apis":
      return json(200, apiGroupList(registry));
    case "/api/v1":
      return json(200, apiResourceList(registry, "", "v1"));
  }
  if (path.startsWith("/healthz/") || path.startsWith("/livez/") || path.startsWith("/readyz/")) return ok();
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
