/**
 * SIMULATION of gardenlet: the control-plane objects gardenlet deploys into a shoot's seed namespace and that a
 * provider's control-plane webhook mutates — Deployments `kube-apiserver`, `kube-controller-manager` and
 * `machine-controller-manager` (gardenlet's MCM container only: the provider's sidecar is the webhook's to inject),
 * the VPA `machine-controller-manager-vpa`, and per worker pool the OperatingSystemConfigs of purpose `provision` and
 * `reconcile` — shaped like current gardenlet's, each labelled
 * `provider.extensions.gardener.cloud/mutated-by-controlplane-webhook=true`. Pure.
 */
import {
  ANNOTATION_GENERIC_TOKEN_KUBECONFIG_SECRET,
  GENERIC_TOKEN_KUBECONFIG_SECRET,
} from "../../apis/extensions/constants.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { encodeBase64 } from "../../runtime/base64.ts";
import type { ShootObjects } from "./shoot_template.ts";

/** The label gardenlet puts on every object the control-plane webhook may mutate (its object selector). */
export const LABEL_MUTATED_BY_CONTROLPLANE_WEBHOOK =
  "provider.extensions.gardener.cloud/mutated-by-controlplane-webhook";
/** Name of gardenlet's machine-controller-manager Deployment (and its container). */
export const MCM_DEPLOYMENT = "machine-controller-manager";
/** Name of the VPA of machine-controller-manager. */
export const MCM_VPA = "machine-controller-manager-vpa";
/** The volume gardenlet adds to control-plane Deployments: the shoot's generic token kubeconfig. */
export const GENERIC_KUBECONFIG_VOLUME = "kubeconfig";
/** Where that volume is mounted. */
export const GENERIC_KUBECONFIG_DIR = "/var/run/secrets/gardener.cloud/shoot/generic-kubeconfig";
/** The kubeconfig file in it (gardenlet's `PathGenericKubeconfig`). */
export const GENERIC_KUBECONFIG_PATH = `${GENERIC_KUBECONFIG_DIR}/kubeconfig`;

type Json = Record<string, unknown>;

/** The control-plane objects of one shoot, in the order gardenlet deploys them. */
export interface ControlPlaneObjects {
  kubeApiServer: KubeObject;
  kubeControllerManager: KubeObject;
  /** The OperatingSystemConfigs: per pool one of purpose `provision` and one of purpose `reconcile`. */
  operatingSystemConfigs: KubeObject[];
  machineControllerManager: KubeObject;
  machineControllerManagerVpa: KubeObject;
}

function at(obj: unknown, ...path: string[]): Json | undefined {
  let cur = obj;
  for (const p of path) {
    if (!cur || typeof cur !== "object") return undefined;
    cur = (cur as Json)[p];
  }
  return cur && typeof cur === "object" && !Array.isArray(cur) ? cur as Json : undefined;
}

const mutatedLabel = { [LABEL_MUTATED_BY_CONTROLPLANE_WEBHOOK]: "true" };

/** The projected volume of the generic token kubeconfig plus the component's own access token. */
function genericKubeconfigVolume(cluster: KubeObject, component: string): Json {
  const secret = cluster.metadata.annotations?.[ANNOTATION_GENERIC_TOKEN_KUBECONFIG_SECRET] ??
    GENERIC_TOKEN_KUBECONFIG_SECRET;
  return {
    name: GENERIC_KUBECONFIG_VOLUME,
    projected: {
      defaultMode: 420,
      sources: [
        { secret: { name: secret, items: [{ key: "kubeconfig", path: "kubeconfig" }], optional: false } },
        { secret: { name: `shoot-access-${component}`, items: [{ key: "token", path: "token" }], optional: false } },
      ],
    },
  };
}

const kubeconfigMount = { name: GENERIC_KUBECONFIG_VOLUME, mountPath: GENERIC_KUBECONFIG_DIR, readOnly: true };

