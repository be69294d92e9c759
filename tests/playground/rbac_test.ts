/**
 * The playground's RBAC: the extension's seed RBAC for its namespace, gardenlet's MCM RBAC, the CCM's RBAC as an MR
 * applied it, the report, the demo's lines.
 */
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/k8s/api/objects.ts";
import {
  applyRbac,
  authorizationLines,
  CCM_SERVICE_ACCOUNT,
  EXTENSION_SERVICE_ACCOUNT,
  extensionSeedRbac,
  machineControllerSeedRbac,
  machineControllerShootRbac,
  PlaygroundRbac,
  rbacOfServiceAccount,
} from "../../src/playground/rbac.ts";
import { policyOf } from "../../src/sim/apiserver/mod.ts";

Deno.test("the extension's seed RBAC: its ServiceAccount in the given namespace, bound cluster-wide and there", () => {
  const objects = extensionSeedRbac("extension-x");
  assert.deepEqual(objects.map((o) => `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`), [
    `ServiceAccount extension-x/${EXTENSION_SERVICE_ACCOUNT}`,
    "ClusterRole /gardener-extension-provider-equinix-metal",
    "ClusterRoleBinding /gardener-extension-provider-equinix-metal",
    "Role extension-x/gardener-extension-provider-equinix-metal",
    "RoleBinding extension-x/gardener-extension-provider-equinix-metal",
  ]);
  const policy = policyOf(objects);
  assert.deepEqual(policy.bindings[0].subjects, [
    { kind: "ServiceAccount", name: EXTENSION_SERVICE_ACCOUNT, namespace: "extension-x" },
  ]);
  // No wildcard: every grant is spelled out, so that the audit can name what is unused.
  for (const r of policy.roles[0].rules) {
    assert.ok(!r.verbs.includes("*") && !(r.resources ?? []).includes("*"), JSON.stringify(r));
  }
});

Deno.test("gardenlet's machine-controller-manager RBAC: a Role in the shoot namespace, a ClusterRole in the shoot", () => {
  const seed = policyOf(machineControllerSeedRbac("shoot--a--b"));
  assert.deepEqual(seed.roles.map((r) => `${r.kind} ${r.namespace}/${r.name}`), [
    "Role shoot--a--b/machine-controller-manager",
  ]);
  assert.equal(seed.bindings[0].namespace, "shoot--a--b");
  const shoot = policyOf(machineControllerShootRbac());
  assert.deepEqual(shoot.bindings[0].subjects, [
    { kind: "ServiceAccount", name: "machine-controller-manager", namespace: "kube-system" },
  ]);
});

Deno.test("the demo's RBAC lines: counts per cluster and each denied request", () => {
  const lines = authorizationLines([{
    cluster: "seed",
    unused: [{ role: "ClusterRole/x", index: 0, rule: { verbs: ["get"] }, grants: ["get a", "get b"], whole: true }],
    denied: [{
      user: "system:serviceaccount:s:mcm",
      groups: [],
      verb: "patch",
      group: "",
      resource: "nodes",
      subresource: "status",
      namespace: "",
      name: "n1",
      path: "",
      allowed: false,
      count: 3,
    }],
  }]);
  assert.deepEqual(lines, [
    "rbac (seed): 1 requests denied, 2 granted verbs unused",
    "  denied: system:serviceaccount:s:mcm patch nodes/status n1",
  ]);
});

