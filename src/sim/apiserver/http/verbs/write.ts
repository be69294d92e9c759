/** The writing verbs that take a whole object: create (POST to a collection) and update (PUT of an object). */
import { methodNotAllowed } from "../../status_errors.ts";
import { readBody, writeOptions } from "../request_body.ts";
import { writeResponse } from "../responses.ts";
import type { VerbRequest } from "../verb_request.ts";

/** POST of a new object to its collection. */
export async function createObject(r: VerbRequest): Promise<Response> {
  if (r.info.name || r.status) throw methodNotAllowed();
  const body = await readBody(r.req);
  return writeResponse(await r.deps.writes.create(r.resource, r.info.namespace, body, writeOptions(r.query, r.user)));
}

/** PUT of an object (or of its status). */
export async function updateObject(r: VerbRequest): Promise<Response> {
  const body = await readBody(r.req);
  const opts = writeOptions(r.query, r.user, r.status);
  return writeResponse(await r.deps.writes.update(r.resource, r.namespace, r.name, () => body, opts));
}
