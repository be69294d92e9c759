/** How the fake API server answers over HTTP: JSON bodies, kube Status errors, warnings and write results. */
import type { StatusError } from "../status_errors.ts";
import type { WriteResult } from "../write_path.ts";

export const JSON_HEADERS = { "content-type": "application/json" };

/** A JSON answer (a string body is sent as it is: stored objects keep their serialisation). */
export function json(code: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status: code,
    headers: { ...JSON_HEADERS, ...headers },
  });
}

/** A kube Status answer for an error. */
export function errorResponse(e: StatusError): Response {
  return json(e.code, e.status, e.headers);
}

/** The `Warning` header of a write's warnings (none when there are none). */
function warningHeaders(warnings: string[]): Record<string, string> {
  if (warnings.length === 0) return {};
  return { warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ") };
}

/** The answer to a write: the stored object (or the prepared JSON) with its warnings. */
export function writeResponse(r: WriteResult): Response {
  return json(r.code, r.json ?? JSON.stringify(r.object), warningHeaders(r.warnings));
}

/** The Success Status of a deletecollection (and the base of other Success answers). */
export const SUCCESS = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" } as const;
