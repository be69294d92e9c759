/**
 * The provider sidecar in gardenlet's `machine-controller-manager` Deployment, and its container policy in the
 * `machine-controller-manager-vpa` VPA: since Gardener v1.73 gardenlet deploys machine-controller-manager and each
 * provider injects only the container that runs its machine controller. The container is gardenlet's standard one
 * (`ProviderSidecarContainer`: arguments, probe, port, resources, security context, kubeconfig mount) with our image,
 * and the command of this binary's `machine-controller`. Pure: each function returns a new object.
 */
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { Container } from "kubernetes-types/core/v1.d.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { upsertOnce } from "./upsert.ts";

/** Gardener's name of the provider (the `provider-` extension name without its prefix). */
export const PROVIDER_NAME = "equinix-metal";
/** The sidecar's container name and the image vector entry of its image. */
export const SIDECAR_CONTAINER_NAME = `machine-controller-manager-provider-${PROVIDER_NAME}`;
/** gardenlet's names. */
export const MCM_DEPLOYMENT_NAME = "machine-controller-manager";
export const MCM_VPA_NAME = "machine-controller-manager-vpa";
/** The port of the sidecar's probes and metrics, which gardenlet's Service exposes as `providermetrics`. */
export const SIDECAR_PORT = 10259;
/** Where gardenlet mounts the generic token kubeconfig (volume `kubeconfig`, already in its Deployment). */
export const GENERIC_KUBECONFIG_DIR = "/var/run/secrets/gardener.cloud/shoot/generic-kubeconfig";
/** The binary and command our image runs (the image's entrypoint is the bare binary). */
export const SIDECAR_COMMAND: readonly string[] = ["/provider-equinix-metal", "machine-controller"];

/** Fields the API server defaults on a container; kept from the received sidecar so a re-applied object is unchanged. */
const SERVER_DEFAULTED = ["terminationMessagePath", "terminationMessagePolicy"] as const;

/** The sidecar for the shoot whose control plane lives in `namespace`, running `image`. Pure. */
export function providerSidecarContainer(namespace: string, image: string): Container {
  return {
    name: SIDECAR_CONTAINER_NAME,
    image,
    imagePullPolicy: "IfNotPresent",
    command: [...SIDECAR_COMMAND],
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
      `--namespace=${namespace}`,
      `--port=${SIDECAR_PORT}`,
      `--target-kubeconfig=${GENERIC_KUBECONFIG_DIR}/kubeconfig`,
      "--v=3",
    ],
    livenessProbe: {
      httpGet: { path: "/healthz", port: SIDECAR_PORT, scheme: "HTTP" },
      initialDelaySeconds: 30,
      timeoutSeconds: 5,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    },
    ports: [{ name: "providermetrics", containerPort: SIDECAR_PORT, protocol: "TCP" }],
    resources: { requests: { cpu: "10m", memory: "20Mi" } },
    securityContext: { allowPrivilegeEscalation: false },
    volumeMounts: [{ name: "kubeconfig", mountPath: GENERIC_KUBECONFIG_DIR, readOnly: true }],
  };
}

/**
 * The Deployment with our sidecar exactly once: a container of that name (a stale version, or several) is replaced
 * in place by the current one, otherwise it is appended. Pure.
 */
export function ensureMachineControllerManagerSidecar(
  deployment: Deployment & KubeObject,
  namespace: string,
  image: string,
): Deployment & KubeObject {
  const out = structuredClone(deployment);
  const podSpec = out.spec?.template?.spec;
  if (!out.spec?.template || !podSpec) {
    throw new Error(`Deployment ${namespace}/${deployment.metadata.name}: no pod template to add the sidecar to`);
  }
  const containers = podSpec.containers ?? [];
  const desired = providerSidecarContainer(namespace, image);
  const at = containers.findIndex((c) => c.name === SIDECAR_CONTAINER_NAME);
  if (at >= 0) {
    for (const field of SERVER_DEFAULTED) {
      const value = containers[at][field];
      if (value !== undefined) desired[field] = value;
    }
  }
  podSpec.containers = upsertOnce(containers, (c) => c.name === SIDECAR_CONTAINER_NAME, desired);
  return out;
}

/** A VerticalPodAutoscaler as far as we touch it. */
export interface VerticalPodAutoscaler extends KubeObject {
  spec?: {
    resourcePolicy?: { containerPolicies?: Array<{ containerName?: string; [field: string]: unknown }> };
    [field: string]: unknown;
  };
}

/**
 * The VPA with the sidecar's container policy (`controlledValues: RequestsOnly`, as gardenlet's
 * `ProviderSidecarVPAContainerPolicy`) exactly once, replacing one of the same container name. Pure.
 */
export function ensureMachineControllerManagerVPA(vpa: VerticalPodAutoscaler): VerticalPodAutoscaler {
  const out = structuredClone(vpa);
  out.spec ??= {};
  out.spec.resourcePolicy ??= {};
  const policies = out.spec.resourcePolicy.containerPolicies ?? [];
  const desired = { containerName: SIDECAR_CONTAINER_NAME, controlledValues: "RequestsOnly" };
  out.spec.resourcePolicy.containerPolicies = upsertOnce(
    policies,
    (p) => p.containerName === SIDECAR_CONTAINER_NAME,
    desired,
  );
  return out;
}