/** A control-plane Deployment: labels, selector, pod template with one container and the generic kubeconfig. */
function deployment(ns: string, name: string, role: string, container: Json, cluster: KubeObject, spec: Json = {}) {
  const labels = { app: "kubernetes", role };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels: { ...labels, "gardener.cloud/role": "controlplane", ...mutatedLabel } },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, "gardener.cloud/role": "controlplane" } },
        spec: {
          automountServiceAccountToken: false,
          containers: [{ ...container, volumeMounts: [kubeconfigMount] }],
          priorityClassName: "gardener-system-300",
          terminationGracePeriodSeconds: 5,
          volumes: [genericKubeconfigVolume(cluster, name)],
          ...spec,
        },
      },
    },
  } as KubeObject;
}

function httpProbe(path: string, port: number, scheme = "HTTP"): Json {
  return {
    httpGet: { path, port, scheme },
    initialDelaySeconds: 15,
    periodSeconds: 10,
    timeoutSeconds: 5,
    successThreshold: 1,
    failureThreshold: 3,
  };
}

/** kube-apiserver: the binary in `command`, its flags in `args` (as current gardenlet renders them). */
function kubeApiServer(ns: string, cluster: KubeObject): KubeObject {
  const networking = at(cluster, "spec", "shoot", "spec", "networking") ?? {};
  const version = String(at(cluster, "spec", "shoot", "spec", "kubernetes")?.version ?? "1.31.4");
  return deployment(ns, "kube-apiserver", "apiserver", {
    name: "kube-apiserver",
    image: `registry.k8s.io/kube-apiserver:v${version}`,
    imagePullPolicy: "IfNotPresent",
    command: ["/usr/local/bin/kube-apiserver"],
    args: [
      "--enable-admission-plugins=NodeRestriction",
      "--allow-privileged=true",
      "--anonymous-auth=false",
      "--authorization-mode=Node,RBAC",
      "--client-ca-file=/srv/kubernetes/ca-client/bundle.crt",
      "--endpoint-reconciler-type=none",
      "--etcd-servers=https://etcd-main-client:2379",
      "--etcd-servers-overrides=/events#https://etcd-events-client:2379",
      "--kubelet-preferred-address-types=InternalIP,Hostname,ExternalIP",
      "--secure-port=443",
      `--service-cluster-ip-range=${networking.services ?? "100.64.0.0/13"}`,
      "--tls-cert-file=/srv/kubernetes/apiserver/tls.crt",
      "--tls-private-key-file=/srv/kubernetes/apiserver/tls.key",
      "--v=2",
    ],
    livenessProbe: httpProbe("/livez", 443, "HTTPS"),
    ports: [{ name: "https", containerPort: 443, protocol: "TCP" }],
    resources: { requests: { cpu: "800m", memory: "800Mi" } },
  }, cluster);
}

/** kube-controller-manager: binary and flags in `command`. */
function kubeControllerManager(ns: string, cluster: KubeObject): KubeObject {
  const networking = at(cluster, "spec", "shoot", "spec", "networking") ?? {};
  const version = String(at(cluster, "spec", "shoot", "spec", "kubernetes")?.version ?? "1.31.4");
  return deployment(ns, "kube-controller-manager", "controller-manager", {
    name: "kube-controller-manager",
    image: `registry.k8s.io/kube-controller-manager:v${version}`,
    imagePullPolicy: "IfNotPresent",
    command: [
      "/usr/local/bin/kube-controller-manager",
      "--allocate-node-cidrs=true",
      "--attach-detach-reconcile-sync-period=1m0s",
      `--cluster-cidr=${networking.pods ?? "100.96.0.0/11"}`,
      `--cluster-name=${ns}`,
      "--controllers=*,bootstrapsigner,tokencleaner",
      `--kubeconfig=${GENERIC_KUBECONFIG_PATH}`,
      "--secure-port=10257",
      `--service-cluster-ip-range=${networking.services ?? "100.64.0.0/13"}`,
      "--use-service-account-credentials=true",
      "--v=2",
    ],
    livenessProbe: httpProbe("/healthz", 10257, "HTTPS"),
    ports: [{ name: "metrics", containerPort: 10257, protocol: "TCP" }],
    resources: { requests: { cpu: "100m", memory: "128Mi" } },
  }, cluster);
}

