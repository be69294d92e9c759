/**
 * `x-kubernetes-list-type` checks of apiextensions-apiserver (`pkg/apiserver/schema/listtype`): a `set` must not
 * hold the same value twice, a `map` must not hold two items with the same values of `x-kubernetes-list-map-keys`.
 * An item that lacks a key field never equals another one, as in kube. `atomic` lists are not checked.
 */
import { duplicate, type FieldError, invalid } from "./field_errors.ts";
import { indexPath, isPlainObject, type SchemaNode } from "./node.ts";

/** Canonical JSON (sorted object keys) so that equal values compare equal as strings. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

function setDuplicates(path: string, items: unknown[]): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  items.forEach((item, i) => {
    const key = canonicalJson(item);
    if (seen.has(key)) errors.push(duplicate(indexPath(path, i), item));
    seen.add(key);
  });
  return errors;
}

function mapDuplicates(path: string, keys: string[], items: unknown[]): FieldError[] {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item !== null && !isPlainObject(item)) {
      return [invalid(indexPath(path, i), item, "must be an object for an array of list-type map")];
    }
  }
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  items.forEach((item, i) => {
    if (!isPlainObject(item)) return;
    // An item missing one of the keys is unique by definition.
    if (!keys.every((k) => k in item)) return;
    const keyValues: Record<string, unknown> = {};
    for (const k of keys) keyValues[k] = item[k];
    const id = canonicalJson(keyValues);
    if (seen.has(id)) errors.push(duplicate(indexPath(path, i), keyValues));
    seen.add(id);
  });
  return errors;
}

/** Duplicate errors of one list according to its list type (items are checked by the caller's recursion). */
export function listTypeErrors(s: SchemaNode, path: string, items: unknown[]): FieldError[] {
  const listType = s["x-kubernetes-list-type"];
  if (listType === "set") return setDuplicates(path, items);
  if (listType === "map") {
    const keys = Array.isArray(s["x-kubernetes-list-map-keys"])
      ? s["x-kubernetes-list-map-keys"].filter((k): k is string => typeof k === "string")
      : [];
    return keys.length ? mapDuplicates(path, keys, items) : [];
  }
  return [];
}
