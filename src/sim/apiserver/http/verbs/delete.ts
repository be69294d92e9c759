/** The deleting verbs: delete of one object and deletecollection. */
import type { KubeObject } from "../../../../k8s/api/objects.ts";
import { type ServedResource, storageKey } from "../../registry/served_resource.ts";
import { methodNotAllowed, StatusError } from "../../status_errors.ts";
import type { WriteResult } from "../../write_path.ts";
import { deleteRequest, readBody, writeOptions } from "../request_body.ts";
import { json, SUCCESS, writeResponse } from "../responses.ts";
import type { VerbRequest } from "../verb_request.ts";

/** DELETE of one object. */
export async function deleteObject(r: VerbRequest): Promise<Response> {
  if (r.status) throw methodNotAllowed();
  const { req: del, dryRun } = deleteRequest(await readBody(r.req), r.query);
  const result = await r.deps.writes.delete(r.resource, r.namespace, r.name, del, {
    ...writeOptions(r.query, r.user),
    dryRun,
  });
  return deleteResponse(r.resource, result);
}

/** DELETE of a collection: every listed object (selectors apply), tolerating those already gone. */
export async function deleteCollection(r: VerbRequest): Promise<Response> {
  if (r.status) throw methodNotAllowed();
  const { req: del, dryRun } = deleteRequest(await readBody(r.req), r.query);
  const list = JSON.parse(r.deps.reads.list(r.resource, r.info.namespace, r.query)) as { items: KubeObject[] };
  for (const item of list.items) {
    try {
      await r.deps.writes.delete(r.resource, item.metadata.namespace ?? "", item.metadata.name ?? "", del, {
        ...writeOptions(r.query, r.user),
        dryRun,
      });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }
  return json(200, SUCCESS);
}

function deleteResponse(r: ServedResource, result: WriteResult): Response {
  // Objects still present (finalizers) come back as they are now; pods and custom resources return the deleted
  // object as kube-apiserver does; other built-ins answer with a Success Status.
  if (!result.deleted || r.custom || storageKey(r.type) === "pods") return writeResponse(result);
  return json(200, {
    ...SUCCESS,
    details: {
      name: result.object.metadata.name,
      ...(r.type.group ? { group: r.type.group } : {}),
      kind: r.type.resource,
      uid: result.object.metadata.uid,
    },
  });
}
