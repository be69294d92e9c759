/**
 * Objects shaped as current gardenlet (Gardener v1.150) writes them into a shoot namespace of the seed, as the webhook
 * receives them on UPDATE (that is, with the API server's defaults for containers already applied), plus what the
 * API server does to a patched object before the next reconcile (`serverDefaults`) and the admission request.
 */
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import type { MutationRequest } from "../../../src/extension/webhook/webhook.ts";

export const NS = "shoot--garden--playground";
const MUTATED = { "provider.extensions.gardener.cloud/mutated-by-controlplane-webhook": "true" };
const GENERIC_KUBECONFIG = "/var/run/secrets/gardener.cloud/shoot/generic-kubeconfig";

/** The request the webhook server hands a mutation. */
export function request(object: KubeObject, operation: "CREATE" | "UPDATE" = "UPDATE"): MutationRequest {
  const [group, version] = (object.apiVersion ?? "v1").includes("/")
    ? (object.apiVersion as string).split("/")
    : ["", object.apiVersion ?? "v1"];
  return {
    operation,
    namespace: NS,
    name: object.metadata.name ?? "",
    kind: { group, version, kind: object.kind ?? "" },
    signal: new AbortController().signal,
  };
}

/** What the API server does to containers when it stores a (patched) Deployment: its defaults. */
export function serverDefaults<T>(object: T): T {
  const out = structuredClone(object) as {
    spec?: { template?: { spec?: { containers?: Array<Record<string, unknown>> } } };
  };
  for (const c of out.spec?.template?.spec?.containers ?? []) {
    c.terminationMessagePath ??= "/dev/termination-log";
    c.terminationMessagePolicy ??= "File";
  }
  return out as T;
}

/** gardenlet's projected generic-kubeconfig volume (`InjectGenericKubeconfig`). */
function kubeconfigVolume(accessSecret: string) {
  return {
    name: "kubeconfig",
    projected: {
      defaultMode: 420,
      sources: [
        {
          secret: {
            name: "generic-token-kubeconfig-92e9ae14",
            items: [{ key: "kubeconfig", path: "kubeconfig" }],
            optional: false,
          },
        },
        { secret: { name: accessSecret, items: [{ key: "token", path: "token" }], optional: false } },
      ],
    },
  };
}

/** Deployment `machine-controller-manager` (gardenlet's nodemanagement/machinecontrollermanager component). */
export function mcmDeployment(): KubeObject {
  return serverDefaults({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "machine-controller-manager",
      namespace: NS,
      uid: "4b0c8a44-5b0e-4f0e-9a59-0cf6d5b1c001",
      resourceVersion: "4711",
      generation: 3,
      labels: {
        app: "kubernetes",
        role: "machine-controller-manager",
        "gardener.cloud/role": "controlplane",
        "high-availability-config.resources.gardener.cloud/type": "controller",
        ...MUTATED,
      },
    },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 2,
      selector: { matchLabels: { app: "kubernetes", role: "machine-controller-manager" } },
      template: {
        metadata: {
          labels: {
            app: "kubernetes",
            role: "machine-controller-manager",
            "gardener.cloud/role": "controlplane",
            "maintenance.gardener.cloud/restart": "true",
            "networking.gardener.cloud/to-dns": "allowed",
            "networking.gardener.cloud/to-runtime-apiserver": "allowed",
            "networking.resources.gardener.cloud/to-kube-apiserver-tcp-443": "allowed",
          },
        },
        spec: {
          containers: [{
            name: "machine-controller-manager",
            image: "europe-docker.pkg.dev/gardener-project/releases/gardener/machine-controller-manager:v0.61.1",
            imagePullPolicy: "IfNotPresent",
            command: [
              "./machine-controller-manager",
              "--control-kubeconfig=inClusterConfig",
              "--delete-migrated-machine-class=true",
              "--machine-safety-apiserver-statuscheck-timeout=30s",
              "--machine-safety-apiserver-statuscheck-period=1m",
              "--machine-safety-orphan-vms-period=30m",
              "--machine-safety-overshooting-period=1m",
              `--namespace=${NS}`,
              "--port=10258",
              "--safety-up=2",
              "--safety-down=1",
              `--target-kubeconfig=${GENERIC_KUBECONFIG}/kubeconfig`,
              "--concurrent-syncs=30",
              "--kube-api-qps=150",
              "--kube-api-burst=200",
              "--v=3",
            ],
            livenessProbe: {
              httpGet: { path: "/healthz", port: 10258, scheme: "HTTP" },
              failureThreshold: 3,
              initialDelaySeconds: 30,
              periodSeconds: 10,
              successThreshold: 1,
              timeoutSeconds: 5,
            },
            ports: [{ name: "metrics", containerPort: 10258, protocol: "TCP" }],
            resources: { requests: { cpu: "5m", memory: "20M" } },
            securityContext: { allowPrivilegeEscalation: false },
            volumeMounts: [{ name: "kubeconfig", mountPath: GENERIC_KUBECONFIG, readOnly: true }],
          }],
          priorityClassName: "gardener-system-300",
          serviceAccountName: "machine-controller-manager",
          terminationGracePeriodSeconds: 5,
          volumes: [kubeconfigVolume("shoot-access-machine-controller-manager")],
        },
      },
    },
  });
}

