/**
 * Every mutation of the Equinix Metal webhooks against objects shaped like current gardenlet's, through the registered
 * webhook list as the server calls it: applied once it changes what it must, applied again (to the stored result, with
 * the API server's defaults) it yields no JSON patch; the input is never modified; patched VPA, OSC and Etcd objects
 * validate against the real CRDs.
 */
import assert from "node:assert/strict";
import type { Container } from "kubernetes-types/core/v1.d.ts";
import type { KubeObject } from "../../../src/k8s/api/objects.ts";
import { createJsonPatch } from "../../../src/k8s/api/patch/json_patch.ts";
import { selectorMatches } from "../../../src/k8s/api/label_selector.ts";
import type { Webhook } from "../../../src/extension/webhook/webhook.ts";
import { equinixMetalWebhooks, SIDECAR_CONTAINER_NAME } from "../../../src/extension/controlplanewebhook/mod.ts";
import { defaultImageVector, findImage } from "../../../src/extension/imagevector/mod.ts";
import { assertValidAgainstCrd } from "../../support/crd_validation.ts";
import {
  etcd,
  kcmDeployment,
  kubeAPIServerDeployment,
  KUBELET_UNIT,
  mcmDeployment,
  mcmVPA,
  NS,
  oscProvision,
  oscReconcile,
  request,
  serverDefaults,
} from "./fixtures.ts";

const images = defaultImageVector();
const webhooks = equinixMetalWebhooks({ images, etcdStorage: { className: "gardener.cloud-fast", capacity: "40Gi" } });

function webhook(name: string): Webhook {
  const found = webhooks.find((w) => w.name === name);
  assert.ok(found, `no webhook ${name}`);
  return found;
}

/** What the server does: call the mutation on the object as received (a wire copy). */
async function review(hook: Webhook, object: KubeObject): Promise<KubeObject> {
  const received = JSON.parse(JSON.stringify(object)) as KubeObject;
  const frozen = JSON.stringify(received);
  const out = await hook.mutate(received, request(received));
  assert.equal(JSON.stringify(received), frozen, "the mutation modified the object it received");
  return JSON.parse(JSON.stringify(out));
}

/** The spec of an object, typed as the test reads it. */
function specOf<T>(o: KubeObject): T {
  return (o as unknown as { spec: T }).spec;
}

function containers(d: KubeObject): Container[] {
  return specOf<{ template: { spec: { containers: Container[] } } }>(d).template.spec.containers;
}

interface Case {
  name: string;
  webhook: "controlplane" | "seedprovider";
  object: () => KubeObject;
  /** Checks the first result. */
  expect: (out: KubeObject, input: KubeObject) => void;
  /** Patched objects of a CRD kind. */
  crd?: boolean;
}

