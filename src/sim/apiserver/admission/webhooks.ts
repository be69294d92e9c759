/**
 * Calls the registered Mutating- and ValidatingWebhookConfigurations over HTTPS with AdmissionReview v1 — rules,
 * namespaceSelector, objectSelector, matchPolicy, failurePolicy, timeoutSeconds, caBundle — applies JSONPatch
 * responses in order and reports denials, as kube-apiserver's webhook admission plugins do.
 *
 * Mutating webhooks run one after the other (configurations sorted by name, webhooks in their order), each seeing
 * the previous one's output; validating webhooks then run in parallel on the final object. A call that fails or
 * times out denies the request with 500 under `failurePolicy: Fail` and is skipped under `Ignore`; a denial keeps
 * the webhook's status code (default 403) and is worded `admission webhook "<name>" denied the request: <message>`.
 *
 * Not implemented, deliberately: `reinvocationPolicy: IfNeeded` (no webhook is called twice), `matchConditions`
 * (CEL; ignored, so they never exclude a request), and `matchPolicy: Equivalent` conversions (treated as Exact,
 * since the fake server serves one version per resource). A service reference is resolved through
 * `AdmissionSources.resolveService`; the certificate is then verified against the resolved address, not against
 * `<service>.<namespace>.svc`.
 */
import type { KubeObject } from "../../../k8s/api/objects.ts";
import { getLogger, type Logger } from "../../../observability/log.ts";
import { counter, histogram } from "../../../observability/metrics.ts";
import { type Clock, realClock } from "../../../runtime/clock.ts";
import { applyJsonPatch, type JsonPatchOperation } from "../../../k8s/api/patch/json_patch.ts";
import { type ParsedWebhook, parseWebhookConfiguration, type Webhook } from "./config.ts";
import { postAdmissionReview, type ServiceResolver, WebhookCallError } from "./call.ts";
import { isExemptFromWebhooks, webhookMatches } from "./matching.ts";
import {
  type AdmissionRequestAttributes,
  buildAdmissionReview,
  type ReviewResult,
  verifyAdmissionResponse,
} from "./review.ts";

export type { AdmissionRequestAttributes };

export interface AdmissionSources {
  /** Current webhook configurations (read from the server's own store). */
  mutating(): KubeObject[];
  validating(): KubeObject[];
  /** Labels of a namespace, for namespaceSelector (undefined if the namespace does not exist). */
  namespaceLabels(name: string): Record<string, string> | undefined;
  /**
   * Base URL (e.g. `https://127.0.0.1:8443`) of a webhook's `clientConfig.service` (namespace, name, port); the
   * service's `path` is appended. Undefined, or a missing resolver, fails the call (subject to failurePolicy).
   */
  resolveService?(namespace: string, name: string, port: number): string | undefined;
}

/** Outcome: the (possibly mutated) object, or a denial the server turns into a Status error. */
export type AdmissionOutcome =
  | {
    allowed: true;
    /** The object after every mutating webhook (absent when the request carried none). */
    object?: KubeObject;
    warnings: string[];
    /** True when at least one webhook changed the object. */
    mutated?: boolean;
  }
  | {
    allowed: false;
    code: number;
    reason: string;
    message: string;
    /** `details` of the webhook's Status, passed through as kube does. */
    details?: Record<string, unknown>;
  };

type Denial = Extract<AdmissionOutcome, { allowed: false }>;

/** Options of the chain beyond the contract's constructor arguments. */
export interface AdmissionChainOptions {
  /** Clock that bounds webhook calls (timeoutSeconds); the wall clock by default. */
  clock?: Clock;
}

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  410: "Gone",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

const webhookCalls = counter({
  name: "apiserver_admission_webhook_request_total",
  help: "Admission webhook calls of the simulated API server, by webhook, type and result.",
  labelNames: ["name", "type", "operation", "result"] as const,
});
const webhookFailOpen = counter({
  name: "apiserver_admission_webhook_fail_open_count",
  help: "Failed webhook calls ignored because of failurePolicy Ignore.",
  labelNames: ["name", "type"] as const,
});
const webhookDuration = histogram({
  name: "apiserver_admission_webhook_admission_duration_seconds",
  help: "Duration of admission webhook calls of the simulated API server.",
  labelNames: ["name", "type", "operation"] as const,
  buckets: [0.005, 0.025, 0.1, 0.5, 1, 2.5, 10, 30],
});

type WebhookType = "admit" | "validating";
type CallResult = { kind: "ok"; result: ReviewResult } | { kind: "skipped" } | { kind: "denied"; denial: Denial };

function deniedByWebhook(name: string, status: ReviewResult["status"]): Denial {
  const code = status?.code !== undefined && status.code >= 400 ? status.code : 403;
  const prefix = `admission webhook "${name}" denied the request`;
  const message = status?.message
    ? `${prefix}: ${status.message}`
    : status?.reason
    ? `${prefix}: ${status.reason}`
    : `${prefix} without explanation`;
  return {
    allowed: false,
    code,
    reason: status?.reason || REASONS[code] || "",
    message,
    ...(status?.details ? { details: status.details } : {}),
  };
}

function internalError(message: string): Denial {
  return { allowed: false, code: 500, reason: "InternalError", message: `Internal error occurred: ${message}` };
}

export class AdmissionChain {
  private readonly clock: Clock;

  constructor(readonly sources: AdmissionSources, readonly log?: Logger, opts: AdmissionChainOptions = {}) {
    this.clock = opts.clock ?? realClock;
  }

  private get logger(): Logger {
    return this.log ?? getLogger("apiserver.admission");
  }

