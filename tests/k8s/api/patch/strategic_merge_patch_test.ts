import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { PatchError } from "../../../../src/k8s/api/patch/json_patch.ts";
import {
  applyStrategicMergePatch,
  supportsStrategicMerge,
} from "../../../../src/k8s/api/patch/strategic_merge_patch.ts";

const POD = { apiVersion: "v1", kind: "Pod" };
const DEPLOYMENT = { apiVersion: "apps/v1", kind: "Deployment" };

function pod(spec: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec, ...extra };
}

Deno.test("SMP: containers merge by name, fields merge inside, new containers go before server-only ones", () => {
  const target = pod({
    containers: [
      { name: "app", image: "app:1", args: ["--a"] },
      { name: "sidecar", image: "side:1" },
    ],
  });
  const before = structuredClone(target);
  const out = applyStrategicMergePatch(target, {
    spec: { containers: [{ name: "app", image: "app:2" }, { name: "new", image: "new:1" }] },
  }, POD);
  // kube orders patched items by the patch and puts items new to the server ahead of server-only ones (the
  // "patch-demo-ctr-2" example of the kubectl patch documentation shows the same).
  assertEquals((out as typeof target).spec.containers, [
    { name: "app", image: "app:2", args: ["--a"] },
    { name: "new", image: "new:1" },
    { name: "sidecar", image: "side:1" },
  ]);
  assertEquals(target, before, "the target must not be modified");
});

Deno.test("SMP: env merges by name inside a container; $patch: delete removes one entry", () => {
  const target = pod({
    containers: [{
      name: "app",
      env: [{ name: "A", value: "1" }, { name: "B", value: "2" }, { name: "C", value: "3" }],
    }],
  });
  const out = applyStrategicMergePatch(target, {
    spec: {
      containers: [{
        name: "app",
        env: [{ name: "B", value: "two" }, { name: "C", $patch: "delete" }, {
          name: "D",
          valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } },
        }],
      }],
    },
  }, POD) as ReturnType<typeof pod>;
  assertEquals((out.spec.containers as Array<{ env: unknown }>)[0].env, [
    { name: "A", value: "1" },
    { name: "B", value: "two" },
    { name: "D", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
  ]);
});

Deno.test("SMP: volumeMounts by mountPath, ports by containerPort, imagePullSecrets by name", () => {
  const target = pod({
    containers: [{
      name: "app",
      volumeMounts: [{ name: "data", mountPath: "/data" }],
      ports: [{ containerPort: 80, name: "http" }],
    }],
    imagePullSecrets: [{ name: "reg-a" }],
  });
  const out = applyStrategicMergePatch(target, {
    spec: {
      containers: [{
        name: "app",
        volumeMounts: [{ name: "data2", mountPath: "/data", readOnly: true }, { name: "cfg", mountPath: "/etc/cfg" }],
        ports: [{ containerPort: 80, protocol: "TCP" }, { containerPort: 443 }],
      }],
      imagePullSecrets: [{ name: "reg-b" }],
    },
  }, POD) as ReturnType<typeof pod>;
  const c = (out.spec.containers as Array<Record<string, unknown>>)[0];
  assertEquals(c.volumeMounts, [{ name: "data2", mountPath: "/data", readOnly: true }, {
    name: "cfg",
    mountPath: "/etc/cfg",
  }]);
  assertEquals(c.ports, [{ containerPort: 80, name: "http", protocol: "TCP" }, { containerPort: 443 }]);
  assertEquals(out.spec.imagePullSecrets, [{ name: "reg-b" }, { name: "reg-a" }]);
});

Deno.test("SMP: volumes merge by name and honour $retainKeys (switching the volume source)", () => {
  const target = pod({ volumes: [{ name: "v", emptyDir: {} }, { name: "w", configMap: { name: "cm" } }] });
  const out = applyStrategicMergePatch(target, {
    spec: { volumes: [{ name: "v", hostPath: { path: "/var/data" }, $retainKeys: ["hostPath", "name"] }] },
  }, POD) as ReturnType<typeof pod>;
  assertEquals(out.spec.volumes, [{ name: "v", hostPath: { path: "/var/data" } }, {
    name: "w",
    configMap: { name: "cm" },
  }]);
  throws(
    () =>
      applyStrategicMergePatch(target, { spec: { volumes: [{ name: "v", secret: {}, $retainKeys: ["name"] }] } }, POD),
    (e: unknown) => e instanceof PatchError && /not present in the \$retainKeys list/.test(e.message),
  );
});

Deno.test("SMP: finalizers merge as a set; $deleteFromPrimitiveList removes values", () => {
  const target = { metadata: { name: "m", finalizers: ["a", "b"] } };
  const type = { apiVersion: "machine.sapcloud.io/v1alpha1", kind: "Machine" };
  assertEquals(applyStrategicMergePatch(target, { metadata: { finalizers: ["b", "c"] } }, type), {
    metadata: { name: "m", finalizers: ["a", "b", "c"] },
  });
  assertEquals(applyStrategicMergePatch(target, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } }, POD), {
    metadata: { name: "m", finalizers: ["b"] },
  });
  assertEquals(
    applyStrategicMergePatch(
      target,
      { metadata: { "$deleteFromPrimitiveList/finalizers": ["b"], finalizers: ["z"] } },
      POD,
    ),
    { metadata: { name: "m", finalizers: ["z", "a"] } },
  );
});

