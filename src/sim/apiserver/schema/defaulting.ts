/**
 * Structural defaulting as kube-apiserver applies it to custom resources (apiextensions-apiserver
 * `pkg/apiserver/schema/defaulting`): a property with a `default` is set when it is absent, or when it is null and
 * not nullable; defaults apply inside objects that exist (including defaults just set) and to every list item and
 * map value. `metadata` of the resource root is left to the server.
 */
import { additionalPropertiesOf, cloneJson, isPlainObject, itemsOf, propertiesOf, type SchemaNode } from "./node.ts";

function defaultFor(s: SchemaNode | undefined, current: unknown, present: boolean): unknown {
  if (!s || s.default === undefined) return current;
  if (!present || (current === null && s.nullable !== true)) return cloneJson(s.default);
  return current;
}

/** Applies defaults in place below `value` (which must already be a private copy); returns the value. */
export function applyDefaults(s: SchemaNode, value: unknown, resourceRoot = false): unknown {
  if (isPlainObject(value)) {
    const props = propertiesOf(s);
    for (const [key, prop] of Object.entries(props)) {
      if (resourceRoot && key === "metadata") continue;
      const present = Object.hasOwn(value, key);
      const next = defaultFor(prop, value[key], present);
      if (next !== undefined) value[key] = next;
    }
    const additional = additionalPropertiesOf(s);
    for (const [key, v] of Object.entries(value)) {
      if (resourceRoot && key === "metadata") continue;
      const prop = props[key] ?? (additional === true ? undefined : additional);
      if (!prop) continue;
      if (!props[key]) value[key] = defaultFor(prop, v, true);
      applyDefaults(prop, value[key]);
    }
    return value;
  }
  if (Array.isArray(value)) {
    const items = itemsOf(s);
    if (!items) return value;
    for (let i = 0; i < value.length; i++) {
      value[i] = defaultFor(items, value[i], true);
      applyDefaults(items, value[i]);
    }
  }
  return value;
}
