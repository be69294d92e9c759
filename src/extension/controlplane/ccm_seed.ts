/**
 * The Equinix Metal cloud-controller-manager in the shoot namespace of the seed (pure renderers): Deployment, Service,
 * VPA, PDB, ServiceMonitor and PrometheusRule as current Gardener's shoot monitoring and network policies expect them,
 * carried by the seed-class ManagedResource the generic actuator writes.
 * The CCM talks only to the shoot's kube-apiserver (generic token kubeconfig plus its shoot access token) and the
 * Equinix Metal API (credentials from the `cloudprovider` Secret, whose checksum restarts it when they change).
 */
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { EnvVar, Service } from "kubernetes-types/core/v1.d.ts";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.d.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import {
  type ControlPlaneValues,
  DELETE_ON_INVALID_UPDATE,
  GENERIC_KUBECONFIG_PATH,
  genericKubeconfigVolume,
} from "../genericcontrolplane/mod.ts";
import { findImage, IMAGE_CLOUD_CONTROLLER_MANAGER, type ImageVector } from "../imagevector/mod.ts";
import { METALLB_CONFIG_MAP } from "./metallb.ts";

/** Name of the CCM's Deployment, Service, PDB and shoot ServiceAccount. */
export const CCM_NAME = "cloud-controller-manager";
/** The CCM's secure port (cloud-provider's default): metrics and health. */
export const CCM_PORT = 10258;
/** Gardener's monitoring object names of the CCM. */
export const CCM_MONITORING_NAME = "shoot-cloud-controller-manager";
/** The Secret gardenlet fills with the shoot's credentials (`apiToken`, `projectID`). */
export const CLOUDPROVIDER_SECRET = "cloudprovider";

/** Labels selecting the CCM pods (those of Gardener's other CCMs). */
export const CCM_SELECTOR = { app: "kubernetes", role: CCM_NAME } as const;

/** The CCM's seed objects. */
export function ccmSeedObjects(values: ControlPlaneValues, images: ImageVector): KubeObject[] {
  const ns = values.namespace;
  return [
    ccmDeployment(values, images),
    ccmService(ns),
    ccmPodDisruptionBudget(ns),
    ccmVpa(ns),
    ccmServiceMonitor(ns),
    ccmPrometheusRule(ns),
  ];
}

function secretEnv(name: string, key: string): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: CLOUDPROVIDER_SECRET, key } } };
}

/** The CCM Deployment (`values.replicas`: 0 while the shoot is hibernated). */
export function ccmDeployment(values: ControlPlaneValues, images: ImageVector): KubeObject {
  const shoot = values.cluster.shoot;
  const { volume, mount } = genericKubeconfigVolume(CCM_NAME, values.genericTokenKubeconfigSecretName);
  const env: EnvVar[] = [secretEnv("METAL_API_KEY", "apiToken"), secretEnv("METAL_PROJECT_ID", "projectID")];
  if (shoot.spec.region) env.push({ name: "METAL_METRO_NAME", value: shoot.spec.region });
  env.push({ name: "METAL_LOAD_BALANCER", value: `metallb:///kube-system/${METALLB_CONFIG_MAP}` });
  const deployment: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: CCM_NAME,
      namespace: values.namespace,
      labels: {
        ...CCM_SELECTOR,
        "gardener.cloud/role": "controlplane",
        "high-availability-config.resources.gardener.cloud/type": "controller",
      },
      // The Go provider's Deployment of this name selects `app=cloud-controller-manager`; a selector cannot change.
      annotations: { [DELETE_ON_INVALID_UPDATE]: "true" },
    },
    spec: {
      replicas: values.replicas,
      revisionHistoryLimit: 1,
      selector: { matchLabels: { ...CCM_SELECTOR } },
      template: {
        metadata: {
          annotations: { ...values.checksums },
          labels: {
            ...CCM_SELECTOR,
            "gardener.cloud/role": "controlplane",
            "networking.gardener.cloud/to-dns": "allowed",
            "networking.gardener.cloud/to-public-networks": "allowed",
            "networking.resources.gardener.cloud/to-kube-apiserver-tcp-443": "allowed",
          },
        },
        spec: {
          automountServiceAccountToken: false,
          priorityClassName: "gardener-system-300",
          containers: [{
            name: CCM_NAME,
            image: findImage(images, IMAGE_CLOUD_CONTROLLER_MANAGER),
            imagePullPolicy: "IfNotPresent",
            args: [
              "--cloud-provider=equinixmetal",
              "--allow-untagged-cloud=true",
              "--leader-elect=true",
              `--secure-port=${CCM_PORT}`,
              `--kubeconfig=${GENERIC_KUBECONFIG_PATH}`,
              `--authentication-kubeconfig=${GENERIC_KUBECONFIG_PATH}`,
              `--authorization-kubeconfig=${GENERIC_KUBECONFIG_PATH}`,
              "--authentication-skip-lookup=true",
              "--v=2",
            ],
            env,
            ports: [{ name: "metrics", containerPort: CCM_PORT, protocol: "TCP" }],
            livenessProbe: {
              httpGet: { path: "/healthz", port: CCM_PORT, scheme: "HTTPS" },
              initialDelaySeconds: 15,
              periodSeconds: 10,
              timeoutSeconds: 15,
              successThreshold: 1,
              failureThreshold: 2,
            },
            resources: { requests: { cpu: "20m", memory: "64Mi" } },
            securityContext: { allowPrivilegeEscalation: false },
            volumeMounts: [mount],
          }],
          volumes: [volume],
        },
      },
    },
  };
  return deployment as KubeObject;
}

