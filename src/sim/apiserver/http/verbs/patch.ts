/**
 * PATCH of an object (or its status): JSON patch, merge patch, strategic merge patch for built-in types, and
 * server-side apply, which creates the object when it does not exist.
 */
import type { KubeObject } from "../../../../k8s/api/objects.ts";
import { apiVersionOf } from "../../../../k8s/api/resources.ts";
import { applyMergePatch } from "../../../../k8s/api/patch/merge_patch.ts";
import { applyStrategicMergePatch } from "../../../../k8s/api/patch/strategic_merge_patch.ts";
import { applyPatch, parsePatchBody, type PatchKind, patchKindOf } from "../../patching.ts";
import { storageKey } from "../../registry/served_resource.ts";
import { badRequest, notFound } from "../../status_errors.ts";
import type { WriteOptions } from "../../write_path.ts";
import { writeOptions } from "../request_body.ts";
import { writeResponse } from "../responses.ts";
import type { VerbRequest } from "../verb_request.ts";

/** PATCH of an object or its status, by the patch type its content type names. */
export async function patchObject(r: VerbRequest): Promise<Response> {
  const kind: PatchKind = patchKindOf(r.req.headers.get("content-type"), !r.resource.custom);
  const body = parsePatchBody(kind, await r.req.text());
  if (kind === "apply") return await applyObject(r, body);
  const typeInfo = typeInfoOf(r);
  const compute = (current: KubeObject) =>
    applyPatch(kind, current as unknown as Record<string, unknown>, body, typeInfo);
  const opts = writeOptions(r.query, r.user, r.status);
  return writeResponse(await r.deps.writes.update(r.resource, r.namespace, r.name, compute, opts));
}

function typeInfoOf(r: VerbRequest) {
  const { type } = r.resource;
  return { apiVersion: apiVersionOf(type), kind: type.kind, name: r.name, group: type.group };
}

/** Checks an apply configuration against the request: a field manager, apiVersion and kind, the URL's name. */
function validApplyConfiguration(r: VerbRequest, body: unknown): { manager: string; applied: KubeObject } {
  const manager = r.query.get("fieldManager");
  if (!manager) {
    throw badRequest(
      "PATCH /apply requests require a fieldManager parameter (fieldManager is required for apply requests)",
    );
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest("apply configuration must be an object");
  }
  const applied = body as KubeObject;
  if (!applied.apiVersion || !applied.kind) throw badRequest("apply configuration must set apiVersion and kind");
  if (applied.metadata?.name && applied.metadata.name !== r.name) {
    throw badRequest(
      `the name of the object (${applied.metadata.name}) does not match the name on the URL (${r.name})`,
    );
  }
  return { manager, applied };
}

/** Server-side apply: creates the object if it is absent, else merges the configuration into it. */
async function applyObject(r: VerbRequest, body: unknown): Promise<Response> {
  const { manager, applied } = validApplyConfiguration(r, body);
  const { resource, namespace: ns, name } = r;
  const applyOpts: WriteOptions = { ...writeOptions(r.query, r.user, r.status), applyManager: manager };
  if (!r.deps.store.get(storageKey(resource.type), ns, name)) {
    if (r.status) throw notFound({ resource: resource.type.resource, group: resource.type.group, name });
    const created = await r.deps.writes.create(resource, resource.type.namespaced ? ns : undefined, {
      ...applied,
      metadata: { ...applied.metadata, name },
    }, applyOpts);
    return writeResponse(created);
  }
  const typeInfo = typeInfoOf(r);
  const merge = (current: KubeObject) => {
    const cfg = { ...applied, metadata: { ...(applied.metadata ?? {}) } };
    delete cfg.metadata.managedFields;
    return resource.custom
      ? applyMergePatch(current, cfg)
      : applyStrategicMergePatch(current, cfg, { apiVersion: typeInfo.apiVersion, kind: typeInfo.kind });
  };
  return writeResponse(await r.deps.writes.update(resource, ns, name, merge, applyOpts));
}
