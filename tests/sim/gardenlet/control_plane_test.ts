/**
 * gardenlet's control-plane objects in a shoot's seed namespace: shaped like current gardenlet's (the MCM Deployment
 * with gardenlet's container, its `kubeconfig` volume and the label the control-plane webhook selects on; the VPA;
 * two OperatingSystemConfigs per pool), valid against the real CRDs, written through the seed's admission chain (a
 * registered mutating webhook sees each of them), and re-applied on every shoot reconcile: what someone else changed
 * in gardenlet's spec is patched back, and nothing is sent when nothing differs.
 */
import assert from "node:assert/strict";
import { KubeClient } from "../../../src/k8s/client/client.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { AdmissionregistrationV1, AppsV1, CoreV1, ExtensionsV1alpha1 } from "../../../src/k8s/api/resources.ts";
import { configureLogging } from "../../../src/observability/log.ts";
import { loadCrds } from "../../../src/playground/crds.ts";
import { readManifestDir } from "../../../src/playground/manifests.ts";
import { startApiServer } from "../../../src/sim/apiserver/mod.ts";
import {
  controlPlaneObjects,
  GardenletSimulation,
  GENERIC_KUBECONFIG_DIR,
  LABEL_MUTATED_BY_CONTROLPLANE_WEBHOOK,
  MCM_DEPLOYMENT,
  shootObjects,
  shootTemplateFrom,
  withNodeAgentSecretNames,
  withPoolMachineType,
} from "../../../src/sim/gardenlet/mod.ts";
import { startTestWebhook } from "../apiserver/admission_webhook_server.ts";

configureLogging({ level: "error" });
const EXAMPLE = new URL("../../../example/", import.meta.url).pathname;
const template = shootTemplateFrom(await readManifestDir(EXAMPLE));
const shoot = shootObjects(template, { name: "playground", index: 0, credentials: { apiToken: "t", projectId: "p" } });
const NS = shoot.technicalId;
const worker = withNodeAgentSecretNames(shoot.worker);

type Container = { name: string; command?: string[]; args?: string[]; volumeMounts?: Array<{ name: string }> };
type Deployment = KubeObject & {
  spec: { template: { spec: { containers: Container[]; volumes: Array<{ name: string }> } } };
};

Deno.test("the MCM Deployment is gardenlet's: its own container only, the kubeconfig volume, the webhook's label", () => {
  const objects = controlPlaneObjects(shoot, worker);
  const mcm = objects.machineControllerManager as Deployment;
  assert.equal(mcm.metadata.name, MCM_DEPLOYMENT);
  assert.equal(mcm.metadata.namespace, NS);
  assert.equal(mcm.metadata.labels?.[LABEL_MUTATED_BY_CONTROLPLANE_WEBHOOK], "true");
  const pod = mcm.spec.template.spec;
  assert.deepEqual(pod.containers.map((c) => c.name), [MCM_DEPLOYMENT], "no provider sidecar: that is the webhook's");
  assert.ok(pod.containers[0].command?.includes(`--namespace=${NS}`));
  assert.ok(pod.volumes.some((v) => v.name === "kubeconfig"));
  const vpa = objects.machineControllerManagerVpa as KubeObject & { spec: Record<string, unknown> };
  assert.deepEqual(vpa.spec.targetRef, { apiVersion: "apps/v1", kind: "Deployment", name: MCM_DEPLOYMENT });
  const kapi = objects.kubeApiServer as Deployment;
  assert.deepEqual(kapi.spec.template.spec.containers[0].command, ["/usr/local/bin/kube-apiserver"], "flags on args");
  assert.ok(kapi.spec.template.spec.containers[0].args!.length > 5);
  const kcm = objects.kubeControllerManager as Deployment;
  assert.ok(
    kcm.spec.template.spec.containers[0].command!.includes(`--kubeconfig=${GENERIC_KUBECONFIG_DIR}/kubeconfig`),
  );
  const oscs = objects.operatingSystemConfigs as Array<KubeObject & { spec: { purpose: string; type: string } }>;
  assert.deepEqual(
    oscs.map((o) => [o.metadata.labels?.["worker.gardener.cloud/pool"], o.spec.purpose, o.spec.type]),
    [["pool-a", "provision", "flatcar"], ["pool-a", "reconcile", "flatcar"], ["pool-b", "provision", "flatcar"], [
      "pool-b",
      "reconcile",
      "flatcar",
    ]],
  );
  for (const o of [kapi, kcm, ...oscs]) {
    assert.equal(o.metadata.labels?.[LABEL_MUTATED_BY_CONTROLPLANE_WEBHOOK], "true");
  }
});

