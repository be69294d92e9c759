/** Shared fixtures of the webhook tests: a stand-in webhook that adds a container, and AdmissionReview bodies. */
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import type { Mutate, Webhook } from "../../../src/extension/webhook/webhook.ts";

/** The container the stand-in mutation adds (once). */
export const SIDECAR = { name: "sidecar", image: "example.org/sidecar:v1" };

type Deployment = KubeObject & { spec: { template: { spec: { containers: { name: string; image?: string }[] } } } };

/** Adds `SIDECAR` unless present; idempotent and leaves its input alone. */
export const addSidecar: Mutate = (object) => {
  const d = structuredClone(object) as Deployment;
  const containers = d.spec?.template?.spec?.containers ?? [];
  if (!containers.some((c) => c.name === SIDECAR.name)) containers.push({ ...SIDECAR });
  return Promise.resolve(d);
};

/** A `/controlplane`-like webhook on Deployments with the given mutation. */
export function controlplaneWebhook(mutate: Mutate = addSidecar): Webhook {
  return {
    name: "controlplane",
    path: "/controlplane",
    target: "seed",
    rules: [{ operations: ["CREATE", "UPDATE"], apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"] }],
    namespaceSelector: {
      matchExpressions: [{ key: "shoot.gardener.cloud/provider", operator: "In", values: ["equinixmetal"] }],
    },
    failurePolicy: "Fail",
    mutate,
  };
}

/** A Deployment `machine-controller-manager` shaped like gardenlet's (trimmed). */
export function mcmDeployment(extra: Record<string, unknown> = {}): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "machine-controller-manager",
      namespace: "shoot--dev--a",
      labels: { "provider.extensions.gardener.cloud/mutated-by-controlplane-webhook": "true" },
      ...extra,
    },
    spec: {
      template: {
        spec: {
          containers: [{
            name: "machine-controller-manager",
            image: "europe-docker.pkg.dev/gardener-project/releases/gardener/machine-controller-manager:v0.60.0",
          }],
        },
      },
    },
  };
}

/** An AdmissionReview v1 request body. */
export function reviewBody(object: unknown, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "0b9e2f8c-0000-4000-8000-000000000001",
      kind: { group: "apps", version: "v1", kind: "Deployment" },
      resource: { group: "apps", version: "v1", resource: "deployments" },
      requestKind: { group: "apps", version: "v1", kind: "Deployment" },
      namespace: "shoot--dev--a",
      name: "machine-controller-manager",
      operation: "CREATE",
      userInfo: { username: "system:serviceaccount:garden:gardenlet" },
      object,
      dryRun: false,
      ...overrides,
    },
  });
}
