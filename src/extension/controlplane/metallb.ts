/**
 * MetalLB in the shoot (pure renderers): Equinix Metal has no cloud load balancer the CCM could program, so
 * LoadBalancer Services get Elastic IPs announced over BGP by MetalLB. The CCM (`METAL_LOAD_BALANCER=metallb://...`)
 * reserves the IPs and writes MetalLB's configuration ConfigMap (address pools, BGP peers per node); MetalLB 0.12 is the
 * last release configured through that ConfigMap. The controller assigns addresses, the speaker (host network) announces
 * them. Everything lives in kube-system with least-privilege RBAC.
 */
import type { DaemonSet, Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { PolicyRule } from "kubernetes-types/rbac/v1.d.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { findImage, IMAGE_METALLB_CONTROLLER, IMAGE_METALLB_SPEAKER, type ImageVector } from "../imagevector/mod.ts";

/** MetalLB's configuration ConfigMap in kube-system, whose content the CCM owns. */
export const METALLB_CONFIG_MAP = "metallb-config";
/** MetalLB's metrics port. */
const METALLB_PORT = 7472;
const NS = "kube-system";
const ROLE_PREFIX = "gardener.cloud:metallb";

function rbac(kind: "ClusterRole" | "Role", name: string, rules: PolicyRule[], namespace?: string): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: namespace ? { name, namespace } : { name },
    rules,
  } as KubeObject;
}

function binding(kind: "ClusterRole" | "Role", role: string, sa: string): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: kind === "Role" ? "RoleBinding" : "ClusterRoleBinding",
    metadata: kind === "Role" ? { name: `${role}:${sa}`, namespace: NS } : { name: role },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name: role },
    subjects: [{ kind: "ServiceAccount", name: sa, namespace: NS }],
  } as KubeObject;
}

function serviceAccount(name: string): KubeObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: NS } } as KubeObject;
}

const EVENTS: PolicyRule = { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] };
const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

/** MetalLB's objects in the shoot. */
export function metallbObjects(images: ImageVector): KubeObject[] {
  const controller = `${ROLE_PREFIX}:controller`;
  const speaker = `${ROLE_PREFIX}:speaker`;
  const configWatcher = `${ROLE_PREFIX}:config-watcher`;
  const podLister = `${ROLE_PREFIX}:pod-lister`;
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: METALLB_CONFIG_MAP,
        namespace: NS,
        // Created once; the CCM maintains the content, the resource manager must not reset it.
        annotations: { "resources.gardener.cloud/ignore": "true" },
      },
      data: { config: "address-pools: []\npeers: []\n" },
    } as KubeObject,
    serviceAccount("metallb-controller"),
    serviceAccount("metallb-speaker"),
    rbac("ClusterRole", controller, [
      { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] },
      { apiGroups: [""], resources: ["services/status"], verbs: ["update"] },
      EVENTS,
    ]),
    rbac("ClusterRole", speaker, [
      { apiGroups: [""], resources: ["services", "endpoints", "nodes"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
      EVENTS,
    ]),
    rbac("Role", configWatcher, [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }], NS),
    rbac("Role", podLister, [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }], NS),
    binding("ClusterRole", controller, "metallb-controller"),
    binding("ClusterRole", speaker, "metallb-speaker"),
    binding("Role", configWatcher, "metallb-controller"),
    binding("Role", configWatcher, "metallb-speaker"),
    binding("Role", podLister, "metallb-speaker"),
    metallbController(findImage(images, IMAGE_METALLB_CONTROLLER)),
    metallbSpeaker(findImage(images, IMAGE_METALLB_SPEAKER)),
  ];
}

function metallbController(image: string): KubeObject {
  const labels = { app: "metallb", component: "controller" };
  const deployment: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "metallb-controller", namespace: NS, labels },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: {
          labels: {
            ...labels,
            // kube-system denies all traffic (Kubernetes 1.33+) except what gardenlet's policies allow.
            "networking.gardener.cloud/to-dns": "allowed",
            "networking.gardener.cloud/to-apiserver": "allowed",
          },
        },
        spec: {
          serviceAccountName: "metallb-controller",
          priorityClassName: "gardener-shoot-system-700",
          nodeSelector: { "kubernetes.io/os": "linux" },
          terminationGracePeriodSeconds: 0,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            fsGroup: 65534,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [{
            name: "controller",
            image,
            args: [`--port=${METALLB_PORT}`, `--config=${METALLB_CONFIG_MAP}`],
            ports: [{ name: "monitoring", containerPort: METALLB_PORT }],
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "100Mi" } },
            securityContext: CONTAINER_SECURITY,
          }],
        },
      },
    },
  };
  return deployment as KubeObject;
}

function metallbSpeaker(image: string): KubeObject {
  const labels = { app: "metallb", component: "speaker" };
  const daemonSet: DaemonSet = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "metallb-speaker", namespace: NS, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: "metallb-speaker",
          priorityClassName: "gardener-shoot-system-800",
          hostNetwork: true,
          nodeSelector: { "kubernetes.io/os": "linux" },
          terminationGracePeriodSeconds: 2,
          tolerations: [{ effect: "NoSchedule", operator: "Exists" }, { effect: "NoExecute", operator: "Exists" }],
          containers: [{
            name: "speaker",
            image,
            args: [`--port=${METALLB_PORT}`, `--config=${METALLB_CONFIG_MAP}`],
            env: [
              { name: "METALLB_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
              { name: "METALLB_HOST", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
            ],
            ports: [{ name: "monitoring", containerPort: METALLB_PORT }],
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "100Mi" } },
            securityContext: { ...CONTAINER_SECURITY, capabilities: { add: ["NET_RAW"], drop: ["ALL"] } },
          }],
        },
      },
    },
  };
  return daemonSet as KubeObject;
}
