/**
 * A small, generic in-memory Kubernetes API server for the unit tests of src/k8s: enough of list/watch/create/
 * update/patch/delete semantics (resourceVersions, conflicts, watch history with 410, bookmarks, dropped watches)
 * to exercise the client and informers, and a request log to assert what went over the wire. The acceptance tests
 * run against the project's fake API server (`src/sim/apiserver`) instead.
 */
import type { ClusterConnection } from "../../../src/k8s/client/kubeconfig.ts";
import { statusBody } from "../../../src/k8s/api/errors.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body?: unknown;
}

interface Change {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  collection: string;
  namespace?: string;
  object: KubeObject;
}

interface Route {
  /** `/api/v1/configmaps` style collection id (namespace stripped). */
  collection: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface FailRule {
  method?: string;
  /** Substring of the path. */
  path?: string;
  /** Substring of the query string. */
  query?: string;
  status: number;
  times?: number;
  retryAfterSeconds?: number;
  /** Only requests with `watch=true` (or only without, when false). */
  watch?: boolean;
}

export interface MiniApiServerOptions {
  token?: string;
  bookmarkIntervalMs?: number;
  /** Answer a too-old watch resourceVersion with HTTP 410 instead of a 200 + ERROR event. */
  goneAsHttpStatus?: boolean;
}

function parseRoute(pathname: string): Route | undefined {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  let i: number;
  let gv: string;
  if (parts[0] === "api" && parts.length >= 2) {
    gv = `/api/${parts[1]}`;
    i = 2;
  } else if (parts[0] === "apis" && parts.length >= 3) {
    gv = `/apis/${parts[1]}/${parts[2]}`;
    i = 3;
  } else return undefined;
  let namespace: string | undefined;
  if (parts[i] === "namespaces" && parts.length >= i + 3) {
    namespace = parts[i + 1];
    i += 2;
  }
  const resource = parts[i];
  if (!resource) return undefined;
  return { collection: `${gv}/${resource}`, namespace, name: parts[i + 1], subresource: parts[i + 2] };
}

function matchesLabels(obj: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return selector.split(",").every((term) => {
    const t = term.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([^!=]+)!=(.*)$/.exec(t))) return labels[m[1]] !== m[2];
    if ((m = /^([^=]+)==?(.*)$/.exec(t))) return labels[m[1]] === m[2];
    if (t.startsWith("!")) return !(t.slice(1) in labels);
    return t in labels;
  });
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === "object" && target !== null && !Array.isArray(target)
    ? { ...(target as Record<string, unknown>) }
    : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** Starts the server on 127.0.0.1 and a free port (plain HTTP). */
