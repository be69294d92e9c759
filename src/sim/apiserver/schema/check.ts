/**
 * Checks that a CRD version's openAPIV3Schema is usable as a structural schema before any object is validated
 * against it: known types, `type` present on specified fields, `items` on arrays, `properties` and
 * `additionalProperties` not both set, patterns that compile, list-map keys that exist, defaults that validate and
 * are already pruned. Paths follow kube's CRD validation (`openAPIV3Schema.properties[spec].type`).
 */
import { type FieldError, forbidden, invalid, notSupported, required } from "./field_errors.ts";
import { canonicalJson } from "./list_type.ts";
import { asSchemaNode, isPlainObject, type SchemaNode } from "./node.ts";
import { pruneUnknownFields } from "./pruning.ts";
import { compileGoPattern } from "./regex.ts";
import { validateValue } from "./validation.ts";

const TYPES = ["object", "array", "string", "integer", "number", "boolean"];

/** Every problem of the schema; empty when it can be used to validate, prune and default objects. */
export function checkStructuralSchema(schema: unknown, path = "openAPIV3Schema"): FieldError[] {
  const out: FieldError[] = [];
  checkNode(asSchemaNode(schema), path, out, { valueValidation: false, root: true });
  return out;
}

interface Ctx {
  /** Inside anyOf/allOf/oneOf/not, where `type` is optional and no structure may be introduced. */
  valueValidation: boolean;
  root: boolean;
}

function checkNode(s: SchemaNode, path: string, out: FieldError[], ctx: Ctx): void {
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  if (s.type !== undefined && (typeof s.type !== "string" || !TYPES.includes(s.type))) {
    out.push(notSupported(`${path}.type`, s.type, TYPES));
  } else if (s.type === undefined && !ctx.valueValidation && !intOrString && !preserve && !ctx.root) {
    out.push(required(`${path}.type`, "must not be empty for specified fields"));
  }
  if (s.properties !== undefined && !isPlainObject(s.properties)) out.push(invalid(`${path}.properties`, s.properties));
  if (isPlainObject(s.properties) && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    out.push(forbidden(`${path}.additionalProperties`, "additionalProperties and properties are mutual exclusive"));
  }
  if (s.type === "array" && !isPlainObject(s.items) && !ctx.valueValidation) {
    out.push(required(`${path}.items`, "must be specified"));
  }
  if (s.pattern !== undefined) {
    const re = typeof s.pattern === "string" ? compileGoPattern(s.pattern) : "must be a string";
    if (typeof re === "string") out.push(invalid(`${path}.pattern`, s.pattern, re));
  }
  checkListType(s, path, out);
  if (s.default !== undefined && !ctx.valueValidation) checkDefault(s, path, out);

  const child: Ctx = { valueValidation: ctx.valueValidation, root: false };
  if (isPlainObject(s.properties)) {
    for (const [k, p] of Object.entries(s.properties)) {
      checkNode(asSchemaNode(p), `${path}.properties[${k}]`, out, child);
    }
  }
  if (isPlainObject(s.additionalProperties)) {
    checkNode(asSchemaNode(s.additionalProperties), `${path}.additionalProperties`, out, child);
  }
  if (isPlainObject(s.items)) checkNode(asSchemaNode(s.items), `${path}.items`, out, child);
  const valueCtx: Ctx = { valueValidation: true, root: false };
  for (const key of ["anyOf", "allOf", "oneOf"] as const) {
    const list = s[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      out.push(invalid(`${path}.${key}`, list, "must be a list of schemas"));
      continue;
    }
    list.forEach((b, i) => checkNode(asSchemaNode(b), `${path}.${key}[${i}]`, out, valueCtx));
  }
  if (isPlainObject(s.not)) checkNode(asSchemaNode(s.not), `${path}.not`, out, valueCtx);
}

function checkListType(s: SchemaNode, path: string, out: FieldError[]): void {
  const listType = s["x-kubernetes-list-type"];
  if (listType === undefined) return;
  if (!["atomic", "set", "map"].includes(listType)) {
    out.push(notSupported(`${path}.x-kubernetes-list-type`, listType, ["atomic", "set", "map"]));
    return;
  }
  if (listType !== "map") return;
  const keys = s["x-kubernetes-list-map-keys"];
  const items = asSchemaNode(s.items);
  if (!Array.isArray(keys) || keys.length === 0) {
    out.push(required(`${path}.x-kubernetes-list-map-keys`, "must not be empty if x-kubernetes-list-type is map"));
    return;
  }
  const props = isPlainObject(items.properties) ? items.properties : {};
  const req = Array.isArray(items.required) ? items.required : [];
  for (const k of keys) {
    const prop = typeof k === "string" ? props[k] : undefined;
    if (!prop) {
      out.push(invalid(`${path}.x-kubernetes-list-map-keys`, keys, `entries must all be names of item properties`));
    } else if (!req.includes(k) && asSchemaNode(prop).default === undefined) {
      out.push(required(
        `${path}.items.properties[${k}]`,
        "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
      ));
    }
  }
}

function checkDefault(s: SchemaNode, path: string, out: FieldError[]): void {
  const errors = validateValue(s as Record<string, unknown>, s.default, `${path}.default`);
  for (const e of errors) out.push(invalid(e.field, s.default, e.message));
  const pruned = pruneUnknownFields(s, structuredClone(s.default));
  if (canonicalJson(pruned) !== canonicalJson(s.default)) {
    out.push(invalid(`${path}.default`, s.default, "must not have unknown fields"));
  }
}
