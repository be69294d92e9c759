/**
 * AdmissionReview v1 handling, as Gardener's webhook library does it: decode the review (zod), check the request's
 * resource is one the webhook registered, hand a deep copy of the object to the webhook's `Mutate`, and answer with
 * an RFC 6902 JSONPatch computed against the object **as received** (none when nothing changed). Objects being
 * deleted are left alone. A review that cannot be decoded or names a resource the webhook does not handle is answered
 * with code 400, a mutation that throws with code 500 (logged without the object); the function itself never throws.
 * No I/O of its own: the server feeds it the body text.
 */
import { z } from "zod";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { createJsonPatch } from "../../k8s/api/patch/json_patch.ts";
import { encodeBase64 } from "../../runtime/base64.ts";
import type { Logger } from "../../observability/log.ts";
import type { AdmissionOperation, Webhook, WebhookRule } from "./webhook.ts";

/** The AdmissionReview versions we accept and answer in (the request's version is echoed). */
export const ADMISSION_REVIEW_VERSIONS = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"] as const;

const groupVersionKind = z.object({ group: z.string(), version: z.string(), kind: z.string() });
const groupVersionResource = z.object({ group: z.string(), version: z.string(), resource: z.string() });
// The object is checked to be a JSON object with an object `metadata`, not copied (zod would copy every key).
const kubeObject = z.custom<Record<string, unknown>>(
  (v) =>
    typeof v === "object" && v !== null && !Array.isArray(v) &&
    (!("metadata" in v) || (typeof v.metadata === "object" && v.metadata !== null && !Array.isArray(v.metadata))),
  { message: "expected a Kubernetes object" },
);

/** The part of an AdmissionReview request the server reads. */
const admissionReview = z.object({
  apiVersion: z.enum(ADMISSION_REVIEW_VERSIONS),
  kind: z.literal("AdmissionReview"),
  request: z.object({
    uid: z.string().min(1),
    kind: groupVersionKind,
    resource: groupVersionResource,
    subResource: z.string().optional(),
    namespace: z.string().optional(),
    name: z.string().optional(),
    operation: z.enum(["CREATE", "UPDATE", "DELETE", "CONNECT"]),
    object: kubeObject.nullish(),
    oldObject: kubeObject.nullish(),
    dryRun: z.boolean().optional(),
  }),
});

/** A decoded AdmissionReview request. */
export type AdmissionReviewRequest = z.infer<typeof admissionReview>["request"];

/** The response part of an AdmissionReview. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message?: string; reason?: string };
  patchType?: "JSONPatch";
  /** base64 of the RFC 6902 patch. */
  patch?: string;
}

/** The AdmissionReview answer. */
export interface AdmissionReviewAnswer {
  apiVersion: string;
  kind: "AdmissionReview";
  response: AdmissionResponse;
}

/** Why a review was answered as it was (for metrics and tests): patched, unchanged, skipped, or an error code. */
export type ReviewOutcome = "patched" | "unchanged" | "skipped" | "bad-request" | "failed";

function answer(apiVersion: string, response: AdmissionResponse): AdmissionReviewAnswer {
  return { apiVersion, kind: "AdmissionReview", response };
}

function errored(apiVersion: string, uid: string, code: number, message: string): AdmissionReviewAnswer {
  return answer(apiVersion, { uid, allowed: false, status: { code, message } });
}

function matchesList(values: string[], value: string): boolean {
  return values.includes("*") || values.includes(value);
}

/** True if one of the rules covers the operation on `group/version resource[/subresource]`. */
export function ruleCovers(
  rules: WebhookRule[],
  operation: AdmissionOperation,
  resource: { group: string; version: string; resource: string },
  subResource?: string,
): boolean {
  const name = subResource ? `${resource.resource}/${subResource}` : resource.resource;
  return rules.some((r) =>
    (r.operations as string[]).some((op) => op === "*" || op === operation) &&
    matchesList(r.apiGroups, resource.group) && matchesList(r.apiVersions, resource.version) &&
    (r.resources.includes("*") || r.resources.includes(name) ||
      (subResource !== undefined && r.resources.includes(`${resource.resource}/*`)) ||
      (subResource !== undefined && r.resources.includes(`*/${subResource}`)))
  );
}