const CASES: Case[] = [
  {
    name: "machine-controller-manager Deployment: our sidecar appended after gardenlet's container",
    webhook: "controlplane",
    object: mcmDeployment,
    expect: (out, input) => {
      const names = containers(out).map((c) => c.name);
      assert.deepEqual(names, ["machine-controller-manager", SIDECAR_CONTAINER_NAME]);
      assert.deepEqual(containers(out)[0], containers(input)[0]);
      assert.equal(containers(out)[1].image, findImage(images, SIDECAR_CONTAINER_NAME));
    },
  },
  {
    name: "machine-controller-manager-vpa: RequestsOnly policy for the sidecar next to gardenlet's",
    webhook: "controlplane",
    object: mcmVPA,
    crd: true,
    expect: (out) => {
      const policies = specOf<{ resourcePolicy: { containerPolicies: unknown[] } }>(out).resourcePolicy
        .containerPolicies;
      assert.deepEqual(policies, [
        {
          containerName: "machine-controller-manager",
          controlledValues: "RequestsOnly",
          minAllowed: { memory: "64Mi" },
        },
        { containerName: SIDECAR_CONTAINER_NAME, controlledValues: "RequestsOnly" },
      ]);
    },
  },
  {
    name: "machine-controller-manager-vpa without resourcePolicy: created",
    webhook: "controlplane",
    object: () => {
      const vpa = mcmVPA();
      delete specOf<Record<string, unknown>>(vpa).resourcePolicy;
      return vpa;
    },
    crd: true,
    expect: (out) => {
      assert.deepEqual(specOf<{ resourcePolicy: unknown }>(out).resourcePolicy, {
        containerPolicies: [{ containerName: SIDECAR_CONTAINER_NAME, controlledValues: "RequestsOnly" }],
      });
    },
  },
  {
    name: "kube-controller-manager: --cloud-provider=external appended to command",
    webhook: "controlplane",
    object: kcmDeployment,
    expect: (out, input) => {
      const command = containers(out)[0].command!;
      assert.deepEqual(command, [...containers(input)[0].command!, "--cloud-provider=external"]);
      assert.equal(containers(out)[0].args, undefined);
    },
  },
  {
    name: "kube-apiserver: untouched (flags in args, SNI flags, admission plugins)",
    webhook: "controlplane",
    object: kubeAPIServerDeployment,
    expect: (out, input) => assert.deepEqual(out, input),
  },
  {
    name: "OSC reconcile: kubelet --cloud-provider=external, BGP peer route unit and script",
    webhook: "controlplane",
    object: oscReconcile,
    crd: true,
    expect: (out, input) => {
      const spec = specOf<{ units: Array<{ name: string; content?: string }>; files: Array<{ path: string }> }>(out);
      const inSpec = specOf<{ files: unknown[] }>(input);
      assert.equal(
        spec.units.find((u) => u.name === "kubelet.service")!.content,
        KUBELET_UNIT.replace(
          "--v=2 $KUBELET_EXTRA_ARGS",
          "--v=2 \\\n    --cloud-provider=external $KUBELET_EXTRA_ARGS",
        ),
      );
      assert.deepEqual(spec.units.map((u) => u.name), [
        "containerd.service",
        "kubelet.service",
        "bgp-peer-route.service",
      ]);
      assert.deepEqual(spec.files.map((f) => f.path), [
        "/var/lib/kubelet/ca.crt",
        "/var/lib/kubelet/config/kubelet",
        "/opt/bin/kubelet",
        "/opt/bin/bgp-peer.sh",
      ]);
      assert.deepEqual(spec.files.slice(0, 3), inSpec.files, "gardenlet's files (the kubelet configuration) unchanged");
    },
  },
  {
    name: "OSC provision: untouched",
    webhook: "controlplane",
    object: oscProvision,
    crd: true,
    expect: (out, input) => assert.deepEqual(out, input),
  },
  {
    name: "Etcd etcd-main: configured class and capacity",
    webhook: "seedprovider",
    object: () => etcd("main", { storageCapacity: "25Gi" }),
    crd: true,
    expect: (out) => {
      const spec = specOf<{ storageClass?: string; storageCapacity?: string }>(out);
      assert.equal(spec.storageClass, "gardener.cloud-fast");
      assert.equal(spec.storageCapacity, "40Gi");
    },
  },
  {
    name: "Etcd etcd-events: 10Gi, gardenlet's class kept",
    webhook: "seedprovider",
    object: () => etcd("events", { storageClass: "default", storageCapacity: "10Gi" }),
    crd: true,
    expect: (out) => {
      const spec = specOf<{ storageClass?: string; storageCapacity?: string }>(out);
      assert.equal(spec.storageClass, "default");
      assert.equal(spec.storageCapacity, "10Gi");
    },
  },
];

for (const c of CASES) {
  Deno.test(`webhooks: ${c.name}; a second review yields no patch`, async () => {
    const hook = webhook(c.webhook);
    const input = c.object();
    const first = await review(hook, input);
    c.expect(first, input);
    if (c.crd) assertValidAgainstCrd(first, { message: c.name });
    const stored = serverDefaults(first);
    const second = await review(hook, stored);
    assert.deepEqual(createJsonPatch(stored, second), [], "the second review changes nothing");
  });
}

Deno.test("webhooks: objects being deleted are returned untouched", async () => {
  for (
    const [name, object] of [
      ["controlplane", mcmDeployment()],
      ["controlplane", kcmDeployment()],
      ["controlplane", oscReconcile()],
      ["seedprovider", etcd("main")],
    ] as const
  ) {
    const deleting = { ...object, metadata: { ...object.metadata, deletionTimestamp: "2026-12-06T19:00:00Z" } };
    assert.deepEqual(await review(webhook(name), deleting), deleting, `${object.kind} ${object.metadata.name}`);
  }
});

