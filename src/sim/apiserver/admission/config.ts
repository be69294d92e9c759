/**
 * admissionregistration.k8s.io/v1 Mutating- and ValidatingWebhookConfigurations as the admission chain reads them:
 * zod schemas with the v1 defaults (failurePolicy Fail, matchPolicy Equivalent, timeoutSeconds 10, scope `*`,
 * empty selectors), and the field errors kube's validation gives for the mistakes that would break a call.
 */
import { z } from "zod";
import { type FieldError, invalid, notSupported, required } from "../schema/field_errors.ts";

const RuleSchema = z.object({
  operations: z.array(z.string()).default([]),
  apiGroups: z.array(z.string()).default([]),
  apiVersions: z.array(z.string()).default([]),
  resources: z.array(z.string()).default([]),
  scope: z.enum(["*", "Cluster", "Namespaced"]).default("*"),
});

const SelectorSchema = z.looseObject({}).optional();

const WebhookSchema = z.object({
  name: z.string().min(1),
  clientConfig: z.object({
    url: z.string().optional(),
    service: z.object({
      namespace: z.string(),
      name: z.string(),
      path: z.string().optional(),
      port: z.number().int().default(443),
    }).optional(),
    caBundle: z.string().optional(),
  }),
  rules: z.array(RuleSchema).default([]),
  failurePolicy: z.enum(["Fail", "Ignore"]).default("Fail"),
  matchPolicy: z.enum(["Exact", "Equivalent"]).default("Equivalent"),
  namespaceSelector: SelectorSchema,
  objectSelector: SelectorSchema,
  sideEffects: z.string().optional(),
  timeoutSeconds: z.number().int().default(10),
  admissionReviewVersions: z.array(z.string()).default([]),
  reinvocationPolicy: z.enum(["Never", "IfNeeded"]).optional(),
});

/** One rule of a webhook (operations, groups, versions, resources, scope). */
export type WebhookRule = z.infer<typeof RuleSchema>;
/** One webhook of a configuration, with v1 defaults applied. */
export type Webhook = z.infer<typeof WebhookSchema>;

/** A webhook ready to be matched and called, or the reason it cannot be (treated as a failed call). */
export type ParsedWebhook =
  | { ok: true; configuration: string; webhook: Webhook }
  | { ok: false; configuration: string; name: string; failurePolicy: "Fail" | "Ignore"; error: string };

/** Reads the webhooks of one configuration object, in order; invalid entries are reported, not dropped. */
export function parseWebhookConfiguration(config: unknown): ParsedWebhook[] {
  const obj = (typeof config === "object" && config !== null ? config : {}) as Record<string, unknown>;
  const configuration = String((obj.metadata as { name?: unknown } | undefined)?.name ?? "");
  const webhooks = Array.isArray(obj.webhooks) ? obj.webhooks : [];
  return webhooks.map((raw, i): ParsedWebhook => {
    const r = WebhookSchema.safeParse(raw);
    if (r.success) return { ok: true, configuration, webhook: r.data };
    const entry = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const issue = r.error.issues[0];
    return {
      ok: false,
      configuration,
      name: typeof entry.name === "string" ? entry.name : `${configuration}[${i}]`,
      failurePolicy: entry.failurePolicy === "Ignore" ? "Ignore" : "Fail",
      error: `webhooks[${i}].${issue.path.join(".")}: ${issue.message}`,
    };
  });
}

/** Problems kube's validation would reject a webhook configuration for (the subset that matters for calls). */
export function webhookConfigurationErrors(config: unknown): FieldError[] {
  const obj = (typeof config === "object" && config !== null ? config : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const webhooks = Array.isArray(obj.webhooks) ? obj.webhooks : [];
  const names = new Set<string>();
  webhooks.forEach((raw, i) => {
    const path = `webhooks[${i}]`;
    const w = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    if (typeof w.name !== "string" || w.name === "") errors.push(required(`${path}.name`));
    else if (names.has(w.name)) {
      errors.push({
        type: "FieldValueDuplicate",
        field: `${path}.name`,
        message: `Duplicate value: ${JSON.stringify(w.name)}`,
      });
    } else names.add(w.name);
    const cc = (w.clientConfig ?? {}) as Record<string, unknown>;
    if (cc.url === undefined && cc.service === undefined) {
      errors.push(required(`${path}.clientConfig`, "exactly one of url or service is required"));
    } else if (cc.url !== undefined && cc.service !== undefined) {
      errors.push(invalid(`${path}.clientConfig`, "", "exactly one of url or service is required"));
    }
    if (typeof cc.url === "string" && !/^https?:\/\//.test(cc.url)) {
      errors.push(invalid(`${path}.clientConfig.url`, cc.url, "'https' is the only allowed URL scheme"));
    }
    if (w.failurePolicy !== undefined && w.failurePolicy !== "Fail" && w.failurePolicy !== "Ignore") {
      errors.push(notSupported(`${path}.failurePolicy`, w.failurePolicy, ["Fail", "Ignore"]));
    }
    if (w.sideEffects === undefined) {
      errors.push(required(`${path}.sideEffects`, "must specify one of None, NoneOnDryRun"));
    } else if (w.sideEffects !== "None" && w.sideEffects !== "NoneOnDryRun") {
      errors.push(notSupported(`${path}.sideEffects`, w.sideEffects, ["None", "NoneOnDryRun"]));
    }
    const versions = w.admissionReviewVersions;
    if (!Array.isArray(versions) || versions.length === 0) {
      errors.push(required(`${path}.admissionReviewVersions`, "must specify one of v1, v1beta1"));
    }
    if (
      w.timeoutSeconds !== undefined &&
      (typeof w.timeoutSeconds !== "number" || w.timeoutSeconds < 1 || w.timeoutSeconds > 30)
    ) {
      errors.push(
        invalid(`${path}.timeoutSeconds`, w.timeoutSeconds, "the timeout value must be between 1 and 30 seconds"),
      );
    }
  });
  return errors;
}