/** VPA `machine-controller-manager-vpa`. */
export function mcmVPA(): KubeObject {
  return {
    apiVersion: "autoscaling.k8s.io/v1",
    kind: "VerticalPodAutoscaler",
    metadata: { name: "machine-controller-manager-vpa", namespace: NS, labels: { ...MUTATED } },
    spec: {
      targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "machine-controller-manager" },
      updatePolicy: { updateMode: "Auto" },
      resourcePolicy: {
        containerPolicies: [{
          containerName: "machine-controller-manager",
          controlledValues: "RequestsOnly",
          minAllowed: { memory: "64Mi" },
        }],
      },
    },
  } as KubeObject;
}

/** Deployment `kube-controller-manager`: gardenlet puts binary and flags into `command`. */
export function kcmDeployment(): KubeObject {
  return serverDefaults({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "kube-controller-manager",
      namespace: NS,
      labels: { app: "kubernetes", role: "controller-manager", "gardener.cloud/role": "controlplane", ...MUTATED },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "kubernetes", role: "controller-manager" } },
      template: {
        metadata: { labels: { app: "kubernetes", role: "controller-manager" } },
        spec: {
          automountServiceAccountToken: false,
          containers: [{
            name: "kube-controller-manager",
            image: "europe-docker.pkg.dev/gardener-project/releases/hyperkube/kube-controller-manager:v1.33.4",
            imagePullPolicy: "IfNotPresent",
            command: [
              "/usr/local/bin/kube-controller-manager",
              `--authentication-kubeconfig=${GENERIC_KUBECONFIG}/kubeconfig`,
              `--authorization-kubeconfig=${GENERIC_KUBECONFIG}/kubeconfig`,
              `--kubeconfig=${GENERIC_KUBECONFIG}/kubeconfig`,
              "--allocate-node-cidrs=true",
              "--attach-detach-reconcile-sync-period=1m0s",
              "--cluster-cidr=100.96.0.0/11",
              "--leader-elect=true",
              "--node-monitor-grace-period=40s",
              `--cluster-name=${NS}`,
              "--controllers=*,bootstrapsigner,tokencleaner",
              "--root-ca-file=/srv/kubernetes/ca/bundle.crt",
              "--service-account-private-key-file=/srv/kubernetes/service-account-key/id_rsa",
              "--secure-port=10257",
              "--service-cluster-ip-range=100.64.0.0/13",
              "--profiling=false",
              "--use-service-account-credentials=true",
              "--v=2",
            ],
            ports: [{ name: "metrics", containerPort: 10257, protocol: "TCP" }],
            resources: { requests: { cpu: "5m", memory: "30M" } },
            securityContext: { allowPrivilegeEscalation: false },
          }],
          volumes: [kubeconfigVolume("shoot-access-kube-controller-manager")],
        },
      },
    },
  });
}

/** Deployment `kube-apiserver`: binary in `command`, flags in `args`, including the SNI-relevant ones. */
export function kubeAPIServerDeployment(): KubeObject {
  return serverDefaults({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "kube-apiserver",
      namespace: NS,
      labels: { app: "kubernetes", role: "apiserver", ...MUTATED },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "kubernetes", role: "apiserver" } },
      template: {
        metadata: { labels: { app: "kubernetes", role: "apiserver" } },
        spec: {
          containers: [{
            name: "kube-apiserver",
            image: "europe-docker.pkg.dev/gardener-project/releases/hyperkube/kube-apiserver:v1.33.4",
            command: ["/usr/local/bin/kube-apiserver"],
            args: [
              "--enable-admission-plugins=CertificateApproval,CertificateSigning,CertificateSubjectRestriction," +
              "DefaultIngressClass,DefaultStorageClass,DefaultTolerationSeconds,LimitRanger,MutatingAdmissionWebhook," +
              "NamespaceLifecycle,NodeRestriction,PersistentVolumeClaimResize,Priority,ResourceQuota," +
              "RuntimeClass,ServiceAccount,StorageObjectInUseProtection,TaintNodesByCondition,ValidatingAdmissionWebhook",
              "--disable-admission-plugins=",
              "--advertise-address=10.243.0.17",
              "--endpoint-reconciler-type=none",
              "--allow-privileged=true",
              "--anonymous-auth=false",
              "--secure-port=443",
              "--service-cluster-ip-range=100.64.0.0/13",
              "--profiling=false",
              "--v=2",
            ],
          }],
        },
      },
    },
  });
}

