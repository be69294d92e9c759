/** The reading verbs: get, list and watch (a watch answers with an open-ended stream of events). */
import { streamingResponse } from "../../../kernel/mod.ts";
import { methodNotAllowed } from "../../status_errors.ts";
import { json, JSON_HEADERS } from "../responses.ts";
import type { VerbRequest } from "../verb_request.ts";

/** GET of one object (or its status). */
export function getObject(r: VerbRequest): Response {
  return json(200, r.deps.reads.get(r.resource, r.namespace, r.name));
}

/** GET of a collection, with selectors and pagination. */
export function listObjects(r: VerbRequest): Response {
  if (r.status) throw methodNotAllowed();
  return json(200, r.deps.reads.list(r.resource, r.info.namespace, r.query));
}

/** A watch of a collection or one object. */
export function watchObjects(r: VerbRequest): Response {
  const watcher = r.deps.reads.watch(r.resource, r.info.namespace, r.query, r.info.name);
  return streamingResponse(watcher.stream, { status: 200, headers: { ...JSON_HEADERS, "cache-control": "no-cache" } });
}