  /** Runs mutating webhooks, then validating ones, for one request. */
  async admit(attrs: AdmissionRequestAttributes): Promise<AdmissionOutcome> {
    let object = attrs.object;
    const warnings: string[] = [];
    if (isExemptFromWebhooks(attrs.resource)) return { allowed: true, object, warnings };

    const mutating = this.selected(this.sources.mutating(), attrs);
    if (!Array.isArray(mutating)) return mutating;
    let mutated = false;
    for (const hook of mutating) {
      const outcome = await this.call(hook, "admit", { ...attrs, object });
      if (outcome.kind === "denied") return outcome.denial;
      if (outcome.kind === "skipped") continue;
      warnings.push(...outcome.result.warnings);
      if (outcome.result.patch === undefined || !hook.ok) continue;
      if (!object) {
        this.logger.info("ignoring a patch for a request without object", { webhook: hook.webhook.name });
        continue;
      }
      try {
        object = applyJsonPatch(object, outcome.result.patch as JsonPatchOperation[]) as KubeObject;
        mutated = true;
      } catch (e) {
        // kube answers 500 whatever the failurePolicy: the webhook answered, but with a patch that does not apply.
        const why = e instanceof Error ? e.message : String(e);
        return internalError(
          `admission webhook "${hook.webhook.name}" returned a patch that cannot be applied: ${why}`,
        );
      }
    }

    const validating = this.selected(this.sources.validating(), { ...attrs, object });
    if (!Array.isArray(validating)) return validating;
    const results = await Promise.all(validating.map((hook) => this.call(hook, "validating", { ...attrs, object })));
    for (const r of results) if (r.kind === "denied") return r.denial;
    for (const r of results) if (r.kind === "ok") warnings.push(...r.result.warnings);
    return { allowed: true, object, warnings: [...new Set(warnings)], ...(mutated ? { mutated } : {}) };
  }

  /** Webhooks that apply to the request, in kube's order; or a failure that stops the request. */
  private selected(configs: KubeObject[], attrs: AdmissionRequestAttributes): ParsedWebhook[] | Denial {
    const sorted = [...configs].sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
    const out: ParsedWebhook[] = [];
    for (const hook of sorted.flatMap(parseWebhookConfiguration)) {
      // An invalid entry cannot be matched; it fails like a call would (subject to its failurePolicy).
      if (!hook.ok) {
        out.push(hook);
        continue;
      }
      const m = webhookMatches(hook.webhook, attrs, (ns) => this.sources.namespaceLabels(ns));
      if (m === true) out.push(hook);
      else if (m !== false) return { allowed: false, ...m };
    }
    return out;
  }

  private async call(hook: ParsedWebhook, type: WebhookType, attrs: AdmissionRequestAttributes): Promise<CallResult> {
    const name = hook.ok ? hook.webhook.name : hook.name;
    const failurePolicy = hook.ok ? hook.webhook.failurePolicy : hook.failurePolicy;
    const started = this.clock.now();
    try {
      if (!hook.ok) throw new WebhookCallError(`invalid webhook configuration ${hook.configuration}: ${hook.error}`);
      const dryRunProblem = this.dryRunProblem(hook.webhook, attrs);
      if (dryRunProblem) {
        webhookCalls.inc({ name, type, operation: attrs.operation, result: "dry_run_unsupported" });
        return { kind: "denied", denial: dryRunProblem };
      }
      const result = await this.post(hook.webhook, type, attrs);
      webhookCalls.inc({ name, type, operation: attrs.operation, result: result.allowed ? "allowed" : "denied" });
      if (!result.allowed) return { kind: "denied", denial: deniedByWebhook(name, result.status) };
      return { kind: "ok", result };
    } catch (e) {
      const message = `failed calling webhook "${name}": ${e instanceof Error ? e.message : String(e)}`;
      webhookCalls.inc({ name, type, operation: attrs.operation, result: "error" });
      if (failurePolicy === "Ignore") {
        webhookFailOpen.inc({ name, type });
        this.logger.warn("ignoring failed webhook call (failurePolicy Ignore)", { webhook: name, error: message });
        return { kind: "skipped" };
      }
      this.logger.warn("webhook call failed (failurePolicy Fail)", { webhook: name, error: message });
      return { kind: "denied", denial: internalError(message) };
    } finally {
      webhookDuration.observe({ name, type, operation: attrs.operation }, (this.clock.now() - started) / 1000);
    }
  }

  /** kube refuses to call webhooks with side effects for dry-run requests. */
  private dryRunProblem(webhook: Webhook, attrs: AdmissionRequestAttributes): Denial | undefined {
    if (!attrs.dryRun || webhook.sideEffects === "None" || webhook.sideEffects === "NoneOnDryRun") return undefined;
    return {
      allowed: false,
      code: 400,
      reason: "BadRequest",
      message: `admission webhook "${webhook.name}" does not support dry run`,
    };
  }

  private async post(webhook: Webhook, type: WebhookType, attrs: AdmissionRequestAttributes): Promise<ReviewResult> {
    if (!webhook.admissionReviewVersions.includes("v1")) {
      throw new WebhookCallError(
        `webhook does not accept admission.k8s.io/v1 AdmissionReview (admissionReviewVersions: ${
          JSON.stringify(webhook.admissionReviewVersions)
        })`,
      );
    }
    const uid = crypto.randomUUID();
    const review = buildAdmissionReview({ uid, ...attrs });
    const resolver: ServiceResolver | undefined = this.sources.resolveService
      ? (ns, n, port) => this.sources.resolveService?.(ns, n, port)
      : undefined;
    const body = await postAdmissionReview(webhook, review, this.clock, resolver);
    return verifyAdmissionResponse(body, uid, type === "admit");
  }
}
