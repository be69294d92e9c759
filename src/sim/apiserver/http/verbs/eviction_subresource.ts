/** The pod eviction subresource: POST of a policy/v1 Eviction, honouring PodDisruptionBudgets. */
import { z } from "zod";
import type { KubeObject } from "../../../../k8s/api/objects.ts";
import { PolicyV1 } from "../../../../k8s/api/resources.ts";
import { decideEviction } from "../../eviction.ts";
import { storageKey } from "../../registry/served_resource.ts";
import { badRequest, methodNotAllowed, notFound, tooManyRequests, withCode } from "../../status_errors.ts";
import { DeleteOptionsSchema, deleteRequest, readBody, writeOptions } from "../request_body.ts";
import { json, SUCCESS } from "../responses.ts";
import type { VerbRequest } from "../verb_request.ts";

/** policy/v1 Eviction. */
const EvictionSchema = z.object({
  metadata: z.object({ name: z.string().optional(), namespace: z.string().optional() }).passthrough().optional(),
  deleteOptions: DeleteOptionsSchema.optional(),
}).passthrough();

/** The Eviction of a request body; 400 when it is malformed or names another pod. */
function parseEviction(body: unknown, ns: string, name: string): z.infer<typeof EvictionSchema> {
  const parsed = EvictionSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`invalid Eviction for pod ${ns}/${name}: ${issue.path.join(".") || "<root>"}: ${issue.message}`);
  }
  if (parsed.data.metadata?.name && parsed.data.metadata.name !== name) {
    throw badRequest(`name in URL does not match name in Eviction object: ${name} != ${parsed.data.metadata.name}`);
  }
  return parsed.data;
}

/** POST of `pods/<name>/eviction`: admission, the disruption budgets' verdict, then the delete. */
export async function evictPod(r: VerbRequest): Promise<Response> {
  if (r.info.verb !== "create") throw methodNotAllowed();
  const { resource, namespace: ns, name, deps } = r;
  const eviction = parseEviction(await readBody(r.req), ns, name);
  const pod = deps.store.get("pods", ns, name);
  if (!pod) throw notFound({ resource: "pods", group: "", name });
  const { req: del, dryRun } = deleteRequest(eviction.deleteOptions, r.query);
  await deps.writes.admitSubresourceCreate(resource, "eviction", ns, name, {
    apiVersion: "policy/v1",
    kind: "Eviction",
    ...(eviction as Record<string, unknown>),
    metadata: { ...(eviction.metadata ?? {}), name, namespace: ns },
  } as KubeObject, { dryRun, user: r.user });
  const pdbs = deps.store.list(storageKey(PolicyV1.podDisruptionBudgets), ns).map((e) =>
    structuredClone(e.stored.object)
  );
  const pods = deps.store.list("pods", ns).map((e) => structuredClone(e.stored.object));
  const decision = decideEviction(structuredClone(pod.object), pdbs, pods);
  if (!decision.allowed) {
    const causes = (decision.causes ?? []).map((c) => ({ reason: c.type, message: c.message }));
    if ((decision.code ?? 429) === 429) throw tooManyRequests(decision.message, undefined, causes);
    const err = withCode(decision.code!, decision.message);
    err.status.details = { causes };
    throw err;
  }
  await deps.writes.delete(resource, ns, name, del, { ...writeOptions(r.query, r.user), dryRun });
  return json(201, { ...SUCCESS, code: 201 });
}