Deno.test("the chart's RBAC renders without helm only while its actions are the release's name and namespace", async () => {
  const { renderReleaseTemplate, extensionSeedRbac } = await import("../../src/playground/rbac.ts");
  const release = { name: "r", namespace: "ns" };
  assert.equal(
    renderReleaseTemplate(
      "{{- /*\n  why\n*/}}\nname: {{ .Release.Name }}\nnamespace: {{ .Release.Namespace }}\n",
      release,
    ),
    "name: r\nnamespace: ns\n",
  );
  assert.throws(() => renderReleaseTemplate('name: {{ include "name" . }}\n', release), /\{\{ include "name" \. \}\}/);
  // The embedded chart file: its ServiceAccount's binding subjects land in the namespace asked for.
  const objects = extensionSeedRbac("ext-ns");
  const bindings = objects.filter((o) => o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding");
  assert.equal(bindings.length, 2);
  for (const b of bindings) {
    assert.deepEqual((b as unknown as { subjects: unknown[] }).subjects, [
      { kind: "ServiceAccount", name: "gardener-extension-provider-equinix-metal", namespace: "ext-ns" },
    ]);
  }
});

Deno.test("the CCM's RBAC among an MR's objects: the roles bound to its ServiceAccount and those bindings, nothing else", async () => {
  const { ccmShootRbac } = await import("../../src/extension/controlplane/ccm_shoot_rbac.ts");
  const other = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "gardener.cloud:metallb:controller" },
    rules: [],
  } as unknown as KubeObject;
  const otherBinding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "gardener.cloud:metallb:controller" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "gardener.cloud:metallb:controller" },
    subjects: [{ kind: "ServiceAccount", name: "controller", namespace: "metallb-system" }],
  } as unknown as KubeObject;
  const ccm = ccmShootRbac();
  const picked = rbacOfServiceAccount([other, otherBinding, ...ccm], "kube-system", CCM_SERVICE_ACCOUNT);
  const names = (os: KubeObject[]) =>
    os.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`).sort();
  assert.deepEqual(names(picked), names(ccm));
});

Deno.test("the report: a denial of a request that was also allowed (RBAC applied later) is left out, a missing permission is listed", async () => {
  const { startApiServer } = await import("../../src/sim/apiserver/mod.ts");
  const { KubeClient } = await import("../../src/k8s/client/client.ts");
  const { CoreV1 } = await import("../../src/k8s/api/resources.ts");
  const api = await startApiServer({});
  const admin = new KubeClient(api.connection());
  const rbac = new PlaygroundRbac();
  const token = rbac.ccmToken(api);
  assert.equal(await token(), undefined, "no token before the ServiceAccount exists");
  await admin.create(CoreV1.serviceAccounts, {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: CCM_SERVICE_ACCOUNT, namespace: "kube-system" },
  }, { namespace: "kube-system" });
  const ccm = new KubeClient({ ...api.connection(), token });
  try {
    await assert.rejects(ccm.list(CoreV1.nodes), /forbidden/);
    const role = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "ccm" },
      rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["list", "get"] }],
    } as unknown as KubeObject;
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "ccm" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "ccm" },
      subjects: [{ kind: "ServiceAccount", name: CCM_SERVICE_ACCOUNT, namespace: "kube-system" }],
    } as unknown as KubeObject;
    // As the resource manager would apply them; the report takes them from `recordApplied`.
    await applyRbac(admin, [role, binding]);
    rbac.recordApplied("shoot x", api, [role, binding]);
    await ccm.list(CoreV1.nodes);
    await assert.rejects(ccm.delete(CoreV1.nodes, "n1"), /forbidden/);
    const [report] = rbac.report();
    assert.equal(report.cluster, "shoot x");
    assert.deepEqual(report.denied.map((d) => `${d.verb} ${d.resource} ${d.name}`), ["delete nodes n1"]);
    assert.deepEqual(report.unused.flatMap((u) => u.grants), ["get nodes"]);
  } finally {
    ccm.close();
    admin.close();
    await api.stop();
  }
});

Deno.test("applyRbac replaces an existing role on a fresh read when its update meets a conflict", async () => {
  const { startApiServer } = await import("../../src/sim/apiserver/mod.ts");
  const { KubeClient } = await import("../../src/k8s/client/client.ts");
  const { ConflictError } = await import("../../src/k8s/api/errors.ts");
  const { RbacV1 } = await import("../../src/k8s/api/resources.ts");
  const api = await startApiServer();
  const client = new KubeClient(api.connection());
  try {
    await applyRbac(client, machineControllerShootRbac());
    // The next replacement's first update is answered 409 Conflict, as an API server does after a concurrent write.
    const update = client.update.bind(client);
    let updates = 0;
    client.update = ((...args: Parameters<typeof update>) => {
      if (updates++ === 0) {
        return Promise.reject(
          new ConflictError({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", code: 409 }),
        );
      }
      return update(...args);
    }) as typeof update;
    const changed = machineControllerShootRbac().map((o) =>
      o.kind === "ClusterRole" ? { ...o, metadata: { ...o.metadata, labels: { changed: "yes" } } } : o
    );
    await applyRbac(client, changed);
    const role = await client.get<KubeObject>(RbacV1.clusterRoles, "system:machine-controller-manager-shoot");
    assert.equal(role.metadata.labels?.changed, "yes");
    assert.equal(updates, 3, "the role twice (a conflict, then on a fresh read), its binding once");
  } finally {
    client.close();
    await api.stop();
  }
});
