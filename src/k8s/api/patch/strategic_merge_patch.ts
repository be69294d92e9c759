/**
 * Strategic merge patch for built-in types, with the list merge keys of the Kubernetes Go types (containers, env,
 * volumes, ports, volumeMounts, ... by name or key; finalizers as a set; tolerations, taints and RBAC subjects
 * replaced; see `strategic_merge_schema.ts`) and the `$patch: replace|merge|delete`, `$retainKeys`,
 * `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>` directives. Null deletes a field; a list without
 * a merge strategy is replaced; a merged list is ordered like kube orders it (patch order for the patched items,
 * server order for the rest, items new to the server ahead of server-only ones).
 */
import { PatchError } from "./json_patch.ts";
import { cloneJson, isJsonObject, jsonEqual } from "./json_value.ts";
import { BUILTIN_GROUPS, type FieldStrategy, type ListStrategy, rootFields, TYPES } from "./strategic_merge_schema.ts";

const PATCH = "$patch";
const RETAIN_KEYS = "$retainKeys";
const SET_ELEMENT_ORDER = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";

type Fields = Record<string, FieldStrategy> | undefined;

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

function isDirectiveKey(key: string): boolean {
  return key === PATCH || key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) ||
    key.startsWith(DELETE_FROM_PRIMITIVE_LIST);
}

/** Applies a strategic merge patch for an object of kind `apiVersion`/`kind` to a deep copy of `target`. */
export function applyStrategicMergePatch(
  target: unknown,
  patch: unknown,
  type: { apiVersion: string; kind: string },
): unknown {
  if (!isJsonObject(patch)) throw new PatchError("a strategic merge patch must be a JSON object");
  const original = isJsonObject(target) ? cloneJson(target) : {};
  const merged = mergeMap(original, patch, rootFields(groupOf(type.apiVersion), type.kind), "");
  return merged ?? {};
}

/** True if strategic merge patch is defined for this type (built-in kinds); custom resources answer 415. */
export function supportsStrategicMerge(type: { apiVersion: string; kind: string }): boolean {
  return BUILTIN_GROUPS.has(groupOf(type.apiVersion));
}

function fieldsOf(typeName: string | undefined): Fields {
  return typeName ? TYPES[typeName] : undefined;
}

/** Merges `patch` into `original` (owned, mutated); undefined means the map is to be deleted. */
function mergeMap(
  original: Record<string, unknown>,
  patch: Record<string, unknown>,
  fields: Fields,
  path: string,
): Record<string, unknown> | undefined {
  const directive = patch[PATCH];
  if (directive === "delete") return undefined;
  if (directive === "replace") return mergeMap({}, withoutKey(patch, PATCH), fields, path);
  if (directive !== undefined && directive !== "merge") {
    throw new PatchError(`${path || "<root>"}: unknown $patch directive ${JSON.stringify(directive)}`);
  }
  if (RETAIN_KEYS in patch) applyRetainKeys(original, patch, path);

  for (const [key, values] of Object.entries(patch)) {
    if (!key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
    if (!Array.isArray(values)) throw new PatchError(`${join(path, key)}: must be a list`);
    const current = original[field];
    if (Array.isArray(current)) original[field] = current.filter((v) => !values.some((d) => jsonEqual(d, v)));
  }

  for (const [key, value] of Object.entries(patch)) {
    if (isDirectiveKey(key)) continue;
    const strategy = fields?.[key];
    const where = join(path, key);
    if (value === null) {
      delete original[key];
    } else if (strategy?.list && Array.isArray(value)) {
      original[key] = mergeList(original[key], value, strategy.list, patch[SET_ELEMENT_ORDER + key], where);
    } else if (isJsonObject(value)) {
      const base = isJsonObject(original[key]) ? original[key] as Record<string, unknown> : {};
      const merged = mergeMap(base, value, fieldsOf(strategy?.type), where);
      if (merged === undefined) delete original[key];
      else original[key] = merged;
    } else {
      original[key] = Array.isArray(value) ? withoutDirectiveItems(value) : value;
    }
  }

  // `$setElementOrder` for a list the patch does not otherwise touch still reorders it.
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = key.slice(SET_ELEMENT_ORDER.length);
    if (field in patch) continue;
    const list = fields?.[field]?.list;
    const current = original[field];
    if (Array.isArray(current) && Array.isArray(order)) {
      original[field] = applyElementOrder(current, current, order, list?.mergeKey);
    }
  }
  return original;
}