/** The metrics Service the ServiceMonitor scrapes; prometheus may reach the port through Gardener's policies. */
export function ccmService(namespace: string): KubeObject {
  const service: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: CCM_NAME,
      namespace,
      labels: { ...CCM_SELECTOR },
      annotations: {
        "networking.resources.gardener.cloud/from-all-scrape-targets-allowed-ports":
          `[{"protocol":"TCP","port":${CCM_PORT}}]`,
      },
    },
    spec: {
      type: "ClusterIP",
      clusterIP: "None",
      selector: { ...CCM_SELECTOR },
      ports: [{ name: "metrics", port: CCM_PORT, protocol: "TCP", targetPort: CCM_PORT }],
    },
  };
  return service as KubeObject;
}

/** PDB of the CCM (Gardener's default for single-replica controllers). */
export function ccmPodDisruptionBudget(namespace: string): KubeObject {
  const pdb: PodDisruptionBudget = {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: CCM_NAME, namespace, labels: { ...CCM_SELECTOR } },
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: { ...CCM_SELECTOR } },
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    },
  };
  return pdb as KubeObject;
}

/** VPA of the CCM: requests only, no limits. */
export function ccmVpa(namespace: string): KubeObject {
  return {
    apiVersion: "autoscaling.k8s.io/v1",
    kind: "VerticalPodAutoscaler",
    metadata: { name: `${CCM_NAME}-vpa`, namespace },
    spec: {
      targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: CCM_NAME },
      updatePolicy: { updateMode: "Recreate" },
      resourcePolicy: {
        containerPolicies: [{
          containerName: CCM_NAME,
          controlledValues: "RequestsOnly",
          minAllowed: { memory: "64Mi" },
        }],
      },
    },
  } as KubeObject;
}

/** The shoot Prometheus' scrape configuration of the CCM. */
export function ccmServiceMonitor(namespace: string): KubeObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: CCM_MONITORING_NAME, namespace, labels: { prometheus: "shoot" } },
    spec: {
      selector: { matchLabels: { ...CCM_SELECTOR } },
      endpoints: [{
        port: "metrics",
        scheme: "https",
        tlsConfig: { insecureSkipVerify: true },
        authorization: { credentials: { name: "shoot-access-prometheus-shoot", key: "token" } },
        relabelings: [{ action: "labelmap", regex: "__meta_kubernetes_service_label_(.+)" }],
        metricRelabelings: [{
          sourceLabels: ["__name__"],
          action: "keep",
          regex: "^(rest_client_requests_total|process_max_fds|process_open_fds)$",
        }],
      }],
    },
  } as KubeObject;
}

/** The alert the shoot Prometheus raises while no CCM is up. */
export function ccmPrometheusRule(namespace: string): KubeObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: CCM_MONITORING_NAME, namespace, labels: { prometheus: "shoot" } },
    spec: {
      groups: [{
        name: "cloud-controller-manager.rules",
        rules: [{
          alert: "CloudControllerManagerDown",
          expr: `absent(up{job="${CCM_NAME}"} == 1)`,
          for: "15m",
          labels: { service: CCM_NAME, severity: "critical", type: "seed", visibility: "all" },
          annotations: {
            summary: "Cloud controller manager is down.",
            description: "Nodes are not initialised or removed and LoadBalancer services get no addresses " +
              "while no cloud-controller-manager runs.",
          },
        }],
      }],
    },
  } as KubeObject;
}
