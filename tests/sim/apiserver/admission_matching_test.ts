import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { AdmissionregistrationV1, CoreV1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import {
  parseWebhookConfiguration,
  type Webhook,
  webhookConfigurationErrors,
} from "../../../src/sim/apiserver/admission/config.ts";
import {
  isExemptFromWebhooks,
  type MatchAttributes,
  ruleMatches,
  webhookMatches,
} from "../../../src/sim/apiserver/admission/matching.ts";

function webhook(extra: Record<string, unknown> = {}): Webhook {
  const parsed = parseWebhookConfiguration({
    metadata: { name: "cfg" },
    webhooks: [{
      name: "w.example.com",
      clientConfig: { url: "https://127.0.0.1:1/x" },
      rules: [{ operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*"] }],
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
      ...extra,
    }],
  })[0];
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.webhook;
}

const rule = (r: Record<string, unknown>) =>
  ({ operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], scope: "*", ...r }) as never;

const podAttrs = (extra: Partial<MatchAttributes> = {}): MatchAttributes => ({
  operation: "CREATE",
  resource: CoreV1.pods,
  namespace: "default",
  object: { metadata: { name: "p", labels: { app: "web" } } },
  ...extra,
});

Deno.test("rules: operations, groups and versions match exactly or by *", () => {
  assertEquals(ruleMatches(rule({ operations: ["CREATE", "UPDATE"] }), podAttrs()), true);
  assertEquals(ruleMatches(rule({ operations: ["DELETE"] }), podAttrs()), false);
  assertEquals(ruleMatches(rule({ apiGroups: [""] }), podAttrs()), true);
  assertEquals(ruleMatches(rule({ apiGroups: ["apps"] }), podAttrs()), false);
  assertEquals(
    ruleMatches(
      rule({ apiGroups: ["machine.sapcloud.io"], apiVersions: ["v1alpha1"] }),
      podAttrs({ resource: MachineV1alpha1.machines }),
    ),
    true,
  );
  assertEquals(ruleMatches(rule({ apiVersions: ["v1beta1"] }), podAttrs()), false);
});

Deno.test("rules: resources *, */*, <res>/<sub>, <res>/* and */<sub>", () => {
  const status = podAttrs({ subResource: "status" });
  assertEquals(ruleMatches(rule({ resources: ["*"] }), podAttrs()), true);
  assertEquals(ruleMatches(rule({ resources: ["*"] }), status), false);
  assertEquals(ruleMatches(rule({ resources: ["*/*"] }), status), true);
  assertEquals(ruleMatches(rule({ resources: ["pods"] }), status), false);
  assertEquals(ruleMatches(rule({ resources: ["pods/status"] }), status), true);
  assertEquals(ruleMatches(rule({ resources: ["pods/status"] }), podAttrs()), false);
  assertEquals(ruleMatches(rule({ resources: ["pods/*"] }), status), true);
  assertEquals(ruleMatches(rule({ resources: ["pods/*"] }), podAttrs()), true);
  assertEquals(ruleMatches(rule({ resources: ["*/status"] }), status), true);
  assertEquals(ruleMatches(rule({ resources: ["*/status"] }), podAttrs({ subResource: "eviction" })), false);
  assertEquals(ruleMatches(rule({ resources: ["deployments"] }), podAttrs()), false);
});

Deno.test("rules: scope Cluster, Namespaced and *", () => {
  const node = podAttrs({ resource: CoreV1.nodes, namespace: undefined });
  assertEquals(ruleMatches(rule({ scope: "Cluster" }), node), true);
  assertEquals(ruleMatches(rule({ scope: "Cluster" }), podAttrs()), false);
  assertEquals(ruleMatches(rule({ scope: "Namespaced" }), podAttrs()), true);
  assertEquals(ruleMatches(rule({ scope: "Namespaced" }), node), false);
  assertEquals(ruleMatches(rule({ scope: "*" }), node), true);
});

Deno.test("namespaceSelector: labels of the namespace, a Namespace's own labels, cluster-scoped objects always", () => {
  const hook = webhook({ namespaceSelector: { matchLabels: { team: "metal" } } });
  const labels = (ns: string) =>
    ({ prod: { team: "metal" }, dev: { team: "other" } } as Record<string, Record<string, string>>)[ns];
  assertEquals(webhookMatches(hook, podAttrs({ namespace: "prod" }), labels), true);
  assertEquals(webhookMatches(hook, podAttrs({ namespace: "dev" }), labels), false);
  assertEquals(webhookMatches(hook, podAttrs({ namespace: "gone" }), labels), {
    code: 404,
    reason: "NotFound",
    message: 'namespaces "gone" not found',
  });
  const ns = (l: Record<string, string>): KubeObject => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "n", labels: l },
  });
  const nsAttrs = (l: Record<string, string>) =>
    podAttrs({ resource: CoreV1.namespaces, namespace: undefined, object: ns(l) });
  assertEquals(webhookMatches(hook, nsAttrs({ team: "metal" }), () => undefined), true);
  assertEquals(webhookMatches(hook, nsAttrs({}), () => undefined), false);
  assertEquals(webhookMatches(hook, podAttrs({ resource: CoreV1.nodes, namespace: undefined }), () => undefined), true);
  const expr = webhook({
    namespaceSelector: { matchExpressions: [{ key: "team", operator: "NotIn", values: ["metal"] }] },
  });
  assertEquals(webhookMatches(expr, podAttrs({ namespace: "prod" }), labels), false);
  assertEquals(webhookMatches(expr, podAttrs({ namespace: "dev" }), labels), true);
});

