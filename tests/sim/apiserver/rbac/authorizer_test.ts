/** The RBAC authorizer, table-driven: verbs, groups, resources and subresources, names, scopes, subjects. */
import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import type { KubeObject } from "../../../../src/k8s/api/objects.ts";
import {
  type Attributes,
  authorize,
  BOOTSTRAP_POLICY,
  forbiddenMessage,
  forbiddenStatusMessage,
  mergePolicies,
  policyOf,
  serviceAccountGroups,
  serviceAccountUsername,
} from "../../../../src/sim/apiserver/rbac/authorizer.ts";

const SA = { username: serviceAccountUsername("garden", "ext"), groups: serviceAccountGroups("garden") };
const OTHER_SA = { username: serviceAccountUsername("shoot--a", "mcm"), groups: serviceAccountGroups("shoot--a") };
const ALICE = { username: "alice", groups: ["devs", "system:authenticated"] };

const RBAC = "rbac.authorization.k8s.io/v1";
const objects: KubeObject[] = [
  {
    apiVersion: RBAC,
    kind: "ClusterRole",
    metadata: { name: "ext" },
    rules: [
      {
        apiGroups: ["extensions.gardener.cloud"],
        resources: ["workers", "workers/status"],
        verbs: ["get", "list", "watch", "patch"],
      },
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "watch"], resourceNames: ["cloudprovider"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["*"] },
      { apiGroups: ["*"], resources: ["*/scale"], verbs: ["update"] },
      { nonResourceURLs: ["/metrics", "/logs/*"], verbs: ["get"] },
    ],
  } as KubeObject,
  {
    apiVersion: RBAC,
    kind: "ClusterRoleBinding",
    metadata: { name: "ext" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "ext" },
    subjects: [{ kind: "ServiceAccount", name: "ext", namespace: "garden" }],
  } as KubeObject,
  {
    apiVersion: RBAC,
    kind: "Role",
    metadata: { name: "mcm", namespace: "shoot--a" },
    rules: [
      { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch", "deletecollection"] },
    ],
  } as KubeObject,
  {
    apiVersion: RBAC,
    kind: "RoleBinding",
    metadata: { name: "mcm", namespace: "shoot--a" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "mcm" },
    // No namespace: the binding's.
    subjects: [{ kind: "ServiceAccount", name: "mcm" }, { kind: "Group", name: "devs" }],
  } as KubeObject,
  {
    apiVersion: RBAC,
    kind: "RoleBinding",
    metadata: { name: "ext-reads-configmaps", namespace: "shoot--a" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "configmap-reader" },
    subjects: [{ kind: "Group", name: "system:serviceaccounts:garden" }, { kind: "User", name: "alice" }],
  } as KubeObject,
  {
    apiVersion: RBAC,
    kind: "ClusterRole",
    metadata: { name: "configmap-reader" },
    rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }],
  } as KubeObject,
];
const policy = mergePolicies(BOOTSTRAP_POLICY, policyOf(objects));

function req(user: Attributes["user"], verb: string, resource: string, more: Partial<Attributes> = {}): Attributes {
  const [res, sub] = resource.split("/");
  return {
    user,
    verb,
    resourceRequest: true,
    group: "",
    resource: res,
    subresource: sub ?? "",
    namespace: "",
    name: "",
    path: "",
    ...more,
  };
}
const W = { group: "extensions.gardener.cloud" };

