/** The playground's RBAC: the extension's seed RBAC for its namespace, gardenlet's MCM RBAC, the demo's lines. */
import assert from "node:assert/strict";
import {
  authorizationLines,
  EXTENSION_SERVICE_ACCOUNT,
  extensionSeedRbac,
  machineControllerSeedRbac,
  machineControllerShootRbac,
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
