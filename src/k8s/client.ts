/**
 * CONTRACT STUB (implemented by the k8s-runtime work): a thin `fetch` client for any group/version/resource.
 * Errors are thrown as the typed errors of `errors.ts`.
 */
import type { ClusterConnection } from "./kubeconfig.ts";
import type { KubeList, KubeObject, WatchEvent } from "./objects.ts";
import type { ResourceType } from "./resources.ts";
import type { Status } from "./errors.ts";
import type { Logger } from "../observability/log.ts";

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
  /** Per-request timeout for non-watch requests. */
  timeoutMs?: number;
  log?: Logger;
}

/** autoscaling/v1 Scale. */
export interface Scale extends KubeObject {
  spec: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

/** Generic Kubernetes API access. */
export class KubeClient {
  constructor(readonly connection: ClusterConnection, readonly options: ClientOptions = {}) {}

  /** GET one object. */
  get<T extends KubeObject>(_res: ResourceType, _name: string, _opts?: NamespaceOption): Promise<T> {
    throw new Error("not implemented yet: src/k8s/client.ts");
  }
  /** GET one page of a list. */
  list<T extends KubeObject>(_res: ResourceType, _opts?: ListOptions): Promise<KubeList<T>> {
    throw new Error("not implemented yet");
  }
  /** GET every page of a list (follows `continue`). */
  listAll<T extends KubeObject>(_res: ResourceType, _opts?: Omit<ListOptions, "continue">): Promise<KubeList<T>> {
    throw new Error("not implemented yet");
  }
  /** Streams watch events until the server closes or the signal aborts; a 410 throws GoneError. */
  watch<T extends KubeObject>(_res: ResourceType, _opts?: WatchOptions): AsyncIterable<WatchEvent<T>> {
    throw new Error("not implemented yet");
  }
  create<T extends KubeObject>(_res: ResourceType, _obj: T, _opts?: WriteOptions): Promise<T> {
    throw new Error("not implemented yet");
  }
  /** PUT with the object's resourceVersion (409 ConflictError when stale). */
  update<T extends KubeObject>(_res: ResourceType, _obj: T, _opts?: WriteOptions): Promise<T> {
    throw new Error("not implemented yet");
  }
  /** PUT to the status subresource. */
  updateStatus<T extends KubeObject>(_res: ResourceType, _obj: T, _opts?: WriteOptions): Promise<T> {
    throw new Error("not implemented yet");
  }
  patch<T extends KubeObject>(
    _res: ResourceType,
    _name: string,
    _patch: unknown,
    _type: PatchType,
    _opts?: PatchOptions,
  ): Promise<T> {
    throw new Error("not implemented yet");
  }
  /** DELETE; returns the object (finalizers pending) or a Success status. */
  delete(_res: ResourceType, _name: string, _opts?: DeleteOptions): Promise<KubeObject | Status> {
    throw new Error("not implemented yet");
  }
  getScale(_res: ResourceType, _name: string, _opts?: NamespaceOption): Promise<Scale> {
    throw new Error("not implemented yet");
  }
  updateScale(_res: ResourceType, _name: string, _replicas: number, _opts?: WriteOptions): Promise<Scale> {
    throw new Error("not implemented yet");
  }
  /** POST pods/eviction (policy/v1); 429 TooManyRequestsError when a PodDisruptionBudget forbids it. */
  evict(
    _namespace: string,
    _podName: string,
    _opts?: { deleteOptions?: DeleteOptions; signal?: AbortSignal },
  ): Promise<void> {
    throw new Error("not implemented yet");
  }
  /** Raw JSON request (discovery, /version, /healthz). */
  requestJson<T>(_method: string, _path: string, _body?: unknown, _signal?: AbortSignal): Promise<T> {
    throw new Error("not implemented yet");
  }
}