const cases: Array<[string, Attributes, boolean]> = [
  ["verb listed", req(SA, "watch", "workers", { ...W, namespace: "shoot--a" }), true],
  ["verb not listed", req(SA, "delete", "workers", { ...W, namespace: "shoot--a", name: "w" }), false],
  ["list across namespaces by a ClusterRoleBinding", req(SA, "list", "workers", W), true],
  ["subresource listed", req(SA, "patch", "workers/status", { ...W, namespace: "n", name: "w" }), true],
  ["subresource not listed", req(SA, "update", "workers/status", { ...W, namespace: "n", name: "w" }), false],
  [
    "resource does not grant its subresource",
    req(SA, "get", "workers/scale", { ...W, namespace: "n", name: "w" }),
    false,
  ],
  ["group must match", req(SA, "get", "workers", { group: "", namespace: "n", name: "w" }), false],
  ["verb *", req(SA, "deletecollection", "leases", { group: "coordination.k8s.io", namespace: "n" }), true],
  ["*/scale in any group", req(SA, "update", "deployments/scale", { group: "apps", namespace: "n", name: "d" }), true],
  [
    "*/scale is not the resource",
    req(SA, "update", "deployments", { group: "apps", namespace: "n", name: "d" }),
    false,
  ],
  ["resourceNames: the named object", req(SA, "get", "secrets", { namespace: "n", name: "cloudprovider" }), true],
  ["resourceNames: another object", req(SA, "get", "secrets", { namespace: "n", name: "other" }), false],
  ["resourceNames never grant list", req(SA, "list", "secrets", { namespace: "n" }), false],
  ["resourceNames: create names nothing", req(SA, "create", "secrets", { namespace: "n" }), false],
  // `fieldSelector=metadata.name=cloudprovider` makes a list or watch a request for that name (see its HTTP test).
  [
    "resourceNames: watch of the selected name",
    req(SA, "watch", "secrets", { namespace: "n", name: "cloudprovider" }),
    true,
  ],
  ["resourceNames: watch of all", req(SA, "watch", "secrets", { namespace: "n" }), false],
  ["non-resource URL", { ...req(SA, "get", ""), resourceRequest: false, path: "/metrics" }, true],
  ["non-resource URL prefix", { ...req(SA, "get", ""), resourceRequest: false, path: "/logs/a/b" }, true],
  ["non-resource URL verb", { ...req(SA, "post", ""), resourceRequest: false, path: "/metrics" }, false],
  [
    "discovery for everyone authenticated",
    { ...req(ALICE, "get", ""), resourceRequest: false, path: "/apis/apps" },
    true,
  ],
  ["Role in its namespace", req(OTHER_SA, "create", "pods/eviction", { namespace: "shoot--a", name: "p" }), true],
  [
    "Role not in another namespace",
    req(OTHER_SA, "create", "pods/eviction", { namespace: "shoot--b", name: "p" }),
    false,
  ],
  ["Role not at the cluster scope", req(OTHER_SA, "list", "pods"), false],
  ["Role: watch", req(OTHER_SA, "watch", "pods", { namespace: "shoot--a" }), true],
  ["Role: deletecollection", req(OTHER_SA, "deletecollection", "pods", { namespace: "shoot--a" }), true],
  ["eviction does not grant pods", req(OTHER_SA, "create", "pods", { namespace: "shoot--a" }), false],
  ["Group subject", req(ALICE, "watch", "pods", { namespace: "shoot--a" }), true],
  [
    "User subject through a RoleBinding of a ClusterRole",
    req(ALICE, "get", "configmaps", { namespace: "shoot--a", name: "c" }),
    true,
  ],
  [
    "that ClusterRole only in the binding's namespace",
    req(ALICE, "get", "configmaps", { namespace: "x", name: "c" }),
    false,
  ],
  ["system:serviceaccounts:<ns> group", req(SA, "get", "configmaps", { namespace: "shoot--a", name: "c" }), true],
  [
    "ServiceAccount of another namespace",
    req(OTHER_SA, "get", "configmaps", { namespace: "shoot--a", name: "c" }),
    false,
  ],
  ["system:masters", req({ username: "admin", groups: ["system:masters"] }, "delete", "nodes", { name: "n" }), true],
];

for (const [name, attrs, want] of cases) {
  Deno.test(`authorize: ${name}`, () => {
    equal(authorize(attrs, policy).allowed, want);
  });
}

Deno.test("authorize names the rule that allowed a request", () => {
  const d = authorize(req(SA, "get", "secrets", { namespace: "n", name: "cloudprovider" }), policy);
  assertEquals(d, {
    allowed: true,
    reason: "rbac",
    binding: "ClusterRoleBinding/ext",
    rule: { roleKind: "ClusterRole", roleNamespace: "", roleName: "ext", index: 1 },
  });
});

Deno.test("forbidden messages are worded as kube-apiserver's", () => {
  const a = req(OTHER_SA, "get", "workers/status", { ...W, namespace: "shoot--a", name: "w" });
  equal(
    forbiddenMessage(a),
    'User "system:serviceaccount:shoot--a:mcm" cannot get resource "workers/status" in API group ' +
      '"extensions.gardener.cloud" in the namespace "shoot--a"',
  );
  equal(
    forbiddenStatusMessage(a),
    'workers.extensions.gardener.cloud "w" is forbidden: User "system:serviceaccount:shoot--a:mcm" cannot get ' +
      'resource "workers/status" in API group "extensions.gardener.cloud" in the namespace "shoot--a"',
  );
  equal(
    forbiddenStatusMessage(req(OTHER_SA, "list", "nodes")),
    'nodes is forbidden: User "system:serviceaccount:shoot--a:mcm" cannot list resource "nodes" in API group "" ' +
      "at the cluster scope",
  );
  equal(
    forbiddenStatusMessage({ ...req(OTHER_SA, "get", ""), resourceRequest: false, path: "/metrics" }),
    'forbidden: User "system:serviceaccount:shoot--a:mcm" cannot get path "/metrics"',
  );
});