/** machine-controller-manager: gardenlet's MCM container alone (flags in `command`), service account and port. */
function machineControllerManager(ns: string, cluster: KubeObject): KubeObject {
  return deployment(
    ns,
    MCM_DEPLOYMENT,
    "machine-controller-manager",
    {
      name: MCM_DEPLOYMENT,
      image: "europe-docker.pkg.dev/gardener-project/releases/gardener/machine-controller-manager:v0.60.0",
      imagePullPolicy: "IfNotPresent",
      command: [
        "./machine-controller-manager",
        "--control-kubeconfig=inClusterConfig",
        "--delete-migrated-machine-class=true",
        "--machine-safety-apiserver-statuscheck-timeout=30s",
        "--machine-safety-apiserver-statuscheck-period=1m",
        "--machine-safety-orphan-vms-period=30m",
        "--machine-safety-overshooting-period=1m",
        `--namespace=${ns}`,
        "--port=10258",
        "--safety-up=2",
        "--safety-down=1",
        `--target-kubeconfig=${GENERIC_KUBECONFIG_PATH}`,
        "--concurrent-syncs=10",
        "--kube-api-qps=100",
        "--kube-api-burst=130",
        "--v=3",
      ],
      livenessProbe: { ...httpProbe("/healthz", 10258), initialDelaySeconds: 30 },
      ports: [{ name: "metrics", containerPort: 10258, protocol: "TCP" }],
      resources: { requests: { cpu: "5m", memory: "20M" } },
      securityContext: { allowPrivilegeEscalation: false },
    },
    cluster,
    { serviceAccountName: MCM_DEPLOYMENT, automountServiceAccountToken: true },
  );
}

/** The VPA of machine-controller-manager: requests only, for gardenlet's container. */
function machineControllerManagerVpa(ns: string): KubeObject {
  return {
    apiVersion: "autoscaling.k8s.io/v1",
    kind: "VerticalPodAutoscaler",
    metadata: { name: MCM_VPA, namespace: ns, labels: { ...mutatedLabel } },
    spec: {
      targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: MCM_DEPLOYMENT },
      updatePolicy: { updateMode: "Auto" },
      resourcePolicy: {
        containerPolicies: [{ containerName: MCM_DEPLOYMENT, controlledValues: "RequestsOnly" }],
      },
    },
  } as KubeObject;
}

function inlineFile(path: string, content: string, permissions = 0o644): Json {
  return { path, permissions, content: { inline: { encoding: "b64", data: encodeBase64(content) } } };
}

/** The KubeletConfiguration gardenlet writes for a pool (the fields the webhook may adjust among them). */
function kubeletConfiguration(ns: string): string {
  return [
    "apiVersion: kubelet.config.k8s.io/v1beta1",
    "kind: KubeletConfiguration",
    "authentication:",
    "  anonymous:",
    "    enabled: false",
    "  webhook:",
    "    enabled: true",
    "authorization:",
    "  mode: Webhook",
    "cgroupDriver: systemd",
    "clusterDNS:",
    "- 100.64.0.10",
    `clusterDomain: cluster.local`,
    "enableControllerAttachDetach: true",
    "maxPods: 110",
    "protectKernelDefaults: true",
    "rotateCertificates: true",
    "serverTLSBootstrap: true",
    `# shoot ${ns}`,
    "",
  ].join("\n");
}

