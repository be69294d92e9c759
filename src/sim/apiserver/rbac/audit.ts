/**
 * The fake API server's audit of authorization: per identity, every distinct request it authorized (and by which
 * rule) and every one it denied, with how often. The requests of `system:masters` are not recorded.
 */
import type { Attributes, Decision, RuleRef } from "./authorizer.ts";

/** One distinct request of one identity, and what was decided. */
export interface AuditEntry {
  user: string;
  groups: string[];
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The path of a non-resource request ("" for resource requests). */
  path: string;
  allowed: boolean;
  /** The first rule that allowed it. */
  rule?: RuleRef;
  count: number;
}

/** Records authorization decisions, one entry per distinct (identity, request, decision). */
export class AuthorizationAudit {
  private readonly entries = new Map<string, AuditEntry>();

  /** Records one decision. */
  record(a: Attributes, d: Decision): void {
    if (d.allowed && d.reason === "system:masters") return;
    const path = a.resourceRequest ? "" : a.path;
    const key = [a.user.username, a.verb, a.group, a.resource, a.subresource, a.namespace, a.name, path, d.allowed]
      .join("\u0000");
    const seen = this.entries.get(key);
    if (seen) {
      seen.count++;
      return;
    }
    this.entries.set(key, {
      user: a.user.username,
      groups: [...a.user.groups],
      verb: a.verb,
      group: a.group,
      resource: a.resource,
      subresource: a.subresource,
      namespace: a.namespace,
      name: a.name,
      path,
      allowed: d.allowed,
      ...(d.allowed && d.rule ? { rule: d.rule } : {}),
      count: 1,
    });
  }

  /** Every entry so far. */
  all(): AuditEntry[] {
    return [...this.entries.values()];
  }

  /** The denied requests. */
  denied(): AuditEntry[] {
    return this.all().filter((e) => !e.allowed);
  }

  /** Forgets everything recorded. */
  clear(): void {
    this.entries.clear();
  }
}
