/**
 * Without a certificate directory the admission manages its certificates like the extension's webhooks: a CA and a
 * serving certificate in Secrets of the garden namespace, the CA bundle in its ValidatingWebhookConfiguration, and the
 * server answering over TLS with a certificate that bundle verifies.
 */
import assert from "node:assert/strict";
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { startAdmission } from "../../src/admission/app.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { AdmissionregistrationV1, CoreV1 } from "../../src/k8s/api/resources.ts";
import { GARDEN_CRD_GROUP, loadCrds } from "../../src/playground/crds.ts";
import { decodeBase64Text } from "../../src/runtime/base64.ts";

Deno.test("admission: managed certificates in the garden, the bundle registered, the server trusted through it", async () => {
  const garden = await startApiServer({ namespaces: ["default", "garden"] });
  await garden.installCrds(loadCrds({ groups: [GARDEN_CRD_GROUP] }));
  const client = new KubeClient(garden.connection());
  const admission = await startAdmission({
    options: {
      webhookClient: { mode: "url", url: "https://127.0.0.1" },
      serverAddress: "127.0.0.1:0",
      certNamespace: "garden",
      registerWebhooks: true,
      leaderElection: { id: "admission-certs", namespace: "garden" },
      probeAddresses: [],
    },
    connection: garden.connection(),
  });
  try {
    await admission.registered;
    const config = await client.get<
      { metadata: { name?: string }; webhooks: { clientConfig: { caBundle: string } }[] }
    >(
      AdmissionregistrationV1.validatingWebhookConfigurations,
      "gardener-extension-admission-equinixmetal",
    );
    const bundle = decodeBase64Text(config.webhooks[0].clientConfig.caBundle);
    assert.match(bundle, /BEGIN CERTIFICATE/);
    const secrets = await client.list(CoreV1.secrets, { namespace: "garden" });
    assert.ok(
      secrets.items.length >= 2,
      `CA and serving certificate in Secrets: ${secrets.items.map((s) => s.metadata.name)}`,
    );
    const http = Deno.createHttpClient({ caCerts: [bundle] });
    try {
      const res = await fetch(`${admission.url}/webhooks/validate`, { method: "POST", body: "{}", client: http });
      assert.equal(res.status, 400, "reached over TLS, verified by the registered bundle");
      await res.body?.cancel();
    } finally {
      http.close();
    }
  } finally {
    client.close();
    await admission.stop();
    await garden.stop();
  }
});
