/**
 * Pure. Which rules of a set of Roles and ClusterRoles no recorded request needed: a rule counts as used when some
 * allowed request of a subject bound to its role (through a binding that applies in the request's namespace)
 * matches it, whether or not it was the rule the authorizer found first.
 */
import type { AuditEntry } from "./audit.ts";
import { type Attributes, bindingApplies, type Policy, type PolicyRule, roleOf, ruleAllows } from "./authorizer.ts";

/** A rule no request used. */
export interface UnusedRule {
  /** `ClusterRole/<name>` or `Role/<namespace>/<name>`. */
  role: string;
  index: number;
  rule: PolicyRule;
}

function attributesOf(e: AuditEntry): Attributes {
  return {
    user: { username: e.user, groups: e.groups },
    verb: e.verb,
    resourceRequest: e.path === "",
    group: e.group,
    resource: e.resource,
    subresource: e.subresource,
    namespace: e.namespace,
    name: e.name,
    path: e.path,
  };
}

/** The rules of `policy` that no allowed entry of `entries` used. */
export function unusedRules(policy: Policy, entries: readonly AuditEntry[]): UnusedRule[] {
  const allowed = entries.filter((e) => e.allowed).map(attributesOf);
  const used = new Set<string>();
  for (const b of policy.bindings) {
    const role = roleOf(policy, b);
    if (!role) continue;
    const key = (i: number) => `${role.kind}/${role.namespace}/${role.name}/${i}`;
    for (const a of allowed) {
      if (!bindingApplies(b, a.user, a.namespace)) continue;
      if (!a.resourceRequest && b.kind !== "ClusterRoleBinding") continue;
      role.rules.forEach((rule, i) => {
        if (ruleAllows(rule, a)) used.add(key(i));
      });
    }
  }
  const out: UnusedRule[] = [];
  for (const role of policy.roles) {
    role.rules.forEach((rule, index) => {
      if (used.has(`${role.kind}/${role.namespace}/${role.name}/${index}`)) return;
      out.push({
        role: role.kind === "Role" ? `Role/${role.namespace}/${role.name}` : `ClusterRole/${role.name}`,
        index,
        rule,
      });
    });
  }
  return out;
}