function apiVersionOf(body: unknown): string {
  const v = (body as { apiVersion?: unknown } | null)?.apiVersion;
  return typeof v === "string" && (ADMISSION_REVIEW_VERSIONS as readonly string[]).includes(v)
    ? v
    : ADMISSION_REVIEW_VERSIONS[0];
}

function uidOf(body: unknown): string {
  const uid = (body as { request?: { uid?: unknown } } | null)?.request?.uid;
  return typeof uid === "string" ? uid : "";
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Answers one AdmissionReview body for `webhook`. Never throws: a bad review is answered with code 400, a failing
 * mutation with 500.
 */
export async function reviewAdmission(
  webhook: Webhook,
  bodyText: string,
  opts: { signal: AbortSignal; log: Logger },
): Promise<{ review: AdmissionReviewAnswer; outcome: ReviewOutcome }> {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch (e) {
    return {
      review: errored(ADMISSION_REVIEW_VERSIONS[0], "", 400, `malformed JSON: ${errorMessage(e)}`),
      outcome: "bad-request",
    };
  }
  const apiVersion = apiVersionOf(body);
  const parsed = admissionReview.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "body";
    return {
      review: errored(apiVersion, uidOf(body), 400, `not an AdmissionReview: ${where}: ${issue?.message ?? "invalid"}`),
      outcome: "bad-request",
    };
  }
  const request = parsed.data.request;
  const { uid } = request;
  if (!ruleCovers(webhook.rules, request.operation, request.resource, request.subResource)) {
    const r = request.resource;
    const message = `unexpected request kind ${r.group || "core"}/${r.version} ${r.resource}${
      request.subResource ? "/" + request.subResource : ""
    } (${request.operation}) for webhook ${webhook.name}`;
    return { review: errored(apiVersion, uid, 400, message), outcome: "bad-request" };
  }
  const received = request.object as KubeObject | null | undefined;
  if (!received || received.metadata?.deletionTimestamp) {
    return { review: answer(apiVersion, { uid, allowed: true, status: { code: 200 } }), outcome: "skipped" };
  }
  let mutated: KubeObject;
  try {
    mutated = await webhook.mutate(structuredClone(received), {
      operation: request.operation,
      namespace: request.namespace ?? received.metadata?.namespace ?? "",
      name: request.name || received.metadata?.name || "",
      kind: request.kind,
      oldObject: (request.oldObject ?? undefined) as KubeObject | undefined,
      signal: opts.signal,
    });
    if (typeof mutated !== "object" || mutated === null || Array.isArray(mutated)) {
      throw new Error("the mutation returned no object");
    }
  } catch (e) {
    // The object is not logged (it may carry secrets); the log sink redacts registered secrets from the message.
    opts.log.error("Webhook mutation failed", {
      webhook: webhook.name,
      uid,
      kind: request.kind.kind,
      namespace: request.namespace,
      name: request.name,
      error: errorMessage(e),
    });
    return {
      review: errored(apiVersion, uid, 500, `webhook ${webhook.name} failed: ${errorMessage(e)}`),
      outcome: "failed",
    };
  }
  const ops = createJsonPatch(received, mutated);
  if (ops.length === 0) {
    return { review: answer(apiVersion, { uid, allowed: true, status: { code: 200 } }), outcome: "unchanged" };
  }
  return {
    review: answer(apiVersion, {
      uid,
      allowed: true,
      status: { code: 200 },
      patchType: "JSONPatch",
      patch: encodeBase64(JSON.stringify(ops)),
    }),
    outcome: "patched",
  };
}