function applyRetainKeys(original: Record<string, unknown>, patch: Record<string, unknown>, path: string): void {
  const retain = patch[RETAIN_KEYS];
  if (!Array.isArray(retain) || !retain.every((k) => typeof k === "string")) {
    throw new PatchError(`${join(path, RETAIN_KEYS)}: must be a list of field names`);
  }
  for (const key of Object.keys(patch)) {
    if (!isDirectiveKey(key) && patch[key] !== null && !retain.includes(key)) {
      throw new PatchError(`${join(path, key)}: not present in the $retainKeys list ${JSON.stringify(retain)}`);
    }
  }
  for (const key of Object.keys(original)) if (!retain.includes(key)) delete original[key];
}

function mergeList(
  original: unknown,
  patch: unknown[],
  strategy: ListStrategy,
  order: unknown,
  path: string,
): unknown[] {
  let base = Array.isArray(original) ? original : [];
  const isReplace = (i: unknown) => isJsonObject(i) && i[PATCH] === "replace";
  if (patch.some(isReplace)) base = [];
  let items = patch.filter((i) => !isReplace(i));
  let merged: unknown[];
  if (strategy.mergeKey === undefined) {
    // A merged list of scalars is a set: union without duplicates.
    merged = [...base];
    for (const item of items) if (!merged.some((r) => jsonEqual(r, item))) merged.push(cloneJson(item));
  } else {
    const key = strategy.mergeKey;
    items.forEach((item, i) => checkMergeKey(item, key, `${path}[${i}]`));
    // `$patch: delete` items remove their match before anything merges, as in kube.
    const deletes = items.filter((i) => (i as Record<string, unknown>)[PATCH] === "delete");
    base = base.filter((b) => !deletes.some((d) => sameKey(b, d, key)));
    items = items.filter((i) => (i as Record<string, unknown>)[PATCH] !== "delete");
    merged = mergeKeyedItems(base, items, strategy, path);
  }
  // kube orders the result by $setElementOrder, or else by the order of the patch list.
  return applyElementOrder(merged, base, Array.isArray(order) ? order : items, strategy.mergeKey);
}

function checkMergeKey(item: unknown, key: string, where: string): void {
  if (!isJsonObject(item)) throw new PatchError(`${where}: must be an object with merge key ${JSON.stringify(key)}`);
  if (!(key in item)) {
    // kube prints the whole item here; we leave its values out, they may be secrets (env values, tokens).
    throw new PatchError(`${where}: item does not contain declared merge key: ${key}`);
  }
}

function sameKey(a: unknown, b: unknown, key: string): boolean {
  return isJsonObject(a) && isJsonObject(b) && jsonEqual(a[key], b[key]);
}

function mergeKeyedItems(base: unknown[], patch: unknown[], strategy: ListStrategy, path: string): unknown[] {
  const key = strategy.mergeKey as string;
  const result = [...base];
  patch.forEach((item, i) => {
    const j = result.findIndex((r) => sameKey(r, item, key));
    const existing = j >= 0 ? cloneJson(result[j]) as Record<string, unknown> : {};
    const merged = mergeMap(existing, item as Record<string, unknown>, fieldsOf(strategy.items), `${path}[${i}]`);
    if (j >= 0) {
      if (merged === undefined) result.splice(j, 1);
      else result[j] = merged;
    } else if (merged !== undefined) {
      result.push(merged);
    }
  });
  return result;
}

/**
 * Orders a merged list as kube does: items named in `order` take that relative order; the other (server-only) items
 * keep theirs and go back among the ordered ones by their position in the original list. An ordered item the server
 * did not have goes before any server-only item still waiting, which is why kube puts new items first.
 */
function applyElementOrder(items: unknown[], server: unknown[], order: unknown[], mergeKey?: string): unknown[] {
  const idOf = (v: unknown) => JSON.stringify(mergeKey !== undefined && isJsonObject(v) ? v[mergeKey] : v);
  const rank = new Map<string, number>();
  order.forEach((o, i) => rank.set(idOf(o), i));
  const serverPos = new Map<string, number>();
  server.forEach((s, i) => serverPos.set(idOf(s), i));
  const ordered = items.filter((i) => rank.has(idOf(i))).sort((a, b) => rank.get(idOf(a))! - rank.get(idOf(b))!);
  const others = items.filter((i) => !rank.has(idOf(i)));
  const out: unknown[] = [];
  let a = 0;
  let b = 0;
  while (a < others.length && b < ordered.length) {
    const pa = serverPos.get(idOf(others[a]));
    const pb = serverPos.get(idOf(ordered[b]));
    out.push(pa !== undefined && pb !== undefined && pa < pb ? others[a++] : ordered[b++]);
  }
  return out.concat(others.slice(a), ordered.slice(b));
}

function withoutKey(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _, ...rest } = obj;
  return rest;
}

function withoutDirectiveItems(list: unknown[]): unknown[] {
  return cloneJson(list.filter((i) => !(isJsonObject(i) && PATCH in i && Object.keys(i).length === 1)));
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
