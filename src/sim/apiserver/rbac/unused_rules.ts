/**
 * Pure. Which rules of a set of Roles and ClusterRoles no recorded request needed: a rule counts as used when some
 * allowed request of a subject bound to its role (through a binding that applies in the request's namespace)
 * matches it, whether or not it was the rule the authorizer found first.
 */
import type { AuditEntry } from "./audit.ts";
import { type Attributes, bindingApplies, type Policy, type PolicyRule, roleOf, ruleAllows } from "./authorizer.ts";

/** A rule, or the part of a rule, no request used. */
export interface UnusedRule {
  /** `ClusterRole/<name>` or `Role/<namespace>/<name>`. */
  role: string;
  index: number;
  rule: PolicyRule;
  /**
   * What of the rule went unused: every `verb resource` (with its group, `verb resource.group`) or `verb URL` the
   * rule spells out that no request used; the whole rule when none of it was used.
   */
  grants: string[];
  /** True when no request used the rule at all. */
  whole: boolean;
}

/** The `verb resource[.group]` (or `verb URL`) pairs a rule spells out (wildcards stay as written). */
export function grantsOf(rule: PolicyRule): string[] {
  const out: string[] = [];
  for (const verb of rule.verbs) {
    for (const u of rule.nonResourceURLs ?? []) out.push(`${verb} ${u}`);
    for (const g of rule.apiGroups ?? []) {
      for (const r of rule.resources ?? []) out.push(`${verb} ${g ? `${r}.${g}` : r}`);
    }
  }
  return out;
}

/** The one-verb, one-group, one-resource (or one-URL) rules a grant stands for. */
function narrowed(rule: PolicyRule): Array<{ grant: string; rule: PolicyRule }> {
  const out: Array<{ grant: string; rule: PolicyRule }> = [];
  for (const verb of rule.verbs) {
    for (const u of rule.nonResourceURLs ?? []) {
      out.push({ grant: `${verb} ${u}`, rule: { verbs: [verb], nonResourceURLs: [u] } });
    }
    for (const g of rule.apiGroups ?? []) {
      for (const r of rule.resources ?? []) {
        out.push({
          grant: `${verb} ${g ? `${r}.${g}` : r}`,
          rule: { verbs: [verb], apiGroups: [g], resources: [r], resourceNames: rule.resourceNames },
        });
      }
    }
  }
  return out;
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

/** The rules of `policy`, or the parts of them, that no allowed entry of `entries` used. */
export function unusedRules(policy: Policy, entries: readonly AuditEntry[]): UnusedRule[] {
  const allowed = entries.filter((e) => e.allowed).map(attributesOf);
  // The grants used, per rule (`kind/namespace/name/index`).
  const used = new Map<string, Set<string>>();
  for (const b of policy.bindings) {
    const role = roleOf(policy, b);
    if (!role) continue;
    const applicable = allowed.filter((a) =>
      bindingApplies(b, a.user, a.namespace) && (a.resourceRequest || b.kind === "ClusterRoleBinding")
    );
    role.rules.forEach((rule, i) => {
      const key = `${role.kind}/${role.namespace}/${role.name}/${i}`;
      const set = used.get(key) ?? new Set<string>();
      for (const n of narrowed(rule)) {
        if (applicable.some((a) => ruleAllows(n.rule, a))) set.add(n.grant);
      }
      used.set(key, set);
    });
  }
  const out: UnusedRule[] = [];
  for (const role of policy.roles) {
    role.rules.forEach((rule, index) => {
      const set = used.get(`${role.kind}/${role.namespace}/${role.name}/${index}`) ?? new Set<string>();
      const grants = grantsOf(rule).filter((g) => !set.has(g));
      if (grants.length === 0) return;
      const name = role.kind === "Role" ? `Role/${role.namespace}/${role.name}` : `ClusterRole/${role.name}`;
      out.push({ role: name, index, rule, grants, whole: set.size === 0 });
    });
  }
  return out;
}