Deno.test("objectSelector: labels of the object or of the old object", () => {
  const hook = webhook({ objectSelector: { matchExpressions: [{ key: "app", operator: "Exists" }] } });
  const none = () => ({});
  assertEquals(webhookMatches(hook, podAttrs(), none), true);
  assertEquals(webhookMatches(hook, podAttrs({ object: { metadata: { name: "p" } } }), none), false);
  assertEquals(
    webhookMatches(
      hook,
      podAttrs({
        operation: "UPDATE",
        object: { metadata: { name: "p" } },
        oldObject: { metadata: { name: "p", labels: { app: "x" } } },
      }),
      none,
    ),
    true,
  );
  assertEquals(
    webhookMatches(
      hook,
      podAttrs({
        operation: "DELETE",
        object: undefined,
        oldObject: { metadata: { name: "p", labels: { app: "x" } } },
      }),
      none,
    ),
    true,
  );
  const bad = webhook({ objectSelector: { matchExpressions: [{ key: "app", operator: "In" }] } });
  const failure = webhookMatches(bad, podAttrs(), none);
  assertEquals(typeof failure === "object" && failure.code === 500 && /must be specified/.test(failure.message), true);
});

Deno.test("webhook configuration resources are never sent to webhooks", () => {
  assertEquals(isExemptFromWebhooks(AdmissionregistrationV1.mutatingWebhookConfigurations), true);
  assertEquals(isExemptFromWebhooks(AdmissionregistrationV1.validatingWebhookConfigurations), true);
  assertEquals(isExemptFromWebhooks(CoreV1.pods), false);
});

Deno.test("configuration parsing applies v1 defaults and reports invalid entries by field", () => {
  const w = webhook();
  assertEquals([w.failurePolicy, w.matchPolicy, w.timeoutSeconds, w.rules[0].scope], ["Fail", "Equivalent", 10, "*"]);
  const parsed = parseWebhookConfiguration({
    metadata: { name: "c" },
    webhooks: [{ name: "x", failurePolicy: "Ignore" }],
  });
  assertEquals(parsed[0].ok, false);
  if (!parsed[0].ok) {
    assertEquals(parsed[0].failurePolicy, "Ignore");
    assertEquals(/^webhooks\[0\]\.clientConfig/.test(parsed[0].error), true);
  }
  assertEquals(
    webhookConfigurationErrors({
      webhooks: [
        {
          name: "a",
          clientConfig: { url: "ftp://x" },
          sideEffects: "Some",
          admissionReviewVersions: ["v1"],
          timeoutSeconds: 31,
        },
        { name: "a", clientConfig: {}, sideEffects: "None" },
      ],
    }).map((e) => `${e.field} ${e.type}`),
    [
      "webhooks[0].clientConfig.url FieldValueInvalid",
      "webhooks[0].sideEffects FieldValueNotSupported",
      "webhooks[0].timeoutSeconds FieldValueInvalid",
      "webhooks[1].name FieldValueDuplicate",
      "webhooks[1].clientConfig FieldValueRequired",
      "webhooks[1].admissionReviewVersions FieldValueRequired",
    ],
  );
});
