/** unusedRules: which grants of which rules no allowed request of a bound subject used. */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { KubeObject } from "../../../../src/k8s/api/objects.ts";
import type { AuditEntry } from "../../../../src/sim/apiserver/rbac/audit.ts";
import { policyOf, serviceAccountGroups } from "../../../../src/sim/apiserver/rbac/authorizer.ts";
import { grantsOf, unusedRules } from "../../../../src/sim/apiserver/rbac/unused_rules.ts";

const objects = [
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "r" },
    rules: [
      { apiGroups: [""], resources: ["secrets", "configmaps"], verbs: ["get", "list"] },
      { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["update"] },
      { nonResourceURLs: ["/metrics"], verbs: ["get"] },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "b", namespace: "a" },
    roleRef: { kind: "ClusterRole", name: "r" },
    subjects: [{ kind: "ServiceAccount", name: "sa", namespace: "a" }],
  },
] as unknown as KubeObject[];

function entry(more: Partial<AuditEntry>): AuditEntry {
  return {
    user: "system:serviceaccount:a:sa",
    groups: serviceAccountGroups("a"),
    verb: "get",
    group: "",
    resource: "secrets",
    subresource: "",
    namespace: "a",
    name: "x",
    path: "",
    allowed: true,
    count: 1,
    ...more,
  };
}

Deno.test("grantsOf spells out verb × resource.group and verb × URL", () => {
  assertEquals(grantsOf({ verbs: ["get", "list"], apiGroups: ["", "apps"], resources: ["x"] }), [
    "get x",
    "get x.apps",
    "list x",
    "list x.apps",
  ]);
  assertEquals(grantsOf({ verbs: ["get"], nonResourceURLs: ["/a"] }), ["get /a"]);
});

Deno.test("unusedRules: partly used, unused, denied and out-of-scope requests", () => {
  const entries = [
    entry({}),
    // Denied requests use nothing; neither do requests outside the binding's namespace or of other users.
    entry({ verb: "list", allowed: false }),
    entry({ resource: "configmaps", namespace: "b" }),
    entry({ resource: "configmaps", user: "someone", groups: [] }),
    // A RoleBinding never grants non-resource URLs.
    entry({ path: "/metrics", resource: "", name: "" }),
  ];
  assertEquals(unusedRules(policyOf(objects), entries).map((u) => [u.role, u.index, u.whole, u.grants]), [
    ["ClusterRole/r", 0, false, ["get configmaps", "list secrets", "list configmaps"]],
    ["ClusterRole/r", 1, true, ["update deployments/scale.apps"]],
    ["ClusterRole/r", 2, true, ["get /metrics"]],
  ]);
  const scale = entry({ verb: "update", group: "apps", resource: "deployments", subresource: "scale", name: "d" });
  assertEquals(unusedRules(policyOf(objects), [scale]).map((u) => [u.index, u.whole]), [[0, true], [2, true]]);
});
