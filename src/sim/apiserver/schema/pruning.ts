/**
 * Pruning of unknown fields, as kube-apiserver does for every apiextensions.k8s.io/v1 custom resource
 * (`pkg/apiserver/schema/pruning` and `defaulting/prunenulls.go`): keys the schema does not declare are dropped
 * silently, except below `x-kubernetes-preserve-unknown-fields: true` or where `additionalProperties` is `true`;
 * `apiVersion`, `kind` and `metadata` of the resource root and of embedded resources are kept (embedded metadata is
 * reduced to ObjectMeta fields); a null in a non-nullable field without a default is removed.
 */
import { coerceEmbeddedMetadata, RESOURCE_ENVELOPE_FIELDS } from "./embedded.ts";
import {
  additionalPropertiesOf,
  isEmbeddedResource,
  isPlainObject,
  itemsOf,
  preservesUnknownFields,
  propertiesOf,
  type SchemaNode,
} from "./node.ts";

/** Where the pruned field was (for callers that want to warn about unknown fields). */
export type PrunedFieldSink = (path: string) => void;

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isDroppableNull(s: SchemaNode | undefined): boolean {
  return !!s && s.nullable !== true && s.default === undefined;
}

/** Prunes `value` in place (it must be a private copy) and returns it. */
export function pruneUnknownFields(
  s: SchemaNode | undefined,
  value: unknown,
  resourceRoot = false,
  onPruned?: PrunedFieldSink,
  path = "",
): unknown {
  if (isPlainObject(value)) {
    pruneObject(s, value, resourceRoot, onPruned, path);
  } else if (Array.isArray(value)) {
    const items = s ? itemsOf(s) : undefined;
    const preserve = !!s && preservesUnknownFields(s) && !items;
    if (!preserve) value.forEach((v, i) => pruneUnknownFields(items, v, false, onPruned, `${path}[${i}]`));
  }
  return value;
}

function pruneObject(
  s: SchemaNode | undefined,
  obj: Record<string, unknown>,
  resourceRoot: boolean,
  onPruned: PrunedFieldSink | undefined,
  path: string,
): void {
  const props = s ? propertiesOf(s) : {};
  const additional = s ? additionalPropertiesOf(s) : undefined;
  const preserve = !!s && preservesUnknownFields(s);
  const envelope = resourceRoot || (!!s && isEmbeddedResource(s));
  for (const [key, v] of Object.entries(obj)) {
    if (envelope && RESOURCE_ENVELOPE_FIELDS.has(key)) {
      // The server validates the root's metadata itself; embedded metadata is reduced to ObjectMeta.
      if (key === "metadata" && !resourceRoot) obj[key] = coerceEmbeddedMetadata(v);
      continue;
    }
    const prop = props[key] ?? (additional === true ? undefined : additional);
    if (prop) {
      if (v === null && isDroppableNull(prop)) {
        delete obj[key];
        continue;
      }
      pruneUnknownFields(prop, v, false, onPruned, join(path, key));
    } else if (additional === true || preserve) {
      // Kept as is: nothing below an undeclared field of a preserving object is known to the schema.
      continue;
    } else {
      delete obj[key];
      onPruned?.(join(path, key));
    }
  }
}
