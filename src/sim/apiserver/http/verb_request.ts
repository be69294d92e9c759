/** What every verb handler of the fake API server gets: the server's parts and one resolved resource request. */
import type { Logger } from "../../../observability/log.ts";
import type { Clock } from "../../../runtime/clock.ts";
import type { Counters } from "../counters.ts";
import type { Faults } from "../faults.ts";
import type { ReadPath } from "../read_path.ts";
import type { ResourceRegistry } from "../registry/resource_registry.ts";
import type { ServedResource } from "../registry/served_resource.ts";
import type { ObjectStore } from "../storage/object_store.ts";
import type { UserInfo, WritePath } from "../write_path.ts";
import type { RequestInfo } from "./request_info.ts";
import type { RbacGate } from "../rbac/gate.ts";

/** Everything the HTTP handler needs. */
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
  /** ServiceAccount tokens and RBAC authorization of every user outside `system:masters` (over HTTPS). */
  rbac?: RbacGate;
}

/** One request for a served resource, resolved and authenticated. */
export interface VerbRequest {
  deps: HttpHandlerDeps;
  req: Request;
  info: RequestInfo;
  resource: ServedResource;
  /** The namespace ("" for cluster-scoped requests and all-namespace lists). */
  namespace: string;
  /** The object's name ("" for collections). */
  name: string;
  query: URLSearchParams;
  user: UserInfo;
  /** Set on requests for the status subresource. */
  status?: "status";
}

/** Serves one verb (or subresource) of a resource request. */
export type VerbHandler = (r: VerbRequest) => Promise<Response> | Response;
