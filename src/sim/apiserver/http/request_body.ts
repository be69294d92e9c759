/**
 * What a resource request carries besides its path: the body (JSON or YAML), the write options of the query
 * (dryRun, fieldManager, fieldValidation) and DeleteOptions (from the body or the query).
 */
import { z } from "zod";
import { parse as parseYaml } from "yaml";
import { badRequest } from "../status_errors.ts";
import type { DeleteRequest, UserInfo, WriteOptions } from "../write_path.ts";

/** DeleteOptions (meta/v1) as far as the server honours them. */
export const DeleteOptionsSchema = z.object({
  kind: z.string().optional(),
  apiVersion: z.string().optional(),
  propagationPolicy: z.enum(["Background", "Foreground", "Orphan"]).optional(),
  orphanDependents: z.boolean().optional(),
  gracePeriodSeconds: z.number().int().optional(),
  dryRun: z.array(z.string()).optional(),
  preconditions: z.object({ uid: z.string().optional(), resourceVersion: z.string().optional() }).optional(),
}).passthrough();

/** The decoded body (JSON, or YAML by content type), undefined when empty; 400 when it does not decode. */
export async function readBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return undefined;
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim();
  try {
    return type.includes("yaml") ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding request body: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The write options of a request's query; 400 on a dryRun or fieldValidation value the server does not know. */
export function writeOptions(query: URLSearchParams, user: UserInfo, subresource?: "status"): WriteOptions {
  const dryRun = query.getAll("dryRun");
  if (dryRun.some((d) => d !== "All")) {
    throw badRequest(`Invalid dryRun value: ${dryRun.join(",")}; only "All" is supported`);
  }
  const fv = query.get("fieldValidation");
  if (fv !== null && fv !== "Strict" && fv !== "Warn" && fv !== "Ignore") {
    throw badRequest(`fieldValidation must be one of Strict, Warn, Ignore; got "${fv}"`);
  }
  return {
    dryRun: dryRun.length > 0,
    fieldManager: query.get("fieldManager") ?? undefined,
    fieldValidation: (fv ?? undefined) as WriteOptions["fieldValidation"],
    user,
    subresource,
  };
}

/** A delete's propagation policy, preconditions and dry-run flag from DeleteOptions and the query. */
export function deleteRequest(body: unknown, query: URLSearchParams): { req: DeleteRequest; dryRun: boolean } {
  const parsed = DeleteOptionsSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`invalid DeleteOptions: ${issue.path.join(".") || "<root>"}: ${issue.message}`);
  }
  const opts = parsed.data;
  const qPolicy = query.get("propagationPolicy");
  if (qPolicy !== null && !["Background", "Foreground", "Orphan"].includes(qPolicy)) {
    throw badRequest(`propagationPolicy must be one of Background, Foreground, Orphan; got "${qPolicy}"`);
  }
  let policy = (qPolicy ?? opts.propagationPolicy) as DeleteRequest["propagationPolicy"];
  if (!policy && opts.orphanDependents !== undefined) policy = opts.orphanDependents ? "Orphan" : "Background";
  const dryRun = query.getAll("dryRun").includes("All") || (opts.dryRun ?? []).includes("All");
  return { req: { propagationPolicy: policy, preconditions: opts.preconditions }, dryRun };
}