Deno.test("SMP: pod and node status conditions merge by type; node taints and pod tolerations are replaced", () => {
  const p = pod({ tolerations: [{ key: "a", operator: "Exists" }] }, {
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "False" }, { type: "Initialized", status: "True" }],
    },
  });
  const out = applyStrategicMergePatch(p, {
    spec: { tolerations: [{ key: "b", operator: "Exists" }] },
    status: { conditions: [{ type: "Ready", status: "True" }, { type: "DisruptionTarget", status: "True" }] },
  }, POD) as Record<string, Record<string, unknown>>;
  assertEquals(out.spec.tolerations, [{ key: "b", operator: "Exists" }]);
  assertEquals(out.status.conditions, [
    { type: "Ready", status: "True" },
    { type: "DisruptionTarget", status: "True" },
    { type: "Initialized", status: "True" },
  ]);
  const node = {
    spec: { taints: [{ key: "a", effect: "NoSchedule" }], podCIDRs: ["10.0.0.0/24"] },
    status: {
      conditions: [{ type: "Ready", status: "True" }],
      addresses: [{ type: "InternalIP", address: "10.0.0.1" }],
    },
  };
  const nodeOut = applyStrategicMergePatch(node, {
    spec: { taints: [{ key: "b", effect: "NoExecute" }], podCIDRs: ["fd00::/64"] },
    status: { addresses: [{ type: "Hostname", address: "n1" }] },
  }, { apiVersion: "v1", kind: "Node" });
  assertEquals(nodeOut, {
    spec: { taints: [{ key: "b", effect: "NoExecute" }], podCIDRs: ["fd00::/64", "10.0.0.0/24"] },
    status: {
      conditions: [{ type: "Ready", status: "True" }],
      addresses: [{ type: "Hostname", address: "n1" }, { type: "InternalIP", address: "10.0.0.1" }],
    },
  });
});

Deno.test("SMP: $patch replace and delete on maps, $patch replace on lists, null deletes", () => {
  const target = pod({ containers: [{ name: "a" }, { name: "b" }], nodeSelector: { zone: "da" } }, {
    metadata: { name: "p", labels: { a: "1", b: "2" }, annotations: { x: "y" } },
  });
  const out = applyStrategicMergePatch(target, {
    metadata: { labels: { $patch: "replace", c: "3" }, annotations: { $patch: "delete" } },
    spec: { containers: [{ $patch: "replace" }, { name: "only" }], nodeSelector: null },
  }, POD);
  assertEquals(out, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", labels: { c: "3" } },
    spec: { containers: [{ name: "only" }] },
  });
});

Deno.test("SMP: $setElementOrder orders patched items and keeps server-only items in place", () => {
  const target = pod({ containers: [{ name: "a" }, { name: "b" }, { name: "c" }] });
  const out = applyStrategicMergePatch(target, {
    spec: {
      "$setElementOrder/containers": [{ name: "c" }, { name: "a" }],
      containers: [{ name: "a", image: "x" }],
    },
  }, POD) as ReturnType<typeof pod>;
  // b was only on the server: it stays before c, which is now ordered before a.
  assertEquals((out.spec.containers as Array<{ name: string }>).map((c) => c.name), ["b", "c", "a"]);
  // Without $setElementOrder the patch list gives the order of the items it names.
  const byPatch = applyStrategicMergePatch(target, { spec: { containers: [{ name: "c" }, { name: "a" }] } }, POD);
  assertEquals((byPatch as ReturnType<typeof pod>).spec.containers, [{ name: "b" }, { name: "c" }, { name: "a" }]);
  const fin = applyStrategicMergePatch({ metadata: { finalizers: ["x", "y"] } }, {
    metadata: { "$setElementOrder/finalizers": ["z", "y", "x"], finalizers: ["z"] },
  }, POD);
  assertEquals(fin, { metadata: { finalizers: ["z", "y", "x"] } });
});

