/**
 * Pure. Kubernetes RBAC authorization as kube-apiserver's RBAC authorizer decides it: Roles and ClusterRoles, bound
 * by RoleBindings (their namespace only) and ClusterRoleBindings (everywhere); subjects User, Group and
 * ServiceAccount; verbs, apiGroups, resources (`*`, `pods/eviction`, a star with a subresource), resourceNames and nonResourceURLs.
 * `system:masters` is allowed everything. No aggregation. Also the 403 message kube writes for a denial.
 */
import type { KubeObject } from "../../../k8s/api/objects.ts";

/** Who is asking (as authentication resolved it). */
export interface RbacUser {
  username: string;
  groups: string[];
}

/** What is asked: a resource request (group, resource, ...) or a non-resource one (path). */
export interface Attributes {
  user: RbacUser;
  /** `get`, `list`, `watch`, `create`, ...; for non-resource requests the lower-case HTTP method. */
  verb: string;
  resourceRequest: boolean;
  group: string;
  resource: string;
  subresource: string;
  /** "" for cluster-scoped requests and lists across namespaces. */
  namespace: string;
  /** "" for collections (list without a `metadata.name` field selector, create, deletecollection). */
  name: string;
  /** The URL path of a non-resource request. */
  path: string;
}

/** One rule of a Role or ClusterRole. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** A Role (namespaced) or ClusterRole. */
export interface Role {
  kind: "Role" | "ClusterRole";
  namespace: string;
  name: string;
  rules: PolicyRule[];
}

/** One subject of a binding. */
export interface Subject {
  kind: "User" | "Group" | "ServiceAccount";
  name: string;
  namespace?: string;
}

/** A RoleBinding (namespaced) or ClusterRoleBinding. */
export interface Binding {
  kind: "RoleBinding" | "ClusterRoleBinding";
  namespace: string;
  name: string;
  roleRef: { kind: "Role" | "ClusterRole"; name: string };
  subjects: Subject[];
}

/** Every Role, ClusterRole and binding the decision looks at. */
export interface Policy {
  roles: Role[];
  bindings: Binding[];
}

/** Names the rule that allowed a request: its role and its index in `rules`. */
export interface RuleRef {
  roleKind: "Role" | "ClusterRole";
  roleNamespace: string;
  roleName: string;
  index: number;
}

/** The answer: allowed (by whom) or not. */
export type Decision =
  | { allowed: true; reason: "system:masters" | "rbac"; rule?: RuleRef; binding?: string }
  | { allowed: false };

/** The group that bypasses authorization, as in kube-apiserver. */
export const PRIVILEGED_GROUP = "system:masters";

/** The username of a ServiceAccount. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The groups kube gives a ServiceAccount's token. */
export function serviceAccountGroups(namespace: string): string[] {
  return ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

/** The Roles, ClusterRoles and bindings among objects (other kinds ignored). */
export function policyOf(objects: readonly KubeObject[]): Policy {
  const roles: Role[] = [];
  const bindings: Binding[] = [];
  for (const o of objects) {
    const meta = { namespace: o.metadata?.namespace ?? "", name: o.metadata?.name ?? "" };
    const raw = o as unknown as Record<string, unknown>;
    if (o.kind === "Role" || o.kind === "ClusterRole") {
      const rules = (Array.isArray(raw.rules) ? raw.rules : []) as Array<Record<string, unknown>>;
      roles.push({
        kind: o.kind,
        ...meta,
        namespace: o.kind === "Role" ? meta.namespace : "",
        rules: rules.map((r) => ({
          verbs: strings(r.verbs),
          apiGroups: strings(r.apiGroups),
          resources: strings(r.resources),
          resourceNames: strings(r.resourceNames),
          nonResourceURLs: strings(r.nonResourceURLs),
        })),
      });
    } else if (o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding") {
      const ref = (raw.roleRef ?? {}) as { kind?: string; name?: string };
      const subjects = (Array.isArray(raw.subjects) ? raw.subjects : []) as Array<Record<string, unknown>>;
      bindings.push({
        kind: o.kind,
        ...meta,
        namespace: o.kind === "RoleBinding" ? meta.namespace : "",
        roleRef: { kind: ref.kind === "Role" ? "Role" : "ClusterRole", name: ref.name ?? "" },
        subjects: subjects.filter((s) => s.kind === "User" || s.kind === "Group" || s.kind === "ServiceAccount").map(
          (s) => ({
            kind: s.kind as Subject["kind"],
            name: String(s.name ?? ""),
            ...(typeof s.namespace === "string" ? { namespace: s.namespace } : {}),
          }),
        ),
      });
    }
  }
  return { roles, bindings };
}

/** True if the subject is the user (a ServiceAccount subject without namespace takes the binding's). */
export function subjectMatches(s: Subject, user: RbacUser, bindingNamespace: string): boolean {
  switch (s.kind) {
    case "User":
      return s.name === user.username;
    case "Group":
      return user.groups.includes(s.name);
    case "ServiceAccount":
      return user.username === serviceAccountUsername(s.namespace || bindingNamespace, s.name);
  }
}

/** True if the binding applies to the user for a request in `namespace` ("" = cluster scope). */
export function bindingApplies(b: Binding, user: RbacUser, namespace: string): boolean {
  if (b.kind === "RoleBinding" && b.namespace !== namespace) return false;
  return b.subjects.some((s) => subjectMatches(s, user, b.namespace));
}

function has(list: readonly string[] | undefined, value: string): boolean {
  return !!list && (list.includes(value) || list.includes("*"));
}

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some((r) => r === "*" || r === combined || (!!subresource && r === `*/${subresource}`));
}

function urlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) =>
    u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.slice(0, -1)))
  );
}

/** True if one rule allows the request (kube's RuleAllows). */
export function ruleAllows(rule: PolicyRule, a: Omit<Attributes, "user">): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return urlMatches(rule, a.path);
  if (!has(rule.apiGroups, a.group) || !resourceMatches(rule, a.resource, a.subresource)) return false;
  const names = rule.resourceNames ?? [];
  // A rule naming objects never allows a request that names none (create, list, watch, deletecollection).
  return names.length === 0 || names.includes(a.name);
}

/** The role a binding refers to, if it exists (a RoleBinding's Role is in its own namespace). */
export function roleOf(policy: Policy, b: Binding): Role | undefined {
  return policy.roles.find((r) =>
    r.kind === b.roleRef.kind && r.name === b.roleRef.name && (r.kind === "ClusterRole" || r.namespace === b.namespace)
  );
}

/** Decides one request against the policy. */
export function authorize(a: Attributes, policy: Policy): Decision {
  if (a.user.groups.includes(PRIVILEGED_GROUP)) return { allowed: true, reason: "system:masters" };
  for (const b of policy.bindings) {
    if (!bindingApplies(b, a.user, a.namespace)) continue;
    // Non-resource URLs are granted by ClusterRoles through ClusterRoleBindings only.
    if (!a.resourceRequest && b.kind !== "ClusterRoleBinding") continue;
    const role = roleOf(policy, b);
    if (!role) continue;
    const index = role.rules.findIndex((rule) => ruleAllows(rule, a));
    if (index >= 0) {
      return {
        allowed: true,
        reason: "rbac",
        binding: `${b.kind}/${b.namespace ? b.namespace + "/" : ""}${b.name}`,
        rule: { roleKind: role.kind, roleNamespace: role.namespace, roleName: role.name, index },
      };
    }
  }
  return { allowed: false };
}

/** kube's sentence for a denial: `User "u" cannot get resource "pods" in API group "" in the namespace "ns"`. */
export function forbiddenMessage(a: Attributes): string {
  const user = JSON.stringify(a.user.username);
  if (!a.resourceRequest) return `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = JSON.stringify(a.subresource ? `${a.resource}/${a.subresource}` : a.resource);
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : "at the cluster scope";
  return `User ${user} cannot ${a.verb} resource ${resource} in API group ${JSON.stringify(a.group)} ${where}`;
}

/** The whole Status message of a 403: `pods "x" is forbidden: User ...` (as apimachinery's NewForbidden words it). */
export function forbiddenStatusMessage(a: Attributes): string {
  const why = forbiddenMessage(a);
  if (!a.resourceRequest) return `forbidden: ${why}`;
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  return a.name ? `${qualified} ${JSON.stringify(a.name)} is forbidden: ${why}` : `${qualified} is forbidden: ${why}`;
}

/**
 * The default policy every cluster has (kube's bootstrap roles, not stored): discovery, health and version for
 * everyone authenticated, health and version for anonymous requests, self reviews.
 */
export const BOOTSTRAP_POLICY: Policy = {
  roles: [
    {
      kind: "ClusterRole",
      namespace: "",
      name: "system:discovery",
      rules: [{
        verbs: ["get"],
        nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*"]
          .concat(["/readyz", "/version", "/version/"]),
      }],
    },
    {
      kind: "ClusterRole",
      namespace: "",
      name: "system:public-info-viewer",
      rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"] }],
    },
    {
      kind: "ClusterRole",
      namespace: "",
      name: "system:basic-user",
      rules: [{
        verbs: ["create"],
        apiGroups: ["authorization.k8s.io"],
        resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
      }],
    },
  ],
  bindings: [
    ["system:discovery", ["system:authenticated"]],
    ["system:public-info-viewer", ["system:authenticated", "system:unauthenticated"]],
    ["system:basic-user", ["system:authenticated"]],
  ].map(([name, groups]) => ({
    kind: "ClusterRoleBinding" as const,
    namespace: "",
    name: name as string,
    roleRef: { kind: "ClusterRole" as const, name: name as string },
    subjects: (groups as string[]).map((g) => ({ kind: "Group" as const, name: g })),
  })),
};

/** Two policies as one. */
export function mergePolicies(a: Policy, b: Policy): Policy {
  return { roles: [...a.roles, ...b.roles], bindings: [...a.bindings, ...b.bindings] };
}
