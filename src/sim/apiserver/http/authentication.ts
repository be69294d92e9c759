/** Who a request is: the bearer token over HTTPS, anonymous over plain HTTP and on the health/version endpoints. */
import { unauthorized } from "../status_errors.ts";
import type { UserInfo } from "../write_path.ts";

const ANONYMOUS_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version"]);
const ANONYMOUS: UserInfo = { username: "system:anonymous", groups: ["system:unauthenticated"] };

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The user of a request: the admin token is `system:admin` in `system:masters`; an issued ServiceAccount token is
 * that account (`serviceAccountUser`). `token` undefined accepts anonymous requests. Throws 401 on a wrong token.
 */
export function authenticate(
  req: Request,
  path: string,
  token: string | undefined,
  serviceAccountUser?: (token: string) => UserInfo | undefined,
): UserInfo {
  if (token === undefined) return ANONYMOUS;
  const header = req.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(header);
  if (m && timingSafeEqual(m[1].trim(), token)) {
    return { username: "system:admin", groups: ["system:masters", "system:authenticated"] };
  }
  const sa = m ? serviceAccountUser?.(m[1].trim()) : undefined;
  if (sa) return sa;
  if (ANONYMOUS_PATHS.has(path)) return ANONYMOUS;
  throw unauthorized();
}
