/**
 * Authorization of the fake API server: the RBAC objects in its store (re-read after any of them changes) plus
 * kube's bootstrap roles decide each request of a non-`system:masters` user; every decision goes to the audit and a
 * denial is answered 403 with kube's message.
 */
import type { KubeObject } from "../../../k8s/api/objects.ts";
import { forbidden } from "../status_errors.ts";
import type { ObjectStore } from "../storage/object_store.ts";
import { AuthorizationAudit } from "./audit.ts";
import {
  type Attributes,
  authorize,
  BOOTSTRAP_POLICY,
  type Decision,
  forbiddenStatusMessage,
  mergePolicies,
  type Policy,
  policyOf,
  type RbacUser,
} from "./authorizer.ts";
import { ServiceAccountTokens } from "./tokens.ts";

const RBAC_STORAGE = ["roles", "rolebindings", "clusterroles", "clusterrolebindings"].map((r) =>
  `${r}.rbac.authorization.k8s.io`
);

/** Tokens, policy and audit of one server. */
export class RbacGate {
  readonly tokens = new ServiceAccountTokens();
  readonly audit = new AuthorizationAudit();
  private policy?: Policy;

  constructor(private readonly store: ObjectStore) {
    store.onChange((e) => {
      if (RBAC_STORAGE.includes(e.storage)) this.policy = undefined;
    });
  }

  /** The user of a ServiceAccount token, while the account exists. */
  userOf(token: string): RbacUser | undefined {
    return this.tokens.userOf(token, (ns, name) => !!this.store.get("serviceaccounts", ns, name));
  }

  /** The stored RBAC objects as a policy (bootstrap roles not included). */
  storedPolicy(): Policy {
    const objects: KubeObject[] = [];
    for (const s of RBAC_STORAGE) for (const { stored } of this.store.list(s)) objects.push(stored.object);
    return policyOf(objects);
  }

  /** Decides, records, and throws 403 on a denial. */
  check(a: Attributes): Decision {
    this.policy ??= mergePolicies(BOOTSTRAP_POLICY, this.storedPolicy());
    const d = authorize(a, this.policy);
    this.audit.record(a, d);
    if (!d.allowed) {
      throw forbidden(
        { resource: a.resource, group: a.group, ...(a.name ? { name: a.name } : {}) },
        forbiddenStatusMessage(a),
      );
    }
    return d;
  }
}
