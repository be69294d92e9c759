import assert from "node:assert/strict";
import { resolveMcmOptions } from "../../../src/mcm/options.ts";
import { startApiServer } from "../../../src/sim/apiserver/mod.ts";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import { CoordinationV1, CoreV1, MachineV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { MetalSimulator } from "../../../src/sim/metal/mod.ts";
import type { Machine } from "../../../src/apis/machine/v1alpha1.ts";
import { loadCrds } from "../../../src/playground/crds.ts";
import { eventually } from "../../support/eventually.ts";
import { cliCommand } from "../../../src/playground/components.ts";

Deno.test("flags: MCM defaults", () => {
  const { options: flags, errors } = resolveMcmOptions({});
  assert.deepEqual(errors, []);
  assert.equal(flags!.listen, "0.0.0.0:10259");
  assert.equal(flags!.controller.namespace, "default");
  assert.equal(flags!.controller.machineCreationTimeoutMs, 20 * 60_000);
  assert.equal(flags!.controller.machineSafetyOrphanVmsPeriodMs, 15 * 60_000);
  assert.equal(flags!.controller.resourceExhaustedRetryMs, 10 * 60_000);
  assert.deepEqual(flags!.leaderElection, { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
});

Deno.test("flags: what gardenlet passes to the sidecar", () => {
  const { options: flags, errors } = resolveMcmOptions({
    controlKubeconfig: "inClusterConfig",
    kubeApiQps: "100",
    kubeApiBurst: "200",
    machineCreationTimeout: "20m",
    machineDrainTimeout: "2h",
    machineHealthTimeout: "10m",
    machineSafetyApiserverStatuscheckTimeout: "30s",
    machineSafetyApiserverStatuscheckPeriod: "1m",
    machineSafetyOrphanVmsPeriod: "30m",
    namespace: "shoot--p--c",
    port: "10259",
    targetKubeconfig: "/var/run/secrets/gardener.cloud/shoot/generic-kubeconfig/kubeconfig",
    v: "3",
  });
  assert.deepEqual(errors, []);
  assert.equal(flags!.controller.kubeApiQps, 100);
  assert.equal(flags!.controller.machineSafetyOrphanVmsPeriodMs, 30 * 60_000);
  assert.equal(flags!.controlKubeconfig, "inClusterConfig");
  assert.equal(flags!.verbosity, 3);
});

Deno.test("flags: validation errors name the flag (MCM's rules)", () => {
  const { options: flags, errors } = resolveMcmOptions({
    port: "70000",
    address: "not-an-ip",
    concurrentSyncs: "0",
    machineHealthTimeout: "-1m",
    machineDrainTimeout: "soon",
    machineSafetyApiserverStatuscheckPeriod: "10s",
    machineSafetyApiserverStatuscheckTimeout: "30s",
    contentionProfiling: "true",
    targetKubeconfig: "none",
    leaderElectLeaseDuration: "5s",
  });
  assert.equal(flags, undefined);
  for (
    const prefix of [
      "--port:",
      "--address:",
      "--concurrent-syncs:",
      "--machine-health-timeout:",
      "--machine-drain-timeout:",
      "--machine-safety-apiserver-statuscheck-period:",
      "--contention-profiling:",
      "--target-kubeconfig:",
      "--leader-elect-lease-duration:",
    ]
  ) {
    assert.ok(errors.some((e) => e.startsWith(prefix)), `${prefix} in ${JSON.stringify(errors)}`);
  }
  assert.deepEqual(resolveMcmOptions({ address: "::1" }).errors, []);
  assert.deepEqual(resolveMcmOptions({ leaderElect: "false", leaderElectLeaseDuration: "1s" }).errors, []);
});

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("machine-controller command: runs against two clusters and the Metal API, serves probes, holds the lease, stops on SIGTERM", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mc-cli-" });
  const control = await startApiServer({ namespaces: ["default", "kube-system", "shoot--cli"] });
  const target = await startApiServer();
  const sim = new MetalSimulator({ randomSeed: 3 });
  const metal = await sim.serve();
  const controlClient = new KubeClient(control.connection());
  let child: Deno.ChildProcess | undefined;
  try {
    await control.installCrds(loadCrds({ groups: ["machine"] }));
    await control.writeKubeconfig(`${dir}/control`);
    await target.writeKubeconfig(`${dir}/target`);
    await controlClient.create(CoreV1.secrets, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "worker", namespace: "shoot--cli" },
      stringData: { userData: "#!/bin/sh\necho <<BOOTSTRAP_TOKEN>>\n", apiToken: sim.defaultToken },
    } as never, { namespace: "shoot--cli" });
    await controlClient.create(MachineV1alpha1.machineClasses, {
      apiVersion: "machine.sapcloud.io/v1alpha1",
      kind: "MachineClass",
      metadata: { name: "worker", namespace: "shoot--cli" },
      provider: "EquinixMetal",
      providerSpec: {
        projectID: sim.defaultProjectId,
        metro: "ny",
        machineType: "c3.small.x86",
        billingCycle: "hourly",
        OS: "flatcar_stable",
        tags: ["kubernetes.io/cluster/shoot--cli", "kubernetes.io/role/node"],
      },
      secretRef: { name: "worker", namespace: "shoot--cli" },
    } as never, { namespace: "shoot--cli" });
    const port = freePort();
    child = new Deno.Command(Deno.execPath(), {
      args: cliCommand([
        "--log-level",
        "error",
        "machine-controller",
        `--control-kubeconfig=${dir}/control`,
        `--target-kubeconfig=${dir}/target`,
        "--namespace=shoot--cli",
        `--port=${port}`,
        "--address=127.0.0.1",
        `--metal-api-url=${metal.url}`,
        "--v=3",
      ]),
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const base = `http://127.0.0.1:${port}`;
    await eventually(async () => (await (await fetch(`${base}/readyz`)).text()).startsWith("ok"), {
      timeoutMs: 30_000,
      description: "readyz",
    });
    assert.equal(await (await fetch(`${base}/healthz`)).text(), "ok\n");
    // Created once the controller runs: for 30 s after it starts, the driver sends no create for a machine older than
    // itself (its predecessor's create may still appear).
    await controlClient.create(MachineV1alpha1.machines, {
      apiVersion: "machine.sapcloud.io/v1alpha1",
      kind: "Machine",
      metadata: { name: "cli-m1", namespace: "shoot--cli" },
      spec: { class: { kind: "MachineClass", name: "worker" } },
    } as never, { namespace: "shoot--cli" });
    const m = await eventually(async () => {
      const x = await controlClient.get<Machine>(MachineV1alpha1.machines, "cli-m1", { namespace: "shoot--cli" });
      return x.status?.currentStatus?.phase === "Pending" ? x : undefined;
    }, { timeoutMs: 30_000, description: "machine Pending" });
    assert.match(m.spec.providerID!, /^equinixmetal:\/\/ny\/[0-9a-f-]{36}$/);
    assert.equal(sim.devices({ projectId: sim.defaultProjectId }).length, 1);
    const lease = await controlClient.get(CoordinationV1.leases, "machine-controller", { namespace: "shoot--cli" });
    assert.ok((lease as { spec?: { holderIdentity?: string } }).spec?.holderIdentity);
    // The gauges are read from the controller's cache, which may see the Pending status a moment after we do.
    const wanted = [
      /^mcm_machine_items_total 1$/m,
      /^mcm_machine_current_status_phase\{name="cli-m1",namespace="shoot--cli"\} -2$/m,
      /^mcm_cloud_api_requests_total\{provider="EquinixMetal",service="CreateMachine"\} 1$/m,
    ];
    let metrics = "";
    await eventually(async () => {
      metrics = await (await fetch(`${base}/metrics`)).text();
      return wanted.every((re) => re.test(metrics));
    }, { timeoutMs: 10_000, description: "machine metrics" }).catch(() => {});
    for (const re of wanted) assert.match(metrics, re);
    child.kill("SIGTERM");
    const status = await child.status;
    const stderr = new TextDecoder().decode((await child.stderr.getReader().read()).value ?? new Uint8Array());
    assert.equal(status.code, 0, stderr);
    assert.ok(!stderr.includes(sim.defaultToken), "the API token is never printed");
    child = undefined;
  } finally {
    if (child) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await child.status;
      const rest = await new Response(child.stderr).text();
      if (rest) console.error(`machine-controller stderr:\n${rest.slice(-4000)}`);
    }
    controlClient.close();
    await metal.stop();
    sim.close();
    await control.stop();
    await target.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