/** gardenlet's kubelet unit (components/kubelet: flags one per line, `$KUBELET_EXTRA_ARGS` after the last). */
export const KUBELET_UNIT = `[Unit]
Description=kubelet daemon
Documentation=https://kubernetes.io/docs/admin/kubelet
After=containerd.service
[Install]
WantedBy=multi-user.target
[Service]
Restart=always
RestartSec=5
Environment="HTTP2_READ_IDLE_TIMEOUT_SECONDS=25" "HTTP2_PING_TIMEOUT_SECONDS=12"
EnvironmentFile=/etc/environment
EnvironmentFile=-/var/lib/kubelet/extra_args
ExecStart=/opt/bin/kubelet \\
    --bootstrap-kubeconfig=/var/lib/kubelet/kubeconfig-bootstrap \\
    --config=/var/lib/kubelet/config/kubelet \\
    --kubeconfig=/var/lib/kubelet/kubeconfig-real \\
    --node-labels=worker.gardener.cloud/kubernetes-version=1.33.4 \\
    --node-labels=worker.gardener.cloud/pool=worker-a \\
    --container-runtime-endpoint=unix:///run/containerd/containerd.sock \\
    --runtime-cgroups=/system.slice/containerd.service \\
    --v=2 $KUBELET_EXTRA_ARGS`;

/** OperatingSystemConfig of a pool, purpose `reconcile` (what gardener-node-agent applies). */
export function oscReconcile(): KubeObject {
  return {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "OperatingSystemConfig",
    metadata: {
      name: "worker-a-a1b2c-reconcile",
      namespace: NS,
      labels: { "worker.gardener.cloud/pool": "worker-a", ...MUTATED },
      annotations: { "gardener.cloud/operation": "reconcile" },
    },
    spec: {
      type: "flatcar",
      purpose: "reconcile",
      criConfig: { name: "containerd" },
      units: [
        { name: "containerd.service", command: "start", enable: true },
        {
          name: "kubelet.service",
          command: "start",
          enable: true,
          content: KUBELET_UNIT,
          filePaths: ["/var/lib/kubelet/ca.crt", "/var/lib/kubelet/config/kubelet", "/opt/bin/kubelet"],
        },
      ],
      files: [
        {
          path: "/var/lib/kubelet/ca.crt",
          permissions: 0o644,
          content: { inline: { encoding: "b64", data: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==" } },
        },
        {
          path: "/var/lib/kubelet/config/kubelet",
          permissions: 0o600,
          content: {
            inline: {
              encoding: "b64",
              data: btoa(
                "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n" +
                  "enableControllerAttachDetach: true\ncgroupDriver: systemd\nmaxPods: 110\n",
              ),
            },
          },
        },
        {
          path: "/opt/bin/kubelet",
          permissions: 0o755,
          content: {
            imageRef: {
              image: "europe-docker.pkg.dev/gardener-project/releases/hyperkube:v1.33.4",
              filePathInImage: "/kubelet",
            },
          },
        },
      ],
    },
  } as KubeObject;
}

/** OperatingSystemConfig of a pool, purpose `provision` (the user data with gardener-node-init). */
export function oscProvision(): KubeObject {
  return {
    apiVersion: "extensions.gardener.cloud/v1alpha1",
    kind: "OperatingSystemConfig",
    metadata: {
      name: "worker-a-a1b2c-init",
      namespace: NS,
      labels: { "worker.gardener.cloud/pool": "worker-a", ...MUTATED },
    },
    spec: {
      type: "flatcar",
      purpose: "provision",
      units: [{
        name: "gardener-node-init.service",
        command: "start",
        enable: true,
        content: "[Unit]\nDescription=Downloads the gardener-node-agent binary\n[Service]\nType=oneshot\n" +
          "ExecStart=/var/lib/gardener-node-agent/init.sh\n[Install]\nWantedBy=multi-user.target",
        filePaths: ["/var/lib/gardener-node-agent/init.sh"],
      }],
      files: [{
        path: "/var/lib/gardener-node-agent/init.sh",
        permissions: 0o755,
        content: { inline: { encoding: "b64", data: btoa("#!/bin/bash\necho init\n") } },
      }],
    },
  } as KubeObject;
}

/**
 * `druid.gardener.cloud/v1alpha1` Etcd `etcd-main` or `etcd-events` as gardenlet's etcd component writes it (25Gi and
 * 10Gi, no storage class).
 */
export function etcd(role: "main" | "events", storage: { storageCapacity?: string; storageClass?: string } = {}) {
  return {
    apiVersion: "druid.gardener.cloud/v1alpha1",
    kind: "Etcd",
    metadata: {
      name: `etcd-${role}`,
      namespace: NS,
      labels: { role, "gardener.cloud/role": "controlplane" },
      annotations: { "gardener.cloud/operation": "reconcile", "gardener.cloud/timestamp": "2026-12-06T19:00:00Z" },
    },
    spec: {
      replicas: 1,
      priorityClassName: "gardener-system-500",
      labels: { app: "etcd-statefulset", role, "gardener.cloud/role": "controlplane" },
      selector: { matchLabels: { app: "etcd-statefulset", role, "gardener.cloud/role": "controlplane" } },
      etcd: {
        clientPort: 2379,
        serverPort: 2380,
        metrics: role === "main" ? "extensive" : "basic",
        quota: "8Gi",
        defragmentationSchedule: "34 1 * * *",
      },
      backup: { port: 8080, garbageCollectionPolicy: "Exponential", garbageCollectionPeriod: "12h0m0s" },
      storageCapacity: role === "main" ? "25Gi" : "10Gi",
      ...storage,
    },
  } as KubeObject;
}
