/**
 * The project's fake API server (`src/sim/apiserver`) behind a small recording front, for the unit tests of
 * src/k8s: the front logs every request the client under test sends, requires a bearer token when asked (the
 * server accepts anyone over plain HTTP), counts open watch streams, and can answer like a kube-apiserver the fake
 * does not imitate (410 Gone as an HTTP status, built-in list items without apiVersion/kind). Everything else is
 * forwarded. Tests arrange and inspect objects through `admin`, a client that bypasses the front (not logged).
 */
import { KubeClient } from "../../../src/k8s/client/client.ts";
import type { ClusterConnection } from "../../../src/k8s/client/kubeconfig.ts";
import { AlreadyExistsError, NotFoundError, statusBody } from "../../../src/k8s/api/errors.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { CoreV1, type ResourceType } from "../../../src/k8s/api/resources.ts";
import type { Clock } from "../../../src/runtime/clock.ts";
import { type FaultInjector, startApiServer } from "../../../src/sim/apiserver/mod.ts";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body?: unknown;
}

export interface RecordedApiServerOptions {
  /** Requests without `Authorization: Bearer <token>` get 401. */
  token?: string;
  /** Answer a watch that starts with a 410 ERROR event with HTTP 410 instead (kube-apiserver does both). */
  goneAsHttpStatus?: boolean;
  /** Strip apiVersion/kind from the items of core-group lists, as kube-apiserver serves lists of built-in types. */
  listItemsWithoutTypeMeta?: boolean;
  bookmarkIntervalMs?: number;
  /** The server's clock (injected latency, bookmarks). */
  clock?: Clock;
  /** CustomResourceDefinitions installed at start. */
  crds?: KubeObject[];
}

/** Namespaces the tests use, created at start so that resourceVersions of the tests' own writes are consecutive. */
const NAMESPACES = ["default", "ns", "ns1", "ns2", "other", "other-ns"];

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** Writes and reads of the test's arrangement, through the server's API but outside the request log. */
export class Admin {
  constructor(private readonly client: KubeClient) {}

  /**
   * Creates the object or replaces the stored one (unconditionally); returns what the server stored. The server
   * records managedFields only for writes that name a field manager.
   */
  async put(type: ResourceType, obj: KubeObject, opts: { fieldManager?: string } = {}): Promise<KubeObject> {
    try {
      return await this.client.create(type, obj, opts);
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
    }
    const current = await this.client.get(type, obj.metadata.name!, { namespace: obj.metadata.namespace });
    const rv = current.metadata.resourceVersion;
    return await this.client.update(type, { ...obj, metadata: { ...obj.metadata, resourceVersion: rv } }, opts);
  }

  /** Replaces the status of a stored object (status subresource). */
  async putStatus(type: ResourceType, obj: KubeObject & { status?: unknown }): Promise<KubeObject> {
    const current = await this.client.get(type, obj.metadata.name!, { namespace: obj.metadata.namespace });
    return await this.client.updateStatus(type, { ...current, status: obj.status });
  }

  /**
   * Deletes an object; returns its last state stamped with the deletion's resourceVersion (the server's current
   * one right after the delete: nothing else writes in these tests), or undefined if it did not exist.
   */
  async remove(type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const last = await this.get(type, namespace, name);
    if (!last) return undefined;
    await this.client.delete(type, name, { namespace });
    const resourceVersion = String(await this.currentResourceVersion());
    return { ...last, metadata: { ...last.metadata, resourceVersion } };
  }

  async get(type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(type, name, { namespace });
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  async list(type: ResourceType, namespace?: string): Promise<KubeObject[]> {
    return (await this.client.list(type, { namespace })).items;
  }

  /** The server's latest resourceVersion (a list's resourceVersion is the current one). */
  async currentResourceVersion(): Promise<number> {
    return Number((await this.client.list(CoreV1.namespaces, { limit: 1 })).metadata.resourceVersion);
  }
}

/** Starts the fake API server (plain HTTP) and the recording front before it, both on 127.0.0.1. */
export async function startRecordedApiServer(opts: RecordedApiServerOptions = {}) {
  const server = await startApiServer({
    tls: false,
    namespaces: NAMESPACES,
    bookmarkIntervalMs: opts.bookmarkIntervalMs,
    clock: opts.clock,
  });
  if (opts.crds) await server.installCrds(opts.crds);
  const admin = new KubeClient(server.connection());
  const requests: RecordedRequest[] = [];
  let openWatches = 0;

  /** The upstream watch stream (`first` already read from it), counted while open. */
  const countedWatch = (reader: ReadableStreamDefaultReader<Uint8Array>, first?: Uint8Array) => {
    openWatches++;
    let open = true;
    const done = () => open && (open = false, openWatches--);
    return new ReadableStream<Uint8Array>({
      start: (c) => first && c.enqueue(first),
      async pull(c) {
        const { done: end, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (end) {
          done();
          c.close();
        } else c.enqueue(value);
      },
      cancel(reason) {
        done();
        return reader.cancel(reason);
      },
    });
  };

  const forward = async (req: Request, url: URL, text: string): Promise<Response> => {
    const headers = new Headers(req.headers);
    headers.delete("host");
    headers.delete("content-length");
    const upstream = await fetch(`${server.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: text || undefined,
    });
    const answer = (body: BodyInit) => {
      const h = new Headers(upstream.headers);
      h.delete("content-length");
      return new Response(body, { status: upstream.status, headers: h });
    };
    if (url.searchParams.get("watch") === "true" && upstream.ok && upstream.body) {
      const reader = upstream.body.getReader();
      let first: Uint8Array | undefined;
      if (opts.goneAsHttpStatus) {
        // The fake answers 200 and one ERROR event; this front answers the 410 itself.
        first = (await reader.read()).value;
        const line = first ? JSON.parse(new TextDecoder().decode(first).split("\n")[0]) : undefined;
        if (line?.type === "ERROR" && line.object?.code === 410) {
          await reader.cancel();
          return json(410, line.object);
        }
      }
      return answer(countedWatch(reader, first));
    }
    const reply = await upstream.text();
    if (opts.listItemsWithoutTypeMeta && req.method === "GET" && upstream.ok && url.pathname.startsWith("/api/")) {
      const list = JSON.parse(reply) as { items?: Array<Record<string, unknown>> };
      if (Array.isArray(list.items)) {
        list.items = list.items.map(({ apiVersion: _, kind: __, ...rest }) => rest);
        return answer(JSON.stringify(list));
      }
    }
    return answer(reply);
  };

  const front = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
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
    // After stop() the server is gone before the front: late requests get 503 instead of an error log.
    return await forward(req, url, text).catch(() => json(503, statusBody(503, "ServiceUnavailable", "stopped")));
  });
  const url = `http://127.0.0.1:${front.addr.port}`;

  return {
    url,
    requests,
    admin: new Admin(admin),
    /** The fake server's fault rules, drops and compaction. */
    faults: server.faults as FaultInjector,
    /** Watch streams the front is relaying. */
    openWatches: () => openWatches,
    connection(): ClusterConnection {
      const token = opts.token;
      return { server: url, token: token ? () => Promise.resolve(token) : undefined };
    },
    /** A non-resource document as the server itself serves it (not logged). */
    async serverJson(path: string): Promise<unknown> {
      return await (await fetch(`${server.url}${path}`)).json();
    },
    async stop(): Promise<void> {
      admin.close();
      await server.stop();
      await front.shutdown();
    },
  };
}

export type RecordedApiServer = Awaited<ReturnType<typeof startRecordedApiServer>>;
