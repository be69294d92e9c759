/**
 * AdmissionReview v1 as a validating webhook receives and answers it: the request decoded with zod, the answer built
 * from the handler's verdict. A body that is no AdmissionReview is answered with HTTP 400 and a short reason; a
 * handler that throws becomes a denial with code 500, never a crash. Pure apart from calling the handler.
 *
 * The small interface (`ValidatingHandler`) is what `validatingRoute` puts on the shared webhook server
 * (`src/k8s/webhook/server.ts`), the one the extension's mutating webhooks use too.
 */
import { z } from "zod";
import type { KubeObject } from "../k8s/api/objects.ts";
import type { WebhookRoute } from "../k8s/webhook/server.ts";

export const ADMISSION_API_VERSION = "admission.k8s.io/v1";

/** Largest AdmissionReview body accepted (kube-apiserver's own request limit is 3 MiB of object). */
export const MAX_REVIEW_BYTES = 4 * 1024 * 1024;

const GroupVersionKindSchema = z.looseObject({ group: z.string(), version: z.string(), kind: z.string() });
const ObjectSchema = z.custom<KubeObject>((v) => typeof v === "object" && v !== null && !Array.isArray(v));

const RequestSchema = z.looseObject({
  uid: z.string().min(1),
  kind: GroupVersionKindSchema,
  subResource: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: z.enum(["CREATE", "UPDATE", "DELETE", "CONNECT"]),
  object: ObjectSchema.nullish(),
  oldObject: ObjectSchema.nullish(),
  dryRun: z.boolean().optional(),
});

const ReviewSchema = z.looseObject({
  apiVersion: z.literal(ADMISSION_API_VERSION),
  kind: z.literal("AdmissionReview"),
  request: RequestSchema,
});

/** One validation request, as a handler sees it. */
export interface ValidationRequest {
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  kind: { group: string; version: string; kind: string };
  subResource?: string;
  name: string;
  namespace: string;
  object?: KubeObject;
  oldObject?: KubeObject;
}

/** A handler's verdict: allowed, or denied with an HTTP-style code and a message naming object, field and reason. */
export type Verdict = { allowed: true; warnings?: string[] } | { allowed: false; code: number; message: string };

/** What a validating webhook server calls for each review. */
export type ValidatingHandler = (request: ValidationRequest, signal: AbortSignal) => Promise<Verdict>;

/** The HTTP answer to one review. */
export interface ReviewAnswer {
  /** 200 with an AdmissionReview, or 400 with a text when the body was not a review. */
  status: number;
  body: Record<string, unknown> | string;
  /** For logs and metrics: the request's kind and verdict, when one was reached. */
  kind?: string;
  verdict?: Verdict;
}

const REASONS: Record<number, string> = { 400: "BadRequest", 403: "Forbidden", 500: "InternalError" };

/** Decodes a review body, calls `handler` and builds the answer. */
export async function answerReview(
  text: string,
  handler: ValidatingHandler,
  signal: AbortSignal,
): Promise<ReviewAnswer> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { status: 400, body: "request body is not JSON: expected an admission.k8s.io/v1 AdmissionReview" };
  }
  const parsed = ReviewSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map(String).join(".") || "(root)";
    return { status: 400, body: `not an admission.k8s.io/v1 AdmissionReview: ${where}: ${issue.message}` };
  }
  const req = parsed.data.request;
  let verdict: Verdict;
  try {
    verdict = await handler({
      operation: req.operation,
      kind: req.kind,
      subResource: req.subResource || undefined,
      name: req.name ?? req.object?.metadata?.name ?? "",
      namespace: req.namespace ?? "",
      object: req.object ?? undefined,
      oldObject: req.oldObject ?? undefined,
    }, signal);
  } catch (e) {
    verdict = { allowed: false, code: 500, message: `admission failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const response: Record<string, unknown> = { uid: req.uid, allowed: verdict.allowed };
  if (verdict.allowed) {
    if (verdict.warnings?.length) response.warnings = verdict.warnings;
  } else {
    response.status = {
      code: verdict.code,
      reason: REASONS[verdict.code] ?? "Forbidden",
      message: verdict.message,
    };
  }
  return {
    status: 200,
    body: { apiVersion: ADMISSION_API_VERSION, kind: "AdmissionReview", response },
    kind: req.kind.kind,
    verdict,
  };
}

/** A route of the shared webhook server answering AdmissionReviews with `handler`. */
export function validatingRoute(name: string, path: string, handler: ValidatingHandler): WebhookRoute {
  return {
    name,
    path,
    async answer(text, { signal }) {
      const answer = await answerReview(text, handler, signal);
      const outcome = answer.status !== 200 ? "bad-request" : answer.verdict?.allowed ? "allowed" : "denied";
      return { status: answer.status, body: answer.status === 200 ? answer.body : `${answer.body}\n`, outcome };
    },
  };
}
