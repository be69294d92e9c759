/** The ServiceAccount token subresource (TokenRequest API): POST issues a token of the ServiceAccount. */
import { methodNotAllowed, notFound } from "../../status_errors.ts";
import { readBody } from "../request_body.ts";
import { json } from "../responses.ts";
import type { VerbRequest } from "../verb_request.ts";

/** Lifetime reported when the request asks for none (kube's default is one hour). */
const DEFAULT_EXPIRATION_SECONDS = 3600;

/** POST of `serviceaccounts/<name>/token`: an authentication.k8s.io/v1 TokenRequest with the token in its status. */
export async function requestToken(r: VerbRequest): Promise<Response> {
  if (r.info.verb !== "create") throw methodNotAllowed();
  const { namespace: ns, name, deps } = r;
  const body = (await readBody(r.req) ?? {}) as { spec?: { expirationSeconds?: unknown; audiences?: unknown } };
  if (!deps.store.get("serviceaccounts", ns, name)) throw notFound({ resource: "serviceaccounts", group: "", name });
  if (!deps.rbac) throw methodNotAllowed("the server issues no ServiceAccount tokens");
  const seconds = typeof body.spec?.expirationSeconds === "number"
    ? body.spec.expirationSeconds
    : DEFAULT_EXPIRATION_SECONDS;
  const token = deps.rbac.tokens.issue(ns, name);
  return json(201, {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    metadata: { name, namespace: ns, creationTimestamp: null },
    spec: { audiences: Array.isArray(body.spec?.audiences) ? body.spec.audiences : [], expirationSeconds: seconds },
    status: { token, expirationTimestamp: new Date(deps.clock.now() + seconds * 1000).toISOString() },
  });
}
