/** The scale subresource: GET, PUT and PATCH of an autoscaling/v1 Scale view of a scalable object. */
import { applyMergePatch } from "../../../../k8s/api/patch/merge_patch.ts";
import { applyPatch, parsePatchBody, type PatchKind, patchKindOf } from "../../patching.ts";
import { applyScale, type ScaleObject, toScale, validateScale } from "../../scale.ts";
import { invalid, methodNotAllowed } from "../../status_errors.ts";
import { readBody, writeOptions } from "../request_body.ts";
import { json } from "../responses.ts";
import type { VerbRequest } from "../verb_request.ts";

/** The submitted Scale: the PUT body, or the patch applied to the current Scale view. */
function submittedScale(view: ScaleObject, body: unknown, kind: PatchKind | undefined, name: string): ScaleObject {
  if (kind === undefined) return body as ScaleObject;
  if (kind === "apply" || kind === "merge" || kind === "strategic") return applyMergePatch(view, body) as ScaleObject;
  return applyPatch("json", view as unknown as Record<string, unknown>, body, {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    name,
    group: "autoscaling",
  }) as unknown as ScaleObject;
}

/** GET, PUT or PATCH of `<resource>/<name>/scale`. */
export async function serveScale(r: VerbRequest): Promise<Response> {
  const { resource, namespace: ns, name, info } = r;
  if (info.verb === "get") return json(200, toScale(resource, r.deps.reads.getObject(resource, ns, name)));
  if (info.verb !== "update" && info.verb !== "patch") throw methodNotAllowed();
  let body: unknown;
  let kind: PatchKind | undefined;
  if (info.verb === "update") body = await readBody(r.req);
  else {
    kind = patchKindOf(r.req.headers.get("content-type"), true);
    body = parsePatchBody(kind, await r.req.text());
  }
  const result = await r.deps.writes.update(resource, ns, name, (current) => {
    const submitted = submittedScale(toScale(resource, current), body, kind, name);
    const errors = validateScale(submitted);
    if (errors.length) throw invalid({ kind: "Scale", group: "autoscaling", name }, errors);
    return applyScale(resource, current, submitted);
  }, { ...writeOptions(r.query, r.user), viaScale: true });
  return json(200, toScale(resource, result.object));
}