export function startMiniApiServer(opts: MiniApiServerOptions = {}) {
  let rv = 100;
  let oldestRetained = 0; // changes with rv <= this are forgotten
  const objects = new Map<string, Map<string, KubeObject>>(); // collection|ns → name → object
  const history: Change[] = [];
  const watchers = new Set<{ send: (line: string) => void; close: () => void; route: Route }>();
  const requests: RecordedRequest[] = [];
  const failRules: FailRule[] = [];
  const bookmarkMs = opts.bookmarkIntervalMs ?? 200;

  const bucket = (collection: string, ns?: string) => {
    const key = `${collection}|${ns ?? ""}`;
    let m = objects.get(key);
    if (!m) objects.set(key, m = new Map());
    return m;
  };
  const allIn = (route: Route): KubeObject[] => {
    const out: KubeObject[] = [];
    for (const [key, m] of objects) {
      const [collection, ns] = key.split("|");
      if (collection !== route.collection) continue;
      if (route.namespace !== undefined && ns !== route.namespace) continue;
      out.push(...m.values());
    }
    return out.sort((a, b) => objectSortKey(a).localeCompare(objectSortKey(b)));
  };
  const objectSortKey = (o: KubeObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

  const record = (type: Change["type"], collection: string, object: KubeObject) => {
    const change: Change = {
      rv: Number(object.metadata.resourceVersion),
      type,
      collection,
      namespace: object.metadata.namespace,
      object,
    };
    history.push(change);
    for (const w of watchers) {
      if (w.route.collection !== collection) continue;
      if (w.route.namespace !== undefined && w.route.namespace !== change.namespace) continue;
      w.send(JSON.stringify({ type, object }));
    }
  };

  const store = {
    /** Creates or replaces an object directly (bumps the resourceVersion, emits a watch event). */
    put(collection: string, obj: KubeObject): KubeObject {
      const m = bucket(collection, obj.metadata.namespace);
      const existing = m.get(obj.metadata.name!);
      const next: KubeObject = structuredClone(obj);
      const meta = next.metadata as Record<string, unknown>;
      meta.resourceVersion = String(++rv);
      meta.uid ??= existing?.metadata.uid ?? crypto.randomUUID();
      meta.creationTimestamp ??= existing?.metadata.creationTimestamp ?? new Date().toISOString();
      m.set(obj.metadata.name!, next);
      record(existing ? "MODIFIED" : "ADDED", collection, next);
      return next;
    },
    remove(collection: string, namespace: string | undefined, name: string): KubeObject | undefined {
      const m = bucket(collection, namespace);
      const existing = m.get(name);
      if (!existing) return undefined;
      m.delete(name);
      const gone = structuredClone(existing);
      (gone.metadata as Record<string, unknown>).resourceVersion = String(++rv);
      record("DELETED", collection, gone);
      return gone;
    },
    get(collection: string, namespace: string | undefined, name: string): KubeObject | undefined {
      return objects.get(`${collection}|${namespace ?? ""}`)?.get(name);
    },
    list(collection: string, namespace?: string): KubeObject[] {
      return allIn({ collection, namespace });
    },
  };

  const failure = (req: Request, url: URL): Response | undefined => {
    for (const rule of failRules) {
      if (rule.times !== undefined && rule.times <= 0) continue;
      if (rule.method && rule.method !== req.method) continue;
      if (rule.path && !url.pathname.includes(rule.path)) continue;
      if (rule.query && !url.search.includes(rule.query)) continue;
      if (rule.watch !== undefined && (url.searchParams.get("watch") === "true") !== rule.watch) continue;
      if (rule.times !== undefined) rule.times--;
      const headers: Record<string, string> = rule.retryAfterSeconds !== undefined
        ? { "Retry-After": String(rule.retryAfterSeconds) }
        : {};
      return json(rule.status, statusBody(rule.status, "Injected", `injected ${rule.status}`), headers);
    }
    return undefined;
  };

  const watch = (route: Route, url: URL): Response => {
    const fromParam = url.searchParams.get("resourceVersion");
    const bookmarks = url.searchParams.get("allowWatchBookmarks") === "true";
    const from = fromParam ? Number(fromParam) : rv;
    if (from < oldestRetained) {
      const status = statusBody(410, "Expired", `too old resource version: ${from} (${oldestRetained})`);
      if (opts.goneAsHttpStatus) return json(410, status);
      return new Response(JSON.stringify({ type: "ERROR", object: status }) + "\n", { status: 200 });
    }
    const enc = new TextEncoder();
    let watcher: { send: (line: string) => void; close: () => void; route: Route };
    let timer: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        let closed = false;
        watcher = {
          route,
          send: (line) => !closed && controller.enqueue(enc.encode(line + "\n")),
          close: () => {
            if (closed) return;
            closed = true;
            clearInterval(timer);
            watchers.delete(watcher);
            controller.close();
          },
        };
        for (const c of history) {
          if (c.rv <= from || c.collection !== route.collection) continue;
          if (route.namespace !== undefined && c.namespace !== route.namespace) continue;
          watcher.send(JSON.stringify({ type: c.type, object: c.object }));
        }
        watchers.add(watcher);
        if (bookmarks) {
          timer = setInterval(() => {
            watcher.send(JSON.stringify({
              type: "BOOKMARK",
              object: { kind: "Bookmark", apiVersion: "v1", metadata: { resourceVersion: String(rv) } },
            }));
          }, bookmarkMs);
        }
      },
      cancel() {
        clearInterval(timer);
        watchers.delete(watcher);
      },
    });
    return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
  };

  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const text = req.method === "GET" ? "" : await req.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    requests.push({ method: req.method, path: url.pathname, query: url.searchParams, headers: req.headers, body });
    if (opts.token && req.headers.get("authorization") !== `Bearer ${opts.token}`) {
      return json(401, statusBody(401, "Unauthorized", "Unauthorized"));
    }
    const injected = failure(req, url);
    if (injected) return injected;
    if (url.pathname === "/version") return json(200, { major: "1", minor: "30", gitVersion: "v1.30.0-mini" });
    const route = parseRoute(url.pathname);
    if (!route) return json(404, statusBody(404, "NotFound", `no route ${url.pathname}`));
    const { collection, namespace, name, subresource } = route;

    if (req.method === "GET" && !name) {
      if (url.searchParams.get("watch") === "true") return watch(route, url);
      let items = allIn(route).filter((o) => matchesLabels(o, url.searchParams.get("labelSelector")));
      const limit = Number(url.searchParams.get("limit") ?? 0);
      const cont = url.searchParams.get("continue");
      let offset = 0;
      let listRv = rv;
      if (cont) {
        const [o, r] = cont.split(":").map(Number);
        if (r < oldestRetained) return json(410, statusBody(410, "Expired", "continue token expired"));
        offset = o;
        listRv = r;
      }
      items = items.slice(offset);
      let next: string | undefined;
      if (limit > 0 && items.length > limit) {
        items = items.slice(0, limit);
        next = `${offset + limit}:${listRv}`;
      }
      return json(200, {
        kind: "List",
        apiVersion: "v1",
        metadata: { resourceVersion: String(listRv), continue: next },
        items,
      });
    }
    const existing = name ? store.get(collection, namespace, name) : undefined;
    const notFound = () => json(404, statusBody(404, "NotFound", `"${name}" not found`, { name }));
    switch (req.method) {
      case "GET":
        if (!existing) return notFound();
        if (subresource === "scale") {
          const replicas = (existing as { spec?: { replicas?: number } }).spec?.replicas ?? 1;
          return json(200, {
            kind: "Scale",
            apiVersion: "autoscaling/v1",
            metadata: { name, namespace, resourceVersion: existing.metadata.resourceVersion },
            spec: { replicas },
            status: { replicas },
          });
        }
        return json(200, existing);
      case "POST": {
        if (subresource === "eviction") {
          if (!existing) return notFound();
          store.remove(collection, namespace, name!);
          return json(201, { kind: "Status", apiVersion: "v1", status: "Success", metadata: {} });
        }
        const obj = body as KubeObject;
        const objName = obj.metadata?.name;
        if (!objName) return json(422, statusBody(422, "Invalid", "metadata.name: Required value"));
        if (store.get(collection, namespace, objName)) {
          return json(409, statusBody(409, "AlreadyExists", `"${objName}" already exists`, { name: objName }));
        }
        if (url.searchParams.get("dryRun") === "All") return json(201, obj);
        return json(201, store.put(collection, { ...obj, metadata: { ...obj.metadata, namespace } }));
      }
      case "PUT": {
        if (!existing) return notFound();
        const obj = body as KubeObject;
        if (obj.metadata?.resourceVersion && obj.metadata.resourceVersion !== existing.metadata.resourceVersion) {
          return json(
            409,
            statusBody(409, "Conflict", `Operation cannot be fulfilled on "${name}": the object has been modified`),
          );
        }
        const next = subresource === "status"
          ? { ...existing, status: (obj as { status?: unknown }).status } as KubeObject
          : { ...obj, metadata: { ...obj.metadata, uid: existing.metadata.uid } };
        return json(200, store.put(collection, next));
      }
      case "PATCH": {
        if (!existing) return notFound();
        const ct = req.headers.get("content-type") ?? "";
        if (subresource === "scale") {
          const replicas = (body as { spec?: { replicas?: number } }).spec?.replicas;
          const next = mergePatch(existing, { spec: { replicas } }) as KubeObject;
          const saved = store.put(collection, next);
          return json(200, {
            kind: "Scale",
            apiVersion: "autoscaling/v1",
            metadata: { name, namespace, resourceVersion: saved.metadata.resourceVersion },
            spec: { replicas },
          });
        }
        if (ct === "application/json-patch+json") {
          return json(200, existing); // content type is what the tests check
        }
        const next = mergePatch(existing, body) as KubeObject;
        return json(200, store.put(collection, next));
      }
      case "DELETE": {
        if (!existing) return notFound();
        const pre = (body as { preconditions?: { resourceVersion?: string; uid?: string } } | undefined)?.preconditions;
        if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) {
          return json(409, statusBody(409, "Conflict", "precondition failed: resourceVersion"));
        }
        if (pre?.uid && pre.uid !== existing.metadata.uid) {
          return json(409, statusBody(409, "Conflict", "precondition failed: uid"));
        }
        if (existing.metadata.finalizers?.length) {
          const next = { ...existing, metadata: { ...existing.metadata, deletionTimestamp: new Date().toISOString() } };
          return json(200, store.put(collection, next));
        }
        store.remove(collection, namespace, name!);
        return json(200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name } });
      }
    }
    return json(405, statusBody(405, "MethodNotAllowed", req.method));
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  const url = `http://127.0.0.1:${server.addr.port}`;
  return {
    url,
    requests,
    store,
    connection(): ClusterConnection {
      const token = opts.token;
      return { server: url, token: token ? () => Promise.resolve(token) : undefined };
    },
    faults: {
      fail(rule: FailRule): void {
        failRules.push(rule);
      },
      clear(): void {
        failRules.length = 0;
      },
      /** Ends every open watch stream normally. */
      dropWatches(): void {
        for (const w of [...watchers]) w.close();
      },
      /** Forgets the watch history: resuming from any older resourceVersion gets 410. */
      compact(): void {
        oldestRetained = rv;
        history.length = 0;
      },
    },
    openWatches: () => watchers.size,
    currentResourceVersion: () => rv,
    async stop(): Promise<void> {
      for (const w of [...watchers]) w.close();
      await server.shutdown();
    },
  };
}

export type MiniApiServer = ReturnType<typeof startMiniApiServer>;
