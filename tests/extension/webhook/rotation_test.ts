/**
 * The webhook component against the fake API server (which validates MutatingWebhookConfigurations): the seed
 * configuration written by the leader only, certificates in Secrets, and a CA and serving-certificate rotation under
 * load on a fake clock during which every request succeeds and every published bundle verifies the served certificate.
 */
import assert from "node:assert/strict";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { Manager } from "../../../src/k8s/controller/manager.ts";
import { AdmissionregistrationV1, CoordinationV1, CoreV1 } from "../../../src/k8s/api/resources.ts";
import type { Secret } from "../../../src/k8s/api/builtin_types.ts";
import { microTime } from "../../../src/k8s/controller/leader_election.ts";
import { addWebhooks } from "../../../src/extension/webhook/add.ts";
import type { MutatingWebhookConfiguration } from "../../../src/extension/webhook/registration.ts";
import type { Webhook } from "../../../src/extension/webhook/webhook.ts";
import { FakeClock } from "../../../src/runtime/clock.ts";
import { decodeBase64Text } from "../../../src/runtime/base64.ts";
import { captureLogs } from "../../../src/observability/log.ts";
import { type ApiServer, startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { pumpUntil } from "../../support/fake_time.ts";
import { controlplaneWebhook, mcmDeployment, reviewBody } from "./webhook_fixtures.ts";

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const NAMESPACE = "extension-provider-equinix-metal-x1";
const SEED_CONFIG = "gardener-extension-provider-equinix-metal";

const shootWebhook: Webhook = {
  name: "shoot",
  path: "/shoot",
  target: "shoot",
  rules: [{ operations: ["CREATE", "UPDATE"], apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"] }],
  namespaceSelector: { matchExpressions: [{ key: "gardener.cloud/purpose", operator: "In", values: ["kube-system"] }] },
  objectSelector: { matchLabels: { app: "vpn-shoot" } },
  failurePolicy: "Ignore",
  mutate: (o) => Promise.resolve(o),
};

async function withCluster(fn: (api: ApiServer, client: KubeClient) => Promise<void>) {
  const api = await startApiServer({ bookmarkIntervalMs: 60_000, namespaces: ["default", "kube-system", NAMESPACE] });
  const client = new KubeClient(api.connection());
  const logs = captureLogs();
  try {
    await fn(api, client);
  } catch (e) {
    console.error(logs.lines.slice(-30).join("\n"));
    throw e;
  } finally {
    logs.restore();
    client.close();
    await api.stop();
  }
}

function startReplica(client: KubeClient, clock: FakeClock, opts: { leaderElection?: boolean; identity: string }) {
  const manager = new Manager({
    client,
    clock,
    leaderElection: opts.leaderElection
      ? { namespace: NAMESPACE, name: "webhook-test-leader", identity: opts.identity }
      : undefined,
    gracefulShutdownMs: 5_000,
  });
  const webhooks = addWebhooks(manager, {
    webhooks: [controlplaneWebhook(), shootWebhook],
    settings: { host: "127.0.0.1", port: 0, mode: "service", namespace: NAMESPACE, servicePort: 443 },
    client,
    extensionName: "provider-equinix-metal",
    reconcileIntervalMs: HOUR,
    reloadIntervalMs: 60_000,
    clock,
  });
  const stop = new AbortController();
  const done = manager.start(stop.signal);
  return {
    manager,
    webhooks,
    async stop() {
      stop.abort();
      await done;
    },
  };
}

async function seedConfig(client: KubeClient): Promise<MutatingWebhookConfiguration | undefined> {
  try {
    return await client.get<MutatingWebhookConfiguration>(
      AdmissionregistrationV1.mutatingWebhookConfigurations,
      SEED_CONFIG,
    );
  } catch {
    return undefined;
  }
}

function bundleOf(config: MutatingWebhookConfiguration | undefined): string | undefined {
  const b = config?.webhooks[0]?.clientConfig.caBundle;
  return b ? decodeBase64Text(b) : undefined;
}

function certCount(pem: string | undefined): number {
  return (pem ?? "").match(/BEGIN CERTIFICATE/g)?.length ?? 0;
}

async function secrets(client: KubeClient, name: string): Promise<Secret[]> {
  const list = await client.list<Secret>(CoreV1.secrets, { namespace: NAMESPACE, labelSelector: `name=${name}` });
  return list.items;
}

/** One review over a fresh TLS connection that trusts only `bundlePem`. */
async function reviewWith(port: number, bundlePem: string): Promise<void> {
  const client = Deno.createHttpClient({ caCerts: [bundlePem] });
  try {
    const res = await fetch(`https://127.0.0.1:${port}/controlplane`, {
      method: "POST",
      body: reviewBody(mcmDeployment()),
      client,
    });
    const review = await res.json();
    if (res.status !== 200 || review.response?.allowed !== true) throw new Error(`answer ${res.status}`);
  } finally {
    client.close();
  }
}

Deno.test("the seed configuration is written by the leader with Gardener's names, labels, owner and entries", async () => {
  await withCluster(async (_api, client) => {
    const clock = new FakeClock(Date.now());
    const replica = startReplica(client, clock, { identity: "a" });
    try {
      const config = await pumpUntil(clock, () => seedConfig(client), { what: "the seed configuration" });
      const ns = await client.get(CoreV1.namespaces, NAMESPACE);
      assert.equal(config.metadata.labels?.["remediation.webhook.shoot.gardener.cloud/exclude"], "true");
      assert.deepEqual(config.metadata.ownerReferences, [{
        apiVersion: "v1",
        kind: "Namespace",
        name: NAMESPACE,
        uid: ns.metadata.uid,
        controller: true,
        blockOwnerDeletion: false,
      }]);
      assert.equal(config.webhooks.length, 1, "only seed webhooks in the seed configuration");
      const entry = config.webhooks[0];
      assert.equal(entry.name, "controlplane.equinix-metal.extensions.gardener.cloud");
      assert.deepEqual(entry.clientConfig.service, {
        namespace: NAMESPACE,
        name: "gardener-extension-provider-equinix-metal",
        path: "/controlplane",
        port: 443,
      });
      assert.equal(entry.failurePolicy, "Fail");
      assert.equal(entry.sideEffects, "None");
      assert.equal(entry.matchPolicy, "Exact");
      assert.equal(entry.timeoutSeconds, 10);
      assert.deepEqual(entry.admissionReviewVersions, ["v1", "v1beta1"]);
      assert.equal(certCount(bundleOf(config)), 1);

      const cas = await secrets(client, "ca-provider-equinix-metal-webhook");
      assert.equal(cas.length, 1);
      assert.equal(cas[0].metadata.labels?.["managed-by"], "secrets-manager");
      assert.equal(cas[0].metadata.labels?.["manager-identity"], "gardener-extension-provider-equinix-metal-webhook");

      // The shoot configuration, for the ControlPlane controller: url-service mode, same bundle.
      const shoot = replica.webhooks.shootConfiguration()!;
      assert.equal(shoot.metadata.name, "gardener-extension-provider-equinix-metal-shoot");
      assert.equal(
        shoot.webhooks[0].clientConfig.url,
        `https://gardener-extension-provider-equinix-metal.${NAMESPACE}:443/shoot`,
      );
      assert.equal(shoot.webhooks[0].failurePolicy, "Ignore");
      assert.equal(shoot.webhooks[0].clientConfig.caBundle, config.webhooks[0].clientConfig.caBundle);

      const port = await pumpUntil(clock, () => replica.webhooks.port, { what: "the server" });
      await reviewWith(port, bundleOf(config)!);
    } finally {
      await replica.stop();
    }
  });
});

Deno.test("a replica that does not lead writes nothing and serves the leader's certificate", async () => {
  await withCluster(async (_api, client) => {
    const clock = new FakeClock(Date.now());
    // Someone else holds the lease (and keeps it: the fake clock never lets it expire here).
    await client.create(CoordinationV1.leases, {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "webhook-test-leader", namespace: NAMESPACE },
      spec: { holderIdentity: "other", leaseDurationSeconds: 3600, renewTime: microTime(clock.now()) },
    }, { namespace: NAMESPACE });
    const follower = startReplica(client, clock, { leaderElection: true, identity: "follower" });
    let leader: ReturnType<typeof startReplica> | undefined;
    try {
      for (let i = 0; i < 5; i++) await clock.advance(1000);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await seedConfig(client), undefined, "no seed configuration from a follower");
      assert.equal((await secrets(client, "ca-provider-equinix-metal-webhook")).length, 0, "no CA from a follower");
      assert.equal(follower.webhooks.port, undefined, "no certificate yet, so no server");

      // A replica without leader election (it always leads) issues the certificates; the follower then serves.
      leader = startReplica(client, clock, { identity: "leader" });
      const config = await pumpUntil(clock, () => seedConfig(client), { what: "the seed configuration" });
      const port = await pumpUntil(clock, () => follower.webhooks.port, { what: "the follower's server" });
      await reviewWith(port, bundleOf(config)!);
    } finally {
      await leader?.stop();
      await follower.stop();
    }
  });
});

Deno.test("requests keep succeeding across a CA and a serving-certificate rotation; the bundle holds old and new CA during the overlap", async () => {
  await withCluster(async (_api, client) => {
    // TLS checks certificates against the wall clock: start 24 days and 6 hours back, so that the CA falls due for
    // renewal (80% of 30 days) 6 hours before real now. Every certificate issued up to 7 hours after that (its
    // notBefore is backdated by an hour) is valid in real time, however many hour steps a loaded machine needs to
    // publish the new CA and switch the server to it.
    const clock = new FakeClock(Date.now() - 24 * DAY - 6 * HOUR);
    const replica = startReplica(client, clock, { identity: "a" });
    const failures: string[] = [];
    let requests = 0;
    let stopLoad = false;
    let load: Promise<void> | undefined;
    try {
      const first = await pumpUntil(clock, () => seedConfig(client), { what: "the seed configuration" });
      const firstCa = bundleOf(first)!;
      const port = await pumpUntil(clock, () => replica.webhooks.port, { what: "the server" });

      // Load: fresh connections trusting exactly what the seed configuration and the shoot configuration publish.
      load = (async () => {
        while (!stopLoad) {
          const seedBundle = bundleOf(await seedConfig(client))!;
          const shootBundle = decodeBase64Text(
            replica.webhooks.shootConfiguration()!.webhooks[0].clientConfig.caBundle,
          );
          for (const [what, bundle] of [["seed", seedBundle], ["shoot", shootBundle]]) {
            requests++;
            await reviewWith(port, bundle).catch((e) => failures.push(`${what}: ${e.message}`));
          }
        }
      })();

      // Skip the quiet weeks (pending timers fall due at the next step).
      clock.set(clock.now() + 24 * DAY - 4 * HOUR);

      // Rotation: a second CA appears; the bundle carries both before the server switches to the new one.
      let sawOverlap = false;
      await pumpUntil(clock, async () => {
        const bundle = bundleOf(await seedConfig(client));
        if (certCount(bundle) === 2 && bundle!.includes(firstCa.trim())) sawOverlap = true;
        const servers = await secrets(client, "provider-equinix-metal-webhook-server");
        const cas = await secrets(client, "ca-provider-equinix-metal-webhook");
        return cas.length === 2 && servers.length === 1 &&
          servers[0].metadata.labels?.["signing-ca"] !== cas.find((c) =>
              firstCa.includes(
                decodeBase64Text(c.data!["ca.crt"]).trim(),
              )
            )?.metadata.name;
      }, { what: "the switch to the new CA", stepMs: HOUR, maxMs: 30 * DAY, realMs: 60_000 });
      assert.ok(sawOverlap, "the seed bundle carried the old and the new CA");
      const during = bundleOf(await seedConfig(client))!;
      assert.equal(certCount(during), 2);
      assert.ok(during.includes(firstCa.trim()), "the old CA is still in the bundle after the switch");
      // The replica picked up the new certificate.
      await pumpUntil(clock, async () => {
        const servers = await secrets(client, "provider-equinix-metal-webhook-server");
        return decodeBase64Text(servers[0].data!["tls.crt"]) === replica.webhooks.servingCertificate();
      }, { what: "the reload", stepMs: 60_000 });
      const before = requests;
      while (requests < before + 6) await new Promise((r) => setTimeout(r, 10));

      // After the overlap the old CA leaves the bundle and its Secret goes.
      await pumpUntil(clock, async () => {
        const bundle = bundleOf(await seedConfig(client));
        return certCount(bundle) === 1 && !bundle!.includes(firstCa.trim()) &&
          (await secrets(client, "ca-provider-equinix-metal-webhook")).length === 1;
      }, { what: "the old CA to leave", stepMs: HOUR, maxMs: 2 * DAY, realMs: 60_000 });
      const after = requests;
      while (requests < after + 6) await new Promise((r) => setTimeout(r, 10));
    } finally {
      stopLoad = true;
      await load;
      await replica.stop();
    }
    assert.deepEqual(failures, []);
    assert.ok(requests > 20, `only ${requests} requests were made`);
  });
});
