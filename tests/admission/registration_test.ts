/** The ValidatingWebhookConfiguration the admission registers, in url and service mode, and its flags. */
import assert from "node:assert/strict";
import { webhookConfiguration } from "../../src/admission/registration.ts";
import { resolveAdmissionOptions } from "../../src/admission/options.ts";
import { decodeBase64Text } from "../../src/runtime/base64.ts";

type Entry = {
  name: string;
  rules: { resources: string[]; operations: string[] }[];
  objectSelector: { matchLabels: Record<string, string> };
  clientConfig: { url?: string; service?: Record<string, unknown>; caBundle: string };
  failurePolicy: string;
};

Deno.test("registration: one entry per kind group, selected by Gardener's provider labels, failing closed", () => {
  const config = webhookConfiguration({ mode: "url", url: "https://admission.garden/" }, "CA PEM");
  const entries = (config as unknown as { webhooks: Entry[] }).webhooks;
  assert.deepEqual(entries.map((e) => e.rules[0].resources), [
    ["shoots"],
    ["cloudprofiles", "namespacedcloudprofiles", "namespacedcloudprofiles/status"],
    ["secretbindings"],
    ["credentialsbindings"],
    ["workloadidentities"],
    ["secrets"],
  ]);
  for (const e of entries) {
    assert.equal(e.failurePolicy, "Fail");
    assert.equal(e.clientConfig.url, "https://admission.garden/webhooks/validate");
    assert.equal(decodeBase64Text(e.clientConfig.caBundle), "CA PEM");
    const label = e.rules[0].resources[0] === "secrets"
      ? "provider.shoot.gardener.cloud/equinixmetal"
      : "provider.extensions.gardener.cloud/equinixmetal";
    assert.deepEqual(e.objectSelector.matchLabels, { [label]: "true" });
  }
  assert.deepEqual(entries[3].rules[0].operations, ["CREATE"]);
});

Deno.test("registration: service mode names the Service; the flags resolve into either mode", () => {
  const base = {
    webhookConfigServiceName: "adm",
    webhookConfigServicePort: 443,
    webhookConfigServerAddress: ":10250",
    webhookConfigCertDir: "/certs",
    registerWebhooks: true,
    leaderElection: true,
    leaderElectionId: "lease",
    metricsBindAddress: ":8080",
    healthBindAddress: ":8081",
  };
  const service = resolveAdmissionOptions({ ...base, webhookConfigMode: "service", webhookConfigNamespace: "garden" });
  assert.deepEqual(service.webhookClient, { mode: "service", namespace: "garden", name: "adm", port: 443 });
  const entry = (webhookConfiguration(service.webhookClient, "x") as unknown as { webhooks: Entry[] }).webhooks[0];
  assert.deepEqual(entry.clientConfig.service, {
    namespace: "garden",
    name: "adm",
    port: 443,
    path: "/webhooks/validate",
  });
  const url = resolveAdmissionOptions({ ...base, webhookConfigMode: "url" });
  assert.deepEqual(url.webhookClient, { mode: "url", url: "https://adm.garden" });
  assert.deepEqual(url.probeAddresses, [":8080", ":8081"]);
  assert.deepEqual(url.leaderElection, { id: "lease", namespace: undefined });
});
