/**
 * Which webhooks a request goes to, as kube-apiserver's webhook dispatcher decides (`pkg/admission/plugin/webhook`
 * `predicates/rules`, `predicates/namespace`, `predicates/object`): a rule must match operation, group, version,
 * resource/subresource and scope; then the namespace selector (labels of the object's namespace, a Namespace's own
 * labels, always true for other cluster-scoped objects) and the object selector (labels of the object or the old
 * object). `matchPolicy: Equivalent` is treated as Exact: the fake server serves one version per resource.
 */
import type { KubeObject } from "../../../k8s/api/objects.ts";
import type { ResourceType } from "../../../k8s/api/resources.ts";
import type { Webhook, WebhookRule } from "./config.ts";
import { isEmptySelector, parseLabelSelectorObject, selectorMatches } from "../../../k8s/api/label_selector.ts";

/** What matching needs to know about a request. */
export interface MatchAttributes {
  operation: string;
  resource: ResourceType;
  subResource?: string;
  namespace?: string;
  object?: KubeObject;
  oldObject?: KubeObject;
}

/** A request that must fail before any webhook is called (e.g. its namespace does not exist). */
export interface MatchFailure {
  code: number;
  reason: string;
  message: string;
}

/** kube never sends the webhook configuration resources themselves to webhooks (that could lock everyone out). */
export function isExemptFromWebhooks(resource: ResourceType): boolean {
  return resource.group === "admissionregistration.k8s.io" && [
    "mutatingwebhookconfigurations",
    "validatingwebhookconfigurations",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "mutatingadmissionpolicies",
    "mutatingadmissionpolicybindings",
  ].includes(resource.resource);
}

function listMatches(list: string[], value: string): boolean {
  return list.includes("*") || list.includes(value);
}

/** True if one rule covers the request. */
export function ruleMatches(rule: WebhookRule, attrs: MatchAttributes): boolean {
  if (!listMatches(rule.operations, attrs.operation)) return false;
  if (!listMatches(rule.apiGroups, attrs.resource.group)) return false;
  if (!listMatches(rule.apiVersions, attrs.resource.version)) return false;
  const sub = attrs.subResource ?? "";
  const resourceMatch = rule.resources.some((entry) => {
    const slash = entry.indexOf("/");
    const [res, entrySub] = slash < 0 ? [entry, ""] : [entry.slice(0, slash), entry.slice(slash + 1)];
    return (res === "*" || res === attrs.resource.resource) && (entrySub === "*" || entrySub === sub);
  });
  if (!resourceMatch) return false;
  if (rule.scope === "Cluster") return !attrs.resource.namespaced;
  if (rule.scope === "Namespaced") return attrs.resource.namespaced;
  return true;
}

function labelsOf(obj: KubeObject | undefined): Record<string, string> | undefined {
  return obj?.metadata?.labels;
}

/**
 * Decides whether the webhook is called: true/false, or a failure that stops the request (unknown namespace, an
 * unparsable selector).
 */
export function webhookMatches(
  webhook: Webhook,
  attrs: MatchAttributes,
  namespaceLabels: (name: string) => Record<string, string> | undefined,
): boolean | MatchFailure {
  if (!webhook.rules.some((r) => ruleMatches(r, attrs))) return false;

  const isNamespace = attrs.resource.group === "" && attrs.resource.resource === "namespaces";
  if (attrs.resource.namespaced || isNamespace) {
    const parsed = parseLabelSelectorObject(webhook.namespaceSelector);
    if ("error" in parsed) return selectorFailure(webhook, "namespaceSelector", parsed.error);
    if (!isEmptySelector(parsed.selector)) {
      let labels: Record<string, string> | undefined;
      if (isNamespace) {
        labels = labelsOf(attrs.object ?? attrs.oldObject) ?? {};
      } else {
        const ns = attrs.namespace ?? "";
        labels = namespaceLabels(ns);
        if (labels === undefined) {
          return { code: 404, reason: "NotFound", message: `namespaces "${ns}" not found` };
        }
      }
      if (!selectorMatches(parsed.selector, labels)) return false;
    }
  }

  const parsedObject = parseLabelSelectorObject(webhook.objectSelector);
  if ("error" in parsedObject) return selectorFailure(webhook, "objectSelector", parsedObject.error);
  if (isEmptySelector(parsedObject.selector)) return true;
  // A missing object or old object does not match (CREATE has no old object, DELETE no new one).
  return [attrs.object, attrs.oldObject].some((o) =>
    o !== undefined && selectorMatches(parsedObject.selector, labelsOf(o))
  );
}

function selectorFailure(webhook: Webhook, field: string, error: string): MatchFailure {
  return {
    code: 500,
    reason: "InternalError",
    message: `Internal error occurred: webhook "${webhook.name}": invalid ${field}: ${error}`,
  };
}
