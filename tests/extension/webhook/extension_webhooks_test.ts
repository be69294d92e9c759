/** The webhooks inside `startExtension`: a given list is served and registered; `--disable-webhooks` and the flags. */
import assert from "node:assert/strict";
import { resolveExtensionOptions } from "../../../src/extension/options.ts";
import { addExtensionWebhooks, startExtension } from "../../../src/extension/app.ts";
import { Manager } from "../../../src/k8s/controller/manager.ts";
import { ControlPlaneHarness } from "../controlplane/harness.ts";
import { startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { AdmissionregistrationV1, CoreV1 } from "../../../src/k8s/api/resources.ts";
import type { MutatingWebhookConfiguration } from "../../../src/extension/webhook/registration.ts";
import { configureLogging, getLogger } from "../../../src/observability/log.ts";
import { decodeBase64Text } from "../../../src/runtime/base64.ts";
import { eventually } from "../../support/eventually.ts";
import { controlplaneWebhook, mcmDeployment, reviewBody } from "./webhook_fixtures.ts";

configureLogging({ level: "error" });
const NS = "extension-provider-equinix-metal-x1";

Deno.test("startExtension serves the given webhooks, registers them and writes the cert dir", async () => {
  const api = await startApiServer({ namespaces: ["default", NS] });
  const client = new KubeClient(api.connection());
  const certDir = await Deno.makeTempDir({ prefix: "webhook-certs-" });
  let ext: Awaited<ReturnType<typeof startExtension>> | undefined;
  try {
    const { options, errors } = resolveExtensionOptions({
      leaderElection: "false",
      controllers: ["infrastructure"],
      metricsBindAddress: "0",
      healthBindAddress: "0",
      webhookConfigServerHost: "127.0.0.1",
      webhookConfigServerPort: "0",
      webhookConfigCertDir: certDir,
    }, { WEBHOOK_CONFIG_NAMESPACE: NS });
    assert.deepEqual(errors, []);
    ext = await startExtension({ options: options!, connection: api.connection(), webhooks: [controlplaneWebhook()] });
    const config = await eventually(() =>
      client.get<MutatingWebhookConfiguration>(
        AdmissionregistrationV1.mutatingWebhookConfigurations,
        "gardener-extension-provider-equinix-metal",
      )
    );
    const port = await eventually(() => ext!.webhooks?.port);
    const bundle = decodeBase64Text(config.webhooks[0].clientConfig.caBundle);
    const http = Deno.createHttpClient({ caCerts: [bundle] });
    try {
      const res = await fetch(`https://127.0.0.1:${port}/controlplane`, {
        method: "POST",
        body: reviewBody(mcmDeployment()),
        client: http,
      });
      assert.equal((await res.json()).response.patchType, "JSONPatch");
    } finally {
      http.close();
    }
    await eventually(async () =>
      (await Deno.readTextFile(`${certDir}/tls.crt`)) === ext!.webhooks!.servingCertificate()
    );
    assert.equal((await Deno.stat(`${certDir}/tls.key`)).mode! & 0o777, 0o600);
    assert.equal(await ext.stop(), "signal");
    ext = undefined;
  } finally {
    await ext?.stop();
    client.close();
    await api.stop();
    await Deno.remove(certDir, { recursive: true });
  }
});

Deno.test("startExtension: --disable-webhooks=* serves nothing; service mode without a namespace names the flag", async () => {
  const base = {
    leaderElection: "false",
    controllers: ["infrastructure"],
    metricsBindAddress: "0",
    healthBindAddress: "0",
  };
  const api = await startApiServer({ namespaces: ["default"] });
  try {
    const off = resolveExtensionOptions({ ...base, disableWebhooks: ["*"] }, {}).options!;
    const ext = await startExtension({ options: off, connection: api.connection(), webhooks: [controlplaneWebhook()] });
    assert.equal(ext.webhooks, undefined);
    await ext.stop();
    const noNamespace = resolveExtensionOptions(base, {}).options!;
    await assert.rejects(
      startExtension({ options: noNamespace, connection: api.connection(), webhooks: [controlplaneWebhook()] }),
      /--webhook-config-namespace: required with --webhook-config-mode=service/,
    );
  } finally {
    await api.stop();
  }
});

Deno.test("every new bundle is published into the shoots' webhook configuration MR before it counts as published", async () => {
  const h = await ControlPlaneHarness.start();
  const stop = new AbortController();
  let done: Promise<void> | undefined;
  try {
    await h.client.create(CoreV1.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    await h.createControlPlane();
    const { options } = resolveExtensionOptions({
      leaderElection: "false",
      controllers: ["controlplane"],
      webhookConfigServerHost: "127.0.0.1",
      webhookConfigServerPort: "0",
      webhookConfigCertDir: "",
    }, { WEBHOOK_CONFIG_NAMESPACE: NS });
    const manager = new Manager({ client: h.client, clock: h.clock });
    const shoot = { ...controlplaneWebhook(), name: "shoot", path: "/shoot", target: "shoot" as const };
    const added = addExtensionWebhooks(manager, [controlplaneWebhook(), shoot], {
      options: options!,
      client: h.client,
      clock: h.clock,
      log: getLogger("test"),
    })!;
    done = manager.start(stop.signal);
    const bundle = await eventually(() => added.certificates.bundle());
    const [config] = await h.manifests("extension-controlplane-shoot-webhooks");
    const entry = (config as unknown as MutatingWebhookConfiguration).webhooks[0];
    assert.equal(entry.name, "shoot.equinix-metal.extensions.gardener.cloud");
    assert.equal(decodeBase64Text(entry.clientConfig.caBundle), bundle);
    assert.equal(added.shootConfiguration()?.webhooks[0].clientConfig.caBundle, entry.clientConfig.caBundle);
  } finally {
    stop.abort();
    await done;
    await h.close();
  }
});
