/**
 * PATCH bodies: picks the patch type from the Content-Type (JSON patch, merge patch, strategic merge patch for
 * built-in kinds, server-side apply) and applies it with the project's patch implementations.
 */
import { parse as parseYaml } from "yaml";
import { applyJsonPatch, type JsonPatchOperation, PatchError } from "../../k8s/api/patch/json_patch.ts";
import { applyMergePatch } from "../../k8s/api/patch/merge_patch.ts";
import { applyStrategicMergePatch } from "../../k8s/api/patch/strategic_merge_patch.ts";
import { badRequest, invalid, StatusError, unsupportedMediaType } from "./status_errors.ts";
import { statusBody, StatusReason } from "../../k8s/api/errors.ts";

/** The four patch types of the API. */
export type PatchKind = "json" | "merge" | "strategic" | "apply";

const BY_MEDIA_TYPE: Record<string, PatchKind> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

/** Media types a resource accepts for PATCH (custom resources have no strategic merge). */
export function acceptedPatchTypes(builtin: boolean): string[] {
  return Object.entries(BY_MEDIA_TYPE).filter(([, k]) => builtin || k !== "strategic").map(([t]) => t);
}

/** The patch type of a request, or a 415 naming the accepted types. */
export function patchKindOf(contentType: string | null, builtin: boolean): PatchKind {
  const media = (contentType ?? "").split(";")[0].trim().toLowerCase();
  const kind = BY_MEDIA_TYPE[media];
  if (!kind || (kind === "strategic" && !builtin)) {
    throw unsupportedMediaType(media || "(none)", acceptedPatchTypes(builtin));
  }
  return kind;
}

/** Parses a patch body: JSON, or YAML for server-side apply. */
export function parsePatchBody(kind: PatchKind, text: string): unknown {
  try {
    return kind === "apply" ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Applies a JSON, merge or strategic patch to a copy of `target`; patch errors become 422 / 400. */
export function applyPatch(
  kind: Exclude<PatchKind, "apply">,
  target: Record<string, unknown>,
  patch: unknown,
  type: { apiVersion: string; kind: string; name?: string; group: string },
): Record<string, unknown> {
  let result: unknown;
  try {
    switch (kind) {
      case "json":
        if (!Array.isArray(patch)) throw badRequest("json patch must be an array of operations");
        result = applyJsonPatch(target, patch as JsonPatchOperation[]);
        break;
      case "merge":
        if (patch === null || typeof patch !== "object" || Array.isArray(patch)) {
          throw badRequest("merge patch must be a JSON object");
        }
        result = applyMergePatch(target, patch);
        break;
      case "strategic":
        if (patch === null || typeof patch !== "object" || Array.isArray(patch)) {
          throw badRequest("strategic merge patch must be a JSON object");
        }
        result = applyStrategicMergePatch(target, patch, { apiVersion: type.apiVersion, kind: type.kind });
        break;
    }
  } catch (e) {
    if (e instanceof StatusError) throw e;
    if (e instanceof PatchError) {
      throw new StatusError(
        statusBody(
          422,
          StatusReason.Invalid,
          `the server rejected our request due to an error in our request: ${e.message}`,
        ),
      );
    }
    throw badRequest(`unable to apply patch: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (result === null || typeof result !== "object" || Array.isArray(result)) {
    throw invalid({ kind: type.kind, group: type.group, name: type.name }, [
      { type: "FieldValueInvalid", field: "<root>", message: "Invalid value: the patched document is not an object" },
    ]);
  }
  return result as Record<string, unknown>;
}