Deno.test("webhooks: other objects in the namespace pass unchanged", async () => {
  const other = mcmDeployment();
  other.metadata.name = "cluster-autoscaler";
  assert.deepEqual(await review(webhook("controlplane"), other), other);
  const otherVpa = mcmVPA();
  otherVpa.metadata.name = "kube-apiserver-vpa";
  assert.deepEqual(await review(webhook("controlplane"), otherVpa), otherVpa);
});

Deno.test("webhooks: registration as Gardener expects (targets, paths, rules, selectors, fail closed), no shoot webhook", () => {
  assert.deepEqual(
    webhooks.map((w) => [w.name, w.path, w.target, w.failurePolicy]),
    [["controlplane", "/controlplane", "seed", "Fail"], ["seedprovider", "/seedprovider", "seed", "Fail"]],
  );
  const cp = webhook("controlplane");
  assert.deepEqual(cp.namespaceSelector, {
    matchExpressions: [{ key: "shoot.gardener.cloud/provider", operator: "In", values: ["equinixmetal"] }],
  });
  assert.deepEqual(cp.objectSelector, {
    matchLabels: { "provider.extensions.gardener.cloud/mutated-by-controlplane-webhook": "true" },
  });
  assert.deepEqual(cp.rules.map((r) => `${r.apiGroups[0]}/${r.apiVersions[0]}/${r.resources[0]}`), [
    "apps/v1/deployments",
    "autoscaling.k8s.io/v1/verticalpodautoscalers",
    "extensions.gardener.cloud/v1alpha1/operatingsystemconfigs",
  ]);
  const sp = webhook("seedprovider");
  assert.deepEqual(sp.namespaceSelector, {
    matchExpressions: [{ key: "seed.gardener.cloud/provider", operator: "In", values: ["equinixmetal"] }],
  });
  assert.equal(sp.objectSelector, undefined, "Etcds carry no mutated-by label");
  assert.deepEqual(sp.rules.map((r) => `${r.apiGroups[0]}/${r.apiVersions[0]}/${r.resources[0]}`), [
    "druid.gardener.cloud/v1alpha1/etcds",
  ]);
  for (const w of webhooks) {
    for (const r of w.rules) assert.deepEqual(r.operations, ["CREATE", "UPDATE"]);
  }
  // The selectors pick what gardenlet writes: its shoot namespace labels, its labelled objects, its unlabelled Etcds.
  const shootNamespace = {
    "gardener.cloud/role": "shoot",
    "seed.gardener.cloud/provider": "equinixmetal",
    "shoot.gardener.cloud/provider": "equinixmetal",
  };
  assert.ok(selectorMatches(cp.namespaceSelector!, shootNamespace));
  assert.ok(selectorMatches(sp.namespaceSelector!, shootNamespace));
  assert.ok(!selectorMatches(cp.namespaceSelector!, { ...shootNamespace, "shoot.gardener.cloud/provider": "aws" }));
  assert.ok(!selectorMatches(sp.namespaceSelector!, { ...shootNamespace, "seed.gardener.cloud/provider": "aws" }));
  for (const object of [mcmDeployment(), mcmVPA(), kcmDeployment(), oscReconcile(), oscProvision()]) {
    assert.ok(selectorMatches(cp.objectSelector!, object.metadata.labels), `${object.kind} ${object.metadata.name}`);
  }
  assert.ok(!selectorMatches(cp.objectSelector!, etcd("main").metadata.labels), "Etcds need the seedprovider entry");
  assert.equal(NS.startsWith("shoot--"), true);
});

Deno.test("webhooks: without the sidecar image in the vector the list cannot be built", () => {
  const vector = new Map(images);
  vector.delete(SIDECAR_CONTAINER_NAME);
  assert.throws(
    () => equinixMetalWebhooks({ images: vector, etcdStorage: {} }),
    /machine-controller-manager-provider-equinix-metal is not in the image vector/,
  );
});
