/**
 * The sidecar → machine controller mapping: the arguments of the injected container are read with the machine
 * controller's own flag table and passed on; only the kubeconfigs (the pod's service account, the mounted shoot
 * kubeconfig) and the probe port are the playground's. A wrong injection is an error naming what is wrong.
 */
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import { mutateControlPlaneObject } from "../../src/extension/controlplanewebhook/mod.ts";
import { resolveMcmOptions } from "../../src/mcm/options.ts";
import { readManifestDir } from "../../src/playground/manifests.ts";
import {
  noSidecarMessage,
  parseMcmArgs,
  SIDECAR_CONTAINER,
  SidecarError,
  sidecarRun,
  subprocessArgs,
} from "../../src/playground/sidecar.ts";
import { controlPlaneObjects, shootObjects, shootTemplateFrom } from "../../src/sim/gardenlet/mod.ts";

const EXAMPLE = new URL("../../example/", import.meta.url).pathname;
const template = shootTemplateFrom(await readManifestDir(EXAMPLE));
const shoot = shootObjects(template, { name: "playground", index: 0, credentials: { apiToken: "t", projectId: "p" } });
const NS = shoot.technicalId;
const KUBECONFIG_DIR = "/var/run/secrets/gardener.cloud/shoot/generic-kubeconfig";

type Container = {
  name: string;
  command?: string[];
  args?: string[];
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
type Deployment = KubeObject & { spec: { template: { spec: { containers: Container[] } } } };

/** The sidecar as current Gardener's ProviderSidecarContainer shapes it. */
function sidecar(args?: string[]): Container {
  return {
    name: SIDECAR_CONTAINER,
    command: ["/provider-equinix-metal", "machine-controller"],
    args: args ?? [
      "--control-kubeconfig=inClusterConfig",
      "--kube-api-qps=100",
      "--kube-api-burst=200",
      "--machine-creation-timeout=20m",
      "--machine-drain-timeout=2h",
      "--machine-health-timeout=10m",
      "--machine-safety-apiserver-statuscheck-timeout=30s",
      "--machine-safety-apiserver-statuscheck-period=1m",
      "--machine-safety-orphan-vms-period=30m",
      `--namespace=${NS}`,
      "--port=10259",
      `--target-kubeconfig=${KUBECONFIG_DIR}/kubeconfig`,
      "--v=3",
    ],
    volumeMounts: [{ name: "kubeconfig", mountPath: KUBECONFIG_DIR }],
  };
}

function mcmWith(...extra: Container[]): Deployment {
  const d = controlPlaneObjects(shoot, shoot.worker).machineControllerManager as Deployment;
  d.spec.template.spec.containers.push(...extra);
  return d;
}

Deno.test("the machine controller runs with the sidecar's flags; only kubeconfigs and port are the playground's", () => {
  const run = sidecarRun(mcmWith(sidecar()));
  const { options, errors } = resolveMcmOptions(run.flags);
  assert.deepEqual(errors, []);
  assert.equal(options!.controller.namespace, NS);
  assert.equal(options!.controller.kubeApiQps, 100);
  assert.equal(options!.controller.kubeApiBurst, 200);
  assert.equal(options!.controller.machineSafetyOrphanVmsPeriodMs, 30 * 60_000);
  assert.equal(options!.verbosity, 3);
  assert.equal(run.flags.controlKubeconfig, undefined);
  assert.equal(run.flags.targetKubeconfig, undefined);
  assert.equal(run.flags.port, undefined);
  // A changed argument changes the controller: nothing is filled in behind the sidecar's back.
  const changed = sidecar();
  changed.args = changed.args!.map((a) => a === "--machine-creation-timeout=20m" ? "--machine-creation-timeout=7m" : a);
  const other = resolveMcmOptions(sidecarRun(mcmWith(changed)).flags).options!;
  assert.equal(other.controller.machineCreationTimeoutMs, 7 * 60_000);

  const args = subprocessArgs(run, {
    controlKubeconfig: "/tmp/x/kubeconfig",
    targetKubeconfig: "/tmp/x/shoot.kubeconfig",
    port: 40001,
    metalUrl: "http://127.0.0.1:4000",
  });
  assert.ok(args.includes(`--namespace=${NS}`) && args.includes("--machine-safety-orphan-vms-period=30m"));
  assert.deepEqual(args.slice(-5), [
    "--control-kubeconfig=/tmp/x/kubeconfig",
    "--target-kubeconfig=/tmp/x/shoot.kubeconfig",
    "--port=40001",
    "--address=127.0.0.1",
    "--metal-api-url=http://127.0.0.1:4000",
  ]);
  assert.deepEqual(parseMcmArgs(args, "x"), { ...run.flags, ...parseMcmArgs(args.slice(-5), "x") });
});

Deno.test("a missing or wrong injection is an error naming the deployment and what is wrong", () => {
  const fails = (d: Deployment, pattern: RegExp) =>
    assert.throws(() => sidecarRun(d), (e) => e instanceof SidecarError && pattern.test(e.message));
  fails(mcmWith(), /^no machine-controller-manager-provider-equinix-metal sidecar in deployment .*: are the webhooks/);
  assert.equal(
    noSidecarMessage(NS),
    `no machine-controller-manager-provider-equinix-metal sidecar in deployment ${NS}/machine-controller-manager: ` +
      "are the webhooks disabled?",
  );
  const without = (flag: string) => sidecar(sidecar().args!.filter((a) => !a.startsWith(flag)));
  fails(mcmWith(without("--control-kubeconfig")), /--control-kubeconfig must be inClusterConfig/);
  fails(mcmWith(without("--target-kubeconfig")), /--target-kubeconfig must be the kubeconfig of volume kubeconfig/);
  const unmounted = sidecar();
  unmounted.volumeMounts = [];
  fails(mcmWith(unmounted), /does not mount volume kubeconfig/);
  fails(mcmWith(sidecar([...sidecar().args!, "--no-such-flag=1"])), /unknown argument "--no-such-flag=1"/);
  fails(mcmWith(sidecar(), sidecar()), /injected 2 times/);
  fails(
    mcmWith({ ...sidecar(), command: ["/provider-equinix-metal", "extension"] }),
    /does not run machine-controller/,
  );
  fails(
    mcmWith(sidecar(sidecar().args!.map((a) => a.startsWith("--namespace=") ? "--namespace=other" : a))),
    /--namespace must be the shoot namespace/,
  );
});

Deno.test("the sidecar our controlplane webhook injects into gardenlet's Deployment runs as the machine controller", () => {
  const deployment = controlPlaneObjects(shoot, shoot.worker).machineControllerManager;
  const request = {
    operation: "CREATE" as const,
    namespace: NS,
    name: "machine-controller-manager",
    kind: { group: "apps", version: "v1", kind: "Deployment" },
    signal: new AbortController().signal,
  };
  const mutated = mutateControlPlaneObject(deployment, request, "example.org/provider-equinix-metal:v0");
  const run = sidecarRun(mutated);
  const { options, errors } = resolveMcmOptions(run.flags);
  assert.deepEqual(errors, []);
  assert.equal(options!.controller.namespace, NS);
  assert.equal(run.image, "example.org/provider-equinix-metal:v0");
  // gardenlet's re-apply (its spec without the sidecar) gets the same sidecar again, once.
  const again = mutateControlPlaneObject(
    controlPlaneObjects(shoot, shoot.worker).machineControllerManager,
    { ...request, operation: "UPDATE", oldObject: mutated },
    "example.org/provider-equinix-metal:v0",
  );
  assert.deepEqual(sidecarRun(again), run);
});