/** The `kubelet.service` unit gardener-node-agent runs (its flags on ExecStart, one per line). */
function kubeletUnit(version: string): string {
  return [
    "[Unit]",
    "Description=kubelet daemon",
    "Documentation=https://kubernetes.io/docs/admin/kubelet",
    "After=containerd.service",
    "[Install]",
    "WantedBy=multi-user.target",
    "[Service]",
    "Restart=always",
    "RestartSec=5",
    "EnvironmentFile=/etc/environment",
    "EnvironmentFile=-/var/lib/kubelet/extra_args",
    "ExecStart=/opt/bin/kubelet \\",
    "    --bootstrap-kubeconfig=/var/lib/kubelet/kubeconfig-bootstrap \\",
    "    --config=/var/lib/kubelet/config/kubelet \\",
    "    --kubeconfig=/var/lib/kubelet/kubeconfig-real \\",
    `    --node-labels=worker.gardener.cloud/kubernetes-version=${version} \\`,
    "    --container-runtime-endpoint=unix:///run/containerd/containerd.sock \\",
    "    --v=2 $KUBELET_EXTRA_ARGS",
    "",
  ].join("\n");
}

/** The two OperatingSystemConfigs of a Worker pool: `provision` (user data) and `reconcile` (node agent). */
function operatingSystemConfigs(ns: string, pool: Json): KubeObject[] {
  const name = String(pool.name);
  const key = String(pool.nodeAgentSecretName ?? `gardener-node-agent-${name}`).replace(
    /^gardener-node-agent-/,
    "cloud-config-",
  );
  const image = at(pool, "machineImage") ?? {};
  const version = String(pool.kubernetesVersion ?? "1.31.4");
  const labels = { "worker.gardener.cloud/pool": name, ...mutatedLabel };
  const base = (purpose: "provision" | "reconcile", oscName: string, spec: Json): KubeObject =>
    ({
      apiVersion: "extensions.gardener.cloud/v1alpha1",
      kind: "OperatingSystemConfig",
      metadata: { name: oscName, namespace: ns, labels },
      spec: {
        type: String(image.name ?? "flatcar"),
        purpose,
        criConfig: { name: "containerd" },
        ...spec,
      },
    }) as KubeObject;
  return [
    base("provision", `${key}-init`, {
      units: [{
        name: "gardener-node-init.service",
        command: "start",
        enable: true,
        content: "[Unit]\nDescription=Downloads the gardener-node-agent binary and starts it\n[Service]\n" +
          "Type=oneshot\nExecStart=/var/lib/gardener-node-agent/init.sh\n[Install]\nWantedBy=multi-user.target\n",
      }],
      files: [
        inlineFile("/var/lib/gardener-node-agent/init.sh", "#!/bin/bash\nexec gardener-node-agent bootstrap\n", 0o755),
      ],
    }),
    base("reconcile", key, {
      units: [{ name: "kubelet.service", command: "start", enable: true, content: kubeletUnit(version) }],
      files: [
        inlineFile("/var/lib/kubelet/config/kubelet", kubeletConfiguration(ns), 0o600),
        inlineFile(
          "/etc/sysctl.d/99-k8s-general.conf",
          "net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 0\nfs.inotify.max_user_watches = 524288\n",
        ),
      ],
    }),
  ];
}

/** The control-plane objects gardenlet deploys for a shoot whose Worker (as it will be written) is `worker`. */
export function controlPlaneObjects(shoot: Pick<ShootObjects, "technicalId" | "cluster">, worker: KubeObject) {
  const ns = shoot.technicalId;
  const pools = (at(worker, "spec")?.pools as Json[] | undefined) ?? [];
  return {
    kubeApiServer: kubeApiServer(ns, shoot.cluster),
    kubeControllerManager: kubeControllerManager(ns, shoot.cluster),
    operatingSystemConfigs: pools.flatMap((p) => operatingSystemConfigs(ns, p)),
    machineControllerManager: machineControllerManager(ns, shoot.cluster),
    machineControllerManagerVpa: machineControllerManagerVpa(ns),
  } satisfies ControlPlaneObjects;
}
