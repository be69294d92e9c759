/**
 * The bearer tokens of ServiceAccounts the fake API server issued: each maps to the account's user
 * (`system:serviceaccount:<ns>:<name>`, groups `system:serviceaccounts`, `system:serviceaccounts:<ns>`,
 * `system:authenticated`). Tokens are random and registered as secrets so that no sink prints them.
 */
import { forgetSecret, registerSecret } from "../../../observability/redact.ts";
import { type RbacUser, serviceAccountGroups, serviceAccountUsername } from "./authorizer.ts";

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return "sa-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Issued ServiceAccount tokens. */
export class ServiceAccountTokens {
  private readonly users = new Map<string, RbacUser & { namespace: string; name: string }>();

  /** Issues a new token for the ServiceAccount. */
  issue(namespace: string, name: string): string {
    const token = randomToken();
    registerSecret(token);
    this.users.set(token, {
      username: serviceAccountUsername(namespace, name),
      groups: serviceAccountGroups(namespace),
      namespace,
      name,
    });
    return token;
  }

  /** The user of a token, if it was issued and its ServiceAccount still `exists`. */
  userOf(token: string, exists: (namespace: string, name: string) => boolean): RbacUser | undefined {
    const u = this.users.get(token);
    if (!u || !exists(u.namespace, u.name)) return undefined;
    return { username: u.username, groups: u.groups };
  }

  /** Forgets every token (and unregisters them as secrets). */
  clear(): void {
    for (const t of this.users.keys()) forgetSecret(t);
    this.users.clear();
  }
}
