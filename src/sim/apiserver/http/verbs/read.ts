/** The reading verbs: get, list and watch (a watch answers with an open-ended stream of events). */
import { streamingResponse } from "../../../kernel/mod.ts";
import { methodNotAllowed } from "../../status_errors.ts";
import { json, JSON_HEADERS } from "../responses.ts";
import type { VerbRequest } from "../verb_request.ts";
import type { KubeObject } from "../../../../k8s/api/objects.ts";
import { tableVersionOf, toTable } from "../table.ts";

/** The body as a Table when the client asked for one (`kubectl get`), else as it is. */
function maybeTable(r: VerbRequest, body: string, list: boolean): string {
  const version = tableVersionOf(r.req.headers.get("accept"));
  if (!version) return body;
  const parsed = JSON.parse(body) as { metadata?: Record<string, unknown>; items?: KubeObject[] } & KubeObject;
  const objects = list ? parsed.items ?? [] : [parsed];
  const listMeta = list ? parsed.metadata : { resourceVersion: parsed.metadata?.resourceVersion };
  const table = toTable(r.resource, objects, {
    nowMs: r.deps.clock.now(),
    version,
    includeObject: r.query.get("includeObject"),
    listMeta,
  });
  return JSON.stringify(table);
}

/** GET of one object (or its status). */
export function getObject(r: VerbRequest): Response {
  return json(200, maybeTable(r, r.deps.reads.get(r.resource, r.namespace, r.name), false));
}

/** GET of a collection, with selectors and pagination. */
export function listObjects(r: VerbRequest): Response {
  if (r.status) throw methodNotAllowed();
  return json(200, maybeTable(r, r.deps.reads.list(r.resource, r.info.namespace, r.query), true));
}

/** A watch of a collection or one object. */
export function watchObjects(r: VerbRequest): Response {
  const watcher = r.deps.reads.watch(r.resource, r.info.namespace, r.query, r.info.name);
  return streamingResponse(watcher.stream, { status: 200, headers: { ...JSON_HEADERS, "cache-control": "no-cache" } });
}
