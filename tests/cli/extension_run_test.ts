/**
 * The `extension` command end to end: the real binary entry point as a subprocess against the fake API server (seed)
 * and the Metal simulator over HTTP, with the objects of example/ — the Infrastructure reaches gardenlet's
 * readiness, its key exists in the simulator, the heartbeat lease is renewed, leader election holds its lease, and
 * SIGTERM stops the process cleanly. Plus the in-process `startExtension` with its probes.
 */
import assert from "node:assert/strict";
import { resolveExtensionOptions } from "../../src/extension/options.ts";
import { startExtension } from "../../src/extension/app.ts";
import { startApiServer } from "../../src/sim/apiserver/mod.ts";
import { MetalSimulator } from "../../src/sim/metal/mod.ts";
import { MetalClient } from "../../src/metal/client.ts";
import { KubeClient } from "../../src/k8s/client/client.ts";
import { CoordinationV1, CoreV1, ExtensionsV1alpha1 } from "../../src/k8s/api/resources.ts";
import type { Lease } from "../../src/k8s/api/builtin_types.ts";
import type { Infrastructure } from "../../src/apis/extensions/v1alpha1.ts";
import { configureLogging } from "../../src/observability/log.ts";
import { parseManifests } from "../../src/playground/manifests.ts";
import { eventually } from "../support/eventually.ts";
import { extensionCrds, readinessProblems } from "../extension/reconciler/harness.ts";

configureLogging({ level: "error" });

const ROOT = new URL("../../", import.meta.url).pathname;
const NS = "shoot--garden--playground";

function resourceOf(kind: string) {
  const table: Record<string, typeof CoreV1.namespaces> = {
    Namespace: CoreV1.namespaces,
    Secret: CoreV1.secrets,
    Cluster: ExtensionsV1alpha1.clusters,
    Infrastructure: ExtensionsV1alpha1.infrastructures,
  };
  const res = table[kind];
  if (!res) throw new Error(`example kind ${kind} not handled by this test`);
  return res;
}

/** Applies example/10..30 with the simulator's credentials in place of the placeholders. */
async function applyExamples(client: KubeClient, token: string, project: string): Promise<void> {
  for (const file of ["10-cluster.yaml", "20-secret.yaml", "30-infrastructure.yaml"]) {
    const text = (await Deno.readTextFile(`${ROOT}example/${file}`))
      .replaceAll("${METAL_API_TOKEN}", token)
      .replaceAll("${METAL_PROJECT_ID}", project);
    for (const { object } of parseManifests(text, file)) await client.create(resourceOf(object.kind!), object);
  }
}

async function seed() {
  const api = await startApiServer({ namespaces: ["default", "kube-system", "garden"] });
  await api.installCrds(extensionCrds());
  return { api, client: new KubeClient(api.connection()) };
}