Deno.test("deployed through the seed's admission chain, valid against the CRDs, and re-applied as gardenlet does", async () => {
  const api = await startApiServer({ namespaces: ["default", "kube-system"] });
  const webhook = await startTestWebhook();
  const client = new KubeClient(api.connection());
  const gardenlet = new GardenletSimulation({ client: new KubeClient(api.connection()) });
  try {
    await api.installCrds(loadCrds());
    await client.create(CoreV1.namespaces, shoot.namespace);
    await client.create(AdmissionregistrationV1.mutatingWebhookConfigurations, {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name: "test-controlplane" },
      webhooks: [{
        name: "controlplane.test.extensions.gardener.cloud",
        clientConfig: { url: `${webhook.url}/label?key=mutated&value=yes`, caBundle: webhook.caBundle },
        rules: [
          { operations: ["CREATE", "UPDATE"], apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"] },
          {
            operations: ["CREATE", "UPDATE"],
            apiGroups: ["autoscaling.k8s.io"],
            apiVersions: ["v1"],
            resources: ["verticalpodautoscalers"],
          },
          {
            operations: ["CREATE", "UPDATE"],
            apiGroups: ["extensions.gardener.cloud"],
            apiVersions: ["v1alpha1"],
            resources: ["operatingsystemconfigs"],
          },
        ],
        namespaceSelector: { matchLabels: { "shoot.gardener.cloud/provider": "equinixmetal" } },
        objectSelector: { matchLabels: { [LABEL_MUTATED_BY_CONTROLPLANE_WEBHOOK]: "true" } },
        sideEffects: "None",
        admissionReviewVersions: ["v1"],
        failurePolicy: "Fail",
      }],
    } as KubeObject);

    await gardenlet.deployControlPlane(shoot, shoot.cluster, worker);
    const kinds = webhook.received.map((r) =>
      `${(r.review.request.kind as { kind: string }).kind} ${r.review.request.name}`
    );
    assert.deepEqual(kinds.slice(0, 2), ["Deployment kube-apiserver", "Deployment kube-controller-manager"]);
    assert.equal(kinds.filter((k) => k.startsWith("OperatingSystemConfig")).length, 4);
    assert.deepEqual(kinds.slice(-2), [
      "Deployment machine-controller-manager",
      "VerticalPodAutoscaler machine-controller-manager-vpa",
    ]);
    const mcm = await client.get<Deployment>(AppsV1.deployments, MCM_DEPLOYMENT, { namespace: NS });
    assert.equal(mcm.metadata.labels?.mutated, "yes", "stored as the webhook returned it");

    // A reconcile with nothing changed sends nothing.
    const writes = () => api.counters.writes();
    const before = writes();
    await gardenlet.deployControlPlane(shoot, shoot.cluster, worker);
    assert.equal(writes() - before, 0);

    // A container someone else removed is put back by the next reconcile (merge patch of gardenlet's spec).
    const changed = structuredClone(mcm);
    changed.spec.template.spec.containers[0].command = ["./something-else"];
    await client.update(AppsV1.deployments, changed, { namespace: NS });
    await gardenlet.deployControlPlane(shoot, shoot.cluster, worker);
    const restored = await client.get<Deployment>(AppsV1.deployments, MCM_DEPLOYMENT, { namespace: NS });
    assert.equal(restored.spec.template.spec.containers[0].command?.[0], "./machine-controller-manager");

    // A pool with another machine type gets new OperatingSystemConfigs; the old pair is removed.
    const oscNames = async () =>
      (await client.list(ExtensionsV1alpha1.operatingSystemConfigs, { namespace: NS })).items.map((o) =>
        o.metadata.name
      ).sort();
    const old = await oscNames();
    const rolled = withNodeAgentSecretNames(withPoolMachineType(worker, "pool-a", "m3.small.x86"));
    await gardenlet.deployControlPlane(shoot, shoot.cluster, rolled);
    const now = await oscNames();
    assert.equal(now.length, 4);
    assert.deepEqual(now.filter((n) => n!.includes("pool-b")), old.filter((n) => n!.includes("pool-b")));
    assert.notDeepEqual(now.filter((n) => n!.includes("pool-a")), old.filter((n) => n!.includes("pool-a")));
  } finally {
    client.close();
    (gardenlet as unknown as { opts: { client: KubeClient } }).opts.client.close();
    await webhook.stop();
    await api.stop();
  }
});
