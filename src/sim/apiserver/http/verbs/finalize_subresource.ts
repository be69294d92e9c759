/** The namespace finalize subresource: the only writer of a Namespace's `spec.finalizers`. */
import { invalid, methodNotAllowed, notFound } from "../../status_errors.ts";
import { readBody, writeOptions } from "../request_body.ts";
import { json } from "../responses.ts";
import type { VerbRequest } from "../verb_request.ts";

/** PUT of `namespaces/<name>/finalize`. */
export async function finalizeNamespace(r: VerbRequest): Promise<Response> {
  const { name } = r;
  if (r.info.verb !== "update") throw methodNotAllowed();
  const body = await readBody(r.req) as { spec?: { finalizers?: unknown } } | undefined;
  const finalizers = body?.spec?.finalizers;
  if (finalizers !== undefined && (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== "string"))) {
    throw invalid({ kind: "Namespace", group: "", name }, [
      { type: "FieldValueInvalid", field: "spec.finalizers", message: "Invalid value: must be a list of strings" },
    ]);
  }
  const opts = writeOptions(r.query, r.user);
  // Apply the finalizers, then let the stored object decide (an emptied, terminating namespace goes away).
  const existing = r.deps.store.get("namespaces", "", name);
  if (!existing) throw notFound({ resource: "namespaces", group: "", name });
  if (!opts.dryRun) {
    r.deps.writes.updateNow("namespaces", "", name, (obj) => {
      (obj as { spec?: { finalizers?: string[] } }).spec = { finalizers: (finalizers ?? []) as string[] };
    });
  }
  const after = r.deps.store.get("namespaces", "", name);
  return json(200, after ? after.json : JSON.stringify(existing.object));
}