Deno.test("extension command: reconciles example/30-infrastructure.yaml to Succeeded, renews the heartbeat, stops on SIGTERM", async () => {
  const { api, client } = await seed();
  const sim = new MetalSimulator({ randomSeed: 3 });
  const served = await sim.serve();
  const dir = await Deno.makeTempDir({ prefix: "extension-run-" });
  let child: Deno.ChildProcess | undefined;
  try {
    await applyExamples(client, sim.defaultToken, sim.defaultProjectId);
    await api.writeKubeconfig(`${dir}/kubeconfig`);
    child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-P",
        "--quiet",
        `${ROOT}src/main.ts`,
        "--log-level",
        "info",
        "extension",
        "--kubeconfig",
        `${dir}/kubeconfig`,
        "--leader-election-namespace",
        "default",
        "--heartbeat-renew-interval-seconds",
        "1",
        "--metal-api-url",
        served.url,
        "--metrics-bind-address",
        "127.0.0.1:0",
        "--health-bind-address",
        "127.0.0.1:0",
        // Webhooks are started and registered in tests/extension/webhook and the playground.
        "--disable-webhooks=*",
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { LEADER_ELECTION_NAMESPACE: "" },
    }).spawn();
    const output = child.output();

    const infra = await eventually(async () => {
      const obj = await client.get<Infrastructure>(ExtensionsV1alpha1.infrastructures, "playground", { namespace: NS });
      return readinessProblems(obj).length === 0 ? obj : undefined;
    }, { timeoutMs: 30_000, description: "Infrastructure playground ready" });
    const sshKeyID = (infra.status?.providerStatus as { sshKeyID: string }).sshKeyID;
    const metal = new MetalClient({ token: sim.defaultToken, baseUrl: served.url });
    const key = await metal.sshKeys.get(sshKeyID);
    assert.equal(key.label, `${NS}-ssh-publickey`);
    assert.equal(infra.status?.lastOperation?.type, "Create");

    const lease = () =>
      client.get<Lease>(CoordinationV1.leases, "gardener-extension-heartbeat", { namespace: "default" });
    const first = await eventually(() => lease().catch(() => undefined), { description: "heartbeat lease" });
    assert.equal(first.spec?.holderIdentity, "provider-equinix-metal");
    assert.equal(first.spec?.leaseDurationSeconds, 1);
    await eventually(async () => (await lease()).spec?.renewTime !== first.spec?.renewTime, {
      timeoutMs: 10_000,
      description: "heartbeat renewed",
    });
    const leader = await client.get<Lease>(CoordinationV1.leases, "provider-equinix-metal-leader-election", {
      namespace: "default",
    });
    assert.ok(leader.spec?.holderIdentity, "the leader lease is held");

    child.kill("SIGTERM");
    const out = await output;
    child = undefined;
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr.slice(-2000));
    assert.ok(!stderr.includes(sim.defaultToken), "the API token never reaches the logs");
    assert.match(stderr, /Successfully reconciled infrastructure/);
  } finally {
    if (child) {
      child.kill("SIGKILL");
      await child.output();
    }
    client.close();
    sim.close();
    await served.stop();
    await api.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startExtension in-process: probes serve, readiness follows the caches, heartbeat without leader election, clean stop", async () => {
  const { api, client } = await seed();
  let ext: Awaited<ReturnType<typeof startExtension>> | undefined;
  try {
    const { options, errors } = resolveExtensionOptions({
      leaderElection: "false",
      controllers: ["infrastructure,heartbeat"],
      heartbeatNamespace: "default",
      metricsBindAddress: "127.0.0.1:0",
      healthBindAddress: "127.0.0.1:0",
      disableWebhooks: ["*"],
    }, {});
    assert.deepEqual(errors, []);
    ext = await startExtension({ options: options!, connection: api.connection() });
    assert.equal(ext.probeUrls.length, 2);
    const [health] = ext.probeUrls;
    assert.equal((await (await fetch(`${health}/healthz`)).text()).trim(), "ok");
    await eventually(async () => (await fetch(`${health}/readyz`).then((r) => r.text())).trim() === "ok", {
      description: "ready once the informers synced",
    });
    const metrics = await (await fetch(`${ext.probeUrls[1]}/metrics`)).text();
    assert.match(metrics, /controller_runtime_active_workers/);
    await eventually(() => client.get(CoordinationV1.leases, "gardener-extension-heartbeat", { namespace: "default" }));
    assert.equal(await ext.stop(), "signal");
    ext = undefined;
  } finally {
    await ext?.stop();
    client.close();
    await api.stop();
  }
});

Deno.test("startExtension: leader election needs a namespace; the error names the flag", async () => {
  const { options } = resolveExtensionOptions({ metricsBindAddress: "0", healthBindAddress: "0" }, {});
  await assert.rejects(
    startExtension({ options: options!, connection: { server: "http://127.0.0.1:1" } }),
    /--leader-election-namespace: required/,
  );
});
