/**
 * The provider sidecar: gardenlet's standard container (ProviderSidecarContainer of current Gardener) with our image
 * and command, present exactly once whatever the Deployment held before; and its VPA container policy.
 */
import assert from "node:assert/strict";
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { Container } from "kubernetes-types/core/v1.d.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import {
  ensureMachineControllerManagerSidecar,
  ensureMachineControllerManagerVPA,
  providerSidecarContainer,
  SIDECAR_CONTAINER_NAME,
  SIDECAR_PORT,
  type VerticalPodAutoscaler,
} from "../../../src/extension/controlplanewebhook/mcm_sidecar.ts";
import { cli } from "../../../src/cli/root.ts";
import { parse } from "../../../src/cli/parser.ts";
import { type RawMcmOptions, resolveMcmOptions } from "../../../src/mcm/options.ts";
import { mutateControlPlaneObject } from "../../../src/extension/controlplanewebhook/webhooks.ts";
import { mcmDeployment, mcmVPA, NS, request, serverDefaults } from "./fixtures.ts";

const IMAGE = "registry.example/provider-equinix-metal:v1.2.3";

function containersOf(d: KubeObject): Container[] {
  return (d as Deployment).spec!.template.spec!.containers;
}

function withContainers(d: KubeObject, containers: Container[]): Deployment & KubeObject {
  const out = structuredClone(d) as Deployment & KubeObject;
  out.spec!.template.spec!.containers = containers;
  return out;
}

Deno.test("sidecar: the container of gardenlet's ProviderSidecarContainer, with --namespace of the shoot", () => {
  assert.deepEqual(providerSidecarContainer(NS, IMAGE), {
    name: "machine-controller-manager-provider-equinix-metal",
    image: IMAGE,
    imagePullPolicy: "IfNotPresent",
    command: ["/provider-equinix-metal", "machine-controller"],
    args: [
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
      "--target-kubeconfig=/var/run/secrets/gardener.cloud/shoot/generic-kubeconfig/kubeconfig",
      "--v=3",
    ],
    livenessProbe: {
      httpGet: { path: "/healthz", port: 10259, scheme: "HTTP" },
      initialDelaySeconds: 30,
      timeoutSeconds: 5,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    },
    ports: [{ name: "providermetrics", containerPort: 10259, protocol: "TCP" }],
    resources: { requests: { cpu: "10m", memory: "20Mi" } },
    securityContext: { allowPrivilegeEscalation: false },
    volumeMounts: [{
      name: "kubeconfig",
      mountPath: "/var/run/secrets/gardener.cloud/shoot/generic-kubeconfig",
      readOnly: true,
    }],
  });
});

Deno.test("sidecar: the mount's volume is gardenlet's (the sidecar adds no volume)", () => {
  const input = mcmDeployment() as Deployment & KubeObject;
  const out = ensureMachineControllerManagerSidecar(input, NS, IMAGE);
  assert.deepEqual(out.spec!.template.spec!.volumes, input.spec!.template.spec!.volumes);
  assert.ok(out.spec!.template.spec!.volumes!.some((v) => v.name === "kubeconfig"));
});

Deno.test("sidecar: a stale version (old image, old args, other position) is replaced in place, exactly once", () => {
  const base = mcmDeployment();
  const [mcm] = containersOf(base);
  const stale: Container = {
    name: SIDECAR_CONTAINER_NAME,
    image:
      "europe-docker.pkg.dev/gardener-project/releases/gardener/machine-controller-manager-provider-equinix-metal:v0.7.0",
    args: ["--namespace=elsewhere", "--v=5"],
    env: [{ name: "LEFTOVER", value: "1" }],
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  };
  const other: Container = { name: "debug", image: "busybox" };
  const input = withContainers(base, [stale, mcm, other, { ...stale, image: "duplicate" }]);
  const out = ensureMachineControllerManagerSidecar(input, NS, IMAGE);
  assert.deepEqual(containersOf(out).map((c) => c.name), [
    SIDECAR_CONTAINER_NAME,
    "machine-controller-manager",
    "debug",
  ]);
  assert.deepEqual(containersOf(out)[0], {
    ...providerSidecarContainer(NS, IMAGE),
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  });
  assert.equal(containersOf(input).length, 4, "the input is not modified");
});

Deno.test("sidecar: the API server's container defaults are kept, so the stored Deployment needs no patch", () => {
  const once = serverDefaults(
    ensureMachineControllerManagerSidecar(mcmDeployment() as Deployment & KubeObject, NS, IMAGE),
  );
  assert.deepEqual(ensureMachineControllerManagerSidecar(once, NS, IMAGE), once);
});

Deno.test("sidecar: on CREATE the namespace comes from the request (the object may not carry one yet)", () => {
  const input = mcmDeployment();
  delete (input.metadata as { namespace?: string }).namespace;
  const out = mutateControlPlaneObject(input, request(input, "CREATE"), IMAGE);
  const sidecar = containersOf(out).find((c) => c.name === SIDECAR_CONTAINER_NAME)!;
  assert.ok(sidecar.args!.includes(`--namespace=${NS}`));
});

Deno.test("sidecar VPA: a stale policy for the sidecar is replaced; gardenlet's policies stay", () => {
  const vpa = mcmVPA() as VerticalPodAutoscaler;
  vpa.spec!.resourcePolicy!.containerPolicies!.unshift(
    { containerName: SIDECAR_CONTAINER_NAME, controlledValues: "RequestsAndLimits", mode: "Off" },
    { containerName: SIDECAR_CONTAINER_NAME, controlledValues: "RequestsAndLimits" },
  );
  const out = ensureMachineControllerManagerVPA(vpa);
  assert.deepEqual(out.spec!.resourcePolicy!.containerPolicies, [
    { containerName: SIDECAR_CONTAINER_NAME, controlledValues: "RequestsOnly" },
    { containerName: "machine-controller-manager", controlledValues: "RequestsOnly", minAllowed: { memory: "64Mi" } },
  ]);
  assert.equal(vpa.spec!.resourcePolicy!.containerPolicies!.length, 3, "the input is not modified");
});

Deno.test("sidecar: its command and arguments are a valid machine-controller invocation of this binary", () => {
  const sidecar = providerSidecarContainer(NS, IMAGE);
  const [binary, ...commandArgs] = sidecar.command!;
  assert.equal(binary, "/provider-equinix-metal");
  const invocation = parse(cli, [...commandArgs, ...sidecar.args!], () => undefined);
  assert.equal(invocation.kind, "run");
  if (invocation.kind !== "run") return;
  assert.equal(invocation.command.name, "machine-controller");
  const { options, errors } = resolveMcmOptions(invocation.values as RawMcmOptions);
  assert.deepEqual(errors, []);
  assert.equal(options!.controller.namespace, NS);
  assert.ok(options!.listen.endsWith(`:${SIDECAR_PORT}`), options!.listen);
  assert.equal(options!.controlKubeconfig, "inClusterConfig");
});