Deno.test("SMP: ownerReferences by uid, webhooks by name, service ports by port, SA secrets by name", () => {
  assertEquals(
    applyStrategicMergePatch(
      { metadata: { ownerReferences: [{ uid: "1", name: "a", controller: true }] } },
      { metadata: { ownerReferences: [{ uid: "1", blockOwnerDeletion: true }, { uid: "2", name: "b" }] } },
      { apiVersion: "apps/v1", kind: "ReplicaSet" },
    ),
    {
      metadata: {
        ownerReferences: [{ uid: "1", name: "a", controller: true, blockOwnerDeletion: true }, { uid: "2", name: "b" }],
      },
    },
  );
  assertEquals(
    applyStrategicMergePatch(
      { webhooks: [{ name: "a.example.com", timeoutSeconds: 10 }, { name: "b.example.com" }] },
      { webhooks: [{ name: "a.example.com", clientConfig: { caBundle: "Q0E=" } }] },
      { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration" },
    ),
    {
      webhooks: [{ name: "a.example.com", timeoutSeconds: 10, clientConfig: { caBundle: "Q0E=" } }, {
        name: "b.example.com",
      }],
    },
  );
  assertEquals(
    applyStrategicMergePatch(
      { spec: { ports: [{ port: 443, targetPort: 10250 }] } },
      { spec: { ports: [{ port: 443, name: "https" }, { port: 80 }] } },
      { apiVersion: "v1", kind: "Service" },
    ),
    { spec: { ports: [{ port: 443, targetPort: 10250, name: "https" }, { port: 80 }] } },
  );
  assertEquals(
    applyStrategicMergePatch({ secrets: [{ name: "t1" }] }, { secrets: [{ name: "t2" }] }, {
      apiVersion: "v1",
      kind: "ServiceAccount",
    }),
    { secrets: [{ name: "t2" }, { name: "t1" }] },
  );
});

Deno.test("SMP: RBAC subjects and rules are atomic lists", () => {
  const out = applyStrategicMergePatch(
    { subjects: [{ kind: "User", name: "a" }], roleRef: { kind: "ClusterRole", name: "view" } },
    { subjects: [{ kind: "User", name: "b" }] },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding" },
  );
  assertEquals(out, { subjects: [{ kind: "User", name: "b" }], roleRef: { kind: "ClusterRole", name: "view" } });
});

Deno.test("SMP: deployment template containers merge; strategy honours $retainKeys", () => {
  const target = {
    spec: {
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } },
      template: {
        metadata: { labels: { app: "x" } },
        spec: { containers: [{ name: "app", image: "a:1" }, { name: "b" }] },
      },
    },
  };
  const out = applyStrategicMergePatch(target, {
    spec: {
      strategy: { type: "Recreate", $retainKeys: ["type"] },
      template: {
        metadata: { annotations: { restartedAt: "now" } },
        spec: { containers: [{ name: "app", image: "a:2" }] },
      },
    },
  }, DEPLOYMENT);
  assertEquals(out, {
    spec: {
      strategy: { type: "Recreate" },
      template: {
        metadata: { labels: { app: "x" }, annotations: { restartedAt: "now" } },
        spec: { containers: [{ name: "app", image: "a:2" }, { name: "b" }] },
      },
    },
  });
});

Deno.test("SMP: errors for a missing merge key, unknown directives and non-object patches", () => {
  const target = pod({ containers: [{ name: "a" }] });
  const isPatchError = (re: RegExp) => (e: unknown) => e instanceof PatchError && re.test(e.message);
  throws(
    () => applyStrategicMergePatch(target, { spec: { containers: [{ image: "x" }] } }, POD),
    isPatchError(/^spec\.containers\[0\]: item does not contain declared merge key: name$/),
  );
  // The item's values stay out of the message: they may be secrets.
  throws(
    () => applyStrategicMergePatch(target, { spec: { containers: [{ name: "a", env: [{ value: "s3cr3t" }] }] } }, POD),
    (e: unknown) => e instanceof PatchError && !e.message.includes("s3cr3t") && /env\[0\]/.test(e.message),
  );
  throws(
    () => applyStrategicMergePatch(target, { spec: { $patch: "explode" } }, POD),
    isPatchError(/unknown \$patch directive/),
  );
  throws(() => applyStrategicMergePatch(target, [1], POD), isPatchError(/must be a JSON object/));
});

Deno.test("SMP: unknown kinds replace lists (no merge keys known)", () => {
  assertEquals(
    applyStrategicMergePatch({ spec: { items: [{ name: "a" }] }, metadata: { finalizers: ["f"] } }, {
      spec: { items: [{ name: "b" }] },
      metadata: { finalizers: ["g"] },
    }, { apiVersion: "example.com/v1", kind: "Widget" }),
    { spec: { items: [{ name: "b" }] }, metadata: { finalizers: ["g", "f"] } },
  );
});

Deno.test("supportsStrategicMerge: built-in groups only", () => {
  for (
    const apiVersion of [
      "v1",
      "apps/v1",
      "batch/v1",
      "policy/v1",
      "rbac.authorization.k8s.io/v1",
      "storage.k8s.io/v1",
      "coordination.k8s.io/v1",
      "admissionregistration.k8s.io/v1",
      "apiextensions.k8s.io/v1",
      "networking.k8s.io/v1",
      "autoscaling/v2",
    ]
  ) {
    assertEquals(supportsStrategicMerge({ apiVersion, kind: "X" }), true, apiVersion);
  }
  for (
    const apiVersion of [
      "machine.sapcloud.io/v1alpha1",
      "extensions.gardener.cloud/v1alpha1",
      "resources.gardener.cloud/v1alpha1",
    ]
  ) {
    assertEquals(supportsStrategicMerge({ apiVersion, kind: "X" }), false, apiVersion);
  }
});
