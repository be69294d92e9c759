/** RFC 7386 JSON Merge Patch: apply, and create the smallest patch between two documents. */
import { cloneJson, isJsonObject, jsonEqual } from "./json_value.ts";

/** Applies a merge patch (null deletes a key; arrays are replaced) to a deep copy of `target`. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: Record<string, unknown> = isJsonObject(target) ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/**
 * The smallest merge patch that turns `from` into `to`. Merge patches cannot express a null value inside an object
 * (null means "delete"), so such values in `to` are removed by the patch, as RFC 7386 defines.
 */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isJsonObject(from) || !isJsonObject(to)) return cloneJson(to);
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) {
    if (!Object.hasOwn(to, key)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(to)) {
    if (!Object.hasOwn(from, key)) patch[key] = cloneJson(value);
    else if (!jsonEqual(from[key], value)) {
      patch[key] = isJsonObject(from[key]) && isJsonObject(value)
        ? createMergePatch(from[key], value)
        : cloneJson(value);
    }
  }
  return patch;
}
