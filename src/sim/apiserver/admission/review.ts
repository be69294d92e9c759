/**
 * AdmissionReview v1 on the wire: the request kube-apiserver sends to a webhook and the checks it applies to the
 * answer (`k8s.io/apiserver/pkg/admission/plugin/webhook/request`): same apiVersion/kind, `response.uid` equal to
 * the request's, a patch only with `patchType: JSONPatch` and only from mutating webhooks.
 */
import { decodeBase64Text } from "../../../runtime/base64.ts";
import { z } from "zod";
import type { KubeObject } from "../../../k8s/api/objects.ts";
import type { ResourceType } from "../../../k8s/api/resources.ts";

export const ADMISSION_API_VERSION = "admission.k8s.io/v1";

/** Everything an AdmissionReview request is built from. */
/** What admission knows about a request: the attributes every admission step (built-in rules, webhooks) sees. */
export interface AdmissionRequestAttributes {
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  resource: ResourceType;
  subResource?: string;
  namespace?: string;
  name?: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  userInfo: { username: string; groups?: string[] };
}

/** The attributes of one request as a review carries them, with the review's uid. */
export type ReviewInput = AdmissionRequestAttributes & { uid: string };

const OPTIONS_KIND: Record<string, string | undefined> = {
  CREATE: "CreateOptions",
  UPDATE: "UpdateOptions",
  DELETE: "DeleteOptions",
};

function groupVersionKind(obj: KubeObject | undefined, resource: ResourceType): Record<string, string> {
  // The kind is that of the object sent (an Eviction for pods/eviction), else the resource's kind.
  if (obj?.apiVersion && obj.kind) {
    const slash = obj.apiVersion.indexOf("/");
    return slash < 0
      ? { group: "", version: obj.apiVersion, kind: obj.kind }
      : { group: obj.apiVersion.slice(0, slash), version: obj.apiVersion.slice(slash + 1), kind: obj.kind };
  }
  return { group: resource.group, version: resource.version, kind: resource.kind };
}

/** The AdmissionReview v1 body sent to a webhook. */
export function buildAdmissionReview(input: ReviewInput): Record<string, unknown> {
  const kind = groupVersionKind(input.object ?? input.oldObject, input.resource);
  const resource = { group: input.resource.group, version: input.resource.version, resource: input.resource.resource };
  const optionsKind = OPTIONS_KIND[input.operation];
  const request: Record<string, unknown> = {
    uid: input.uid,
    kind,
    resource,
    requestKind: kind,
    requestResource: resource,
    name: input.name ?? input.object?.metadata?.name ?? input.oldObject?.metadata?.name ?? "",
    namespace: input.namespace ?? "",
    operation: input.operation,
    userInfo: { username: input.userInfo.username, groups: input.userInfo.groups ?? [] },
    object: input.object ?? null,
    oldObject: input.oldObject ?? null,
    dryRun: input.dryRun,
    options: optionsKind
      ? { apiVersion: "meta.k8s.io/v1", kind: optionsKind, ...(input.dryRun ? { dryRun: ["All"] } : {}) }
      : null,
  };
  if (input.subResource) {
    request.subResource = input.subResource;
    request.requestSubResource = input.subResource;
  }
  return { apiVersion: ADMISSION_API_VERSION, kind: "AdmissionReview", request };
}

const StatusSchema = z.looseObject({
  code: z.number().int().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  details: z.looseObject({}).optional(),
});

const ReviewResponseSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  response: z.object({
    uid: z.string(),
    allowed: z.boolean(),
    status: StatusSchema.optional(),
    patch: z.string().optional(),
    patchType: z.string().optional(),
    warnings: z.array(z.string()).optional(),
    auditAnnotations: z.record(z.string(), z.string()).optional(),
  }).optional(),
});

/** A webhook's verified answer. */
export interface ReviewResult {
  allowed: boolean;
  status?: z.infer<typeof StatusSchema>;
  /** Decoded JSON Patch operations (mutating webhooks only). */
  patch?: unknown;
  warnings: string[];
}

/** Checks an answer as kube does; throws an Error with kube's wording when the webhook broke the protocol. */
export function verifyAdmissionResponse(body: unknown, uid: string, mutating: boolean): ReviewResult {
  const parsed = ReviewResponseSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`received invalid webhook response: ${issue.path.join(".")}: ${issue.message}`);
  }
  const review = parsed.data;
  if (review.apiVersion !== ADMISSION_API_VERSION || review.kind !== "AdmissionReview") {
    throw new Error(
      `expected webhook response of ${ADMISSION_API_VERSION}, Kind=AdmissionReview, got ${review.apiVersion}, Kind=${review.kind}`,
    );
  }
  const response = review.response;
  if (!response) throw new Error("webhook response was absent");
  if (response.uid !== uid) {
    throw new Error(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(response.uid)}`);
  }
  let patch: unknown;
  if (response.patch !== undefined && response.patch !== "") {
    if (!mutating) throw new Error("validating webhook may not return response.patch");
    if (response.patchType === undefined) throw new Error("webhook returned response.patch but not response.patchType");
    if (response.patchType !== "JSONPatch") {
      throw new Error(`webhook returned invalid response.patchType of ${JSON.stringify(response.patchType)}`);
    }
    patch = decodePatch(response.patch);
  } else if (response.patchType !== undefined && response.patchType !== "") {
    if (!mutating) throw new Error("validating webhook may not return response.patchType");
    throw new Error("webhook returned response.patchType but not response.patch");
  }
  return { allowed: response.allowed, status: response.status, patch, warnings: response.warnings ?? [] };
}

function decodePatch(b64: string): unknown {
  let text: string;
  try {
    text = decodeBase64Text(b64);
  } catch {
    throw new Error("webhook returned response.patch that is not base64-encoded UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`webhook returned response.patch that is not JSON: ${e instanceof Error ? e.message : e}`);
  }
}
