/**
 * Validates an object against a CRD version's openAPIV3Schema as kube-apiserver does — types, required, enums,
 * formats, nullable, int-or-string, embedded resources, x-kubernetes-preserve-unknown-fields, defaults — and prunes
 * unknown fields.
 *
 * Order, as in kube-apiserver: defaults are applied, then unknown fields (and nulls of non-nullable fields without
 * a default) are pruned silently, then the result is validated. Validation follows kube-openapi's validators with
 * kube's field-error wording; paths are dotted with `[i]` for list items (`spec.pools[0].minimum`).
 *
 * Deliberately not implemented: `x-kubernetes-validations` (CEL rules) are ignored, so objects that only violate a
 * CEL rule are accepted; ratcheting of unchanged invalid fields on update is not done. Composite (`anyOf`, `oneOf`,
 * `allOf`, `not`) and int32/int64 range errors carry the value's path where kube reports an empty (`<nil>`) field.
 */
import { applyDefaults } from "./defaulting.ts";
import { embeddedResourceErrors } from "./embedded.ts";
import { type FieldError, invalid, notSupported, required, tooLong, tooMany, typeInvalid } from "./field_errors.ts";
import { INTEGER_FORMAT_RANGE, stringFormatChecker } from "./formats.ts";
import { canonicalJson, listTypeErrors } from "./list_type.ts";
import {
  additionalPropertiesOf,
  asSchemaNode,
  childPath,
  cloneJson,
  expectedTypes,
  indexPath,
  isEmbeddedResource,
  isPlainObject,
  itemsOf,
  numberKeyword,
  propertiesOf,
  type SchemaNode,
} from "./node.ts";
import { pruneUnknownFields } from "./pruning.ts";
import { compileGoPattern } from "./regex.ts";

export type { FieldError } from "./field_errors.ts";

/** Subset of apiextensions.k8s.io/v1 JSONSchemaProps that structural schemas use. */
export type JSONSchemaProps = Record<string, unknown>;

export interface SchemaValidationOptions {
  /** Drop fields the schema does not declare (default true, as for every CRD since apiextensions v1). */
  prune?: boolean;
  /** Apply `default` values (default true). */
  applyDefaults?: boolean;
  /**
   * The value is a whole resource (default true): its `apiVersion`, `kind` and `metadata` are kept and `metadata`
   * is left to the server (only `metadata.name`/`generateName` constraints of the schema are checked).
   */
  resourceRoot?: boolean;
  /** Called with the path of every pruned field (kube returns these as warnings with fieldValidation=Warn). */
  onPruned?: (path: string) => void;
}

/** Returns the pruned/defaulted value and every error found (empty when valid). */
export function validateAgainstSchema(
  schema: JSONSchemaProps,
  value: unknown,
  opts: SchemaValidationOptions = {},
): { value: unknown; errors: FieldError[] } {
  const s = asSchemaNode(schema);
  const resourceRoot = opts.resourceRoot ?? true;
  let v = cloneJson(value);
  if (opts.applyDefaults ?? true) v = applyDefaults(s, v, resourceRoot);
  if (opts.prune ?? true) v = pruneUnknownFields(s, v, resourceRoot, opts.onPruned);
  const errors: FieldError[] = [];
  validateNode(s, v, "", errors, resourceRoot);
  return { value: v, errors };
}

/** Validates without defaulting or pruning (for default values and branch schemas). */
export function validateValue(schema: JSONSchemaProps, value: unknown, path = ""): FieldError[] {
  const errors: FieldError[] = [];
  validateNode(asSchemaNode(schema), value, path, errors, false);
  return errors;
}

/** JSON type of a value as kube-openapi infers it (whole numbers are integers). */
export function jsonTypeOf(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    case "number":
      return Number.isInteger(v) ? "integer" : "number";
    case "object":
      return "object";
    default:
      return typeof v;
  }
}

function typeMatches(types: string[], actual: string): boolean {
  return types.includes(actual) || (actual === "integer" && types.includes("number"));
}

function enumLabel(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function validateNode(s: SchemaNode, v: unknown, path: string, out: FieldError[], resourceRoot: boolean): void {
  const types = expectedTypes(s);
  if (v === null || v === undefined) {
    if (types.length && s.nullable !== true) {
      out.push(typeInvalid(path, "null", `${path} in body must be of type ${types.join(",")}: "null"`));
    } else if (Array.isArray(s.enum) && !s.enum.some((e) => e === null)) {
      out.push(notSupported(path, null, s.enum.map(enumLabel)));
    }
    return;
  }
  const actual = jsonTypeOf(v);
  if (types.length && !typeMatches(types, actual)) {
    // The other checks would only repeat the mismatch; kube reports the type error first for the same reason.
    out.push(typeInvalid(path, actual, `${path} in body must be of type ${types.join(",")}: "${actual}"`));
    return;
  }
  validateComposites(s, v, path, out);
  if (typeof v === "string") validateString(s, v, path, out);
  if (typeof v === "number") validateNumber(s, v, path, types, out);
  if (Array.isArray(v)) validateArray(s, v, path, out);
  if (Array.isArray(s.enum) && s.enum.length > 0) {
    const key = canonicalJson(v);
    if (!s.enum.some((e) => canonicalJson(e) === key)) out.push(notSupported(path, v, s.enum.map(enumLabel)));
  }
  if (isPlainObject(v)) validateObject(s, v, path, out, resourceRoot);
}

function validateString(s: SchemaNode, v: string, path: string, out: FieldError[]): void {
  // kube counts runes (code points), not bytes or UTF-16 units.
  const length = [...v].length;
  const maxLength = numberKeyword(s, "maxLength");
  const minLength = numberKeyword(s, "minLength");
  if (maxLength !== undefined && length > maxLength) out.push(tooLong(path, maxLength));
  if (minLength !== undefined && length < minLength) {
    out.push(invalid(path, v, `${path} in body should be at least ${minLength} chars long`));
  }
  if (typeof s.pattern === "string") {
    const re = compileGoPattern(s.pattern);
    if (typeof re === "string") {
      out.push(invalid(path, v, `${path} in body has an invalid pattern '${s.pattern}': ${re}`));
    } else if (!re.test(v)) {
      out.push(invalid(path, v, `${path} in body should match '${s.pattern}'`));
    }
  }
  if (typeof s.format === "string" && s.format !== "") {
    const check = stringFormatChecker(s.format);
    if (check && !check(v)) out.push(typeInvalid(path, v, `${path} in body must be of type ${s.format}: "${v}"`));
  }
}

function validateNumber(s: SchemaNode, v: number, path: string, types: string[], out: FieldError[]): void {
  const range = typeof s.format === "string" && types.includes("integer") ? INTEGER_FORMAT_RANGE[s.format] : undefined;
  if (range && (v < range[0] || v > range[1])) {
    out.push(invalid(path, v, `Checked value must be of type integer with format ${s.format} in ${path}`));
  }
  const multipleOf = numberKeyword(s, "multipleOf");
  if (multipleOf !== undefined && multipleOf > 0 && !Number.isInteger(v / multipleOf)) {
    out.push(invalid(path, v, `${path} in body should be a multiple of ${multipleOf}`));
  }
  const maximum = numberKeyword(s, "maximum");
  if (maximum !== undefined) {
    const exclusive = s.exclusiveMaximum === true;
    if (exclusive ? v >= maximum : v > maximum) {
      const relation = exclusive ? "less than" : "less than or equal to";
      out.push(invalid(path, v, `${path} in body should be ${relation} ${maximum}`));
    }
  }
  const minimum = numberKeyword(s, "minimum");
  if (minimum !== undefined) {
    const exclusive = s.exclusiveMinimum === true;
    if (exclusive ? v <= minimum : v < minimum) {
      const relation = exclusive ? "greater than" : "greater than or equal to";
      out.push(invalid(path, v, `${path} in body should be ${relation} ${minimum}`));
    }
  }
}

function validateArray(s: SchemaNode, v: unknown[], path: string, out: FieldError[]): void {
  const items = itemsOf(s);
  if (items) v.forEach((item, i) => validateNode(items, item, indexPath(path, i), out, false));
  const minItems = numberKeyword(s, "minItems");
  const maxItems = numberKeyword(s, "maxItems");
  if (minItems !== undefined && v.length < minItems) {
    out.push(invalid(path, v.length, `${path} in body should have at least ${minItems} items`));
  }
  if (maxItems !== undefined && v.length > maxItems) out.push(tooMany(path, v.length, maxItems));
  if (s.uniqueItems === true && new Set(v.map(canonicalJson)).size !== v.length) {
    out.push(invalid(path, v, `${path} in body shouldn't contain duplicates`));
  }
  out.push(...listTypeErrors(s, path, v));
}

function validateObject(
  s: SchemaNode,
  v: Record<string, unknown>,
  path: string,
  out: FieldError[],
  resourceRoot: boolean,
): void {
  const keys = Object.keys(v);
  const minProperties = numberKeyword(s, "minProperties");
  const maxProperties = numberKeyword(s, "maxProperties");
  if (minProperties !== undefined && keys.length < minProperties) {
    out.push(invalid(path, keys.length, `${path} in body should have at least ${minProperties} properties`));
  }
  if (maxProperties !== undefined && keys.length > maxProperties) out.push(tooMany(path, keys.length, maxProperties));

  const props = propertiesOf(s);
  const additional = additionalPropertiesOf(s);
  for (const key of keys) {
    if (resourceRoot && key === "metadata") {
      validateRootMetadata(props.metadata, v.metadata, out);
      continue;
    }
    const prop = props[key];
    if (prop) {
      validateNode(prop, v[key], childPath(path, key), out, false);
    } else if (additional && additional !== true) {
      validateNode(additional, v[key], childPath(path, key), out, false);
    } else if (s.additionalProperties === false && !(resourceRoot && (key === "apiVersion" || key === "kind"))) {
      out.push(invalid(path, key, `${childPath(path, key)} in body is a forbidden property`));
    }
  }
  if (Array.isArray(s.required)) {
    for (const key of s.required) {
      if (typeof key === "string" && !Object.hasOwn(v, key)) out.push(required(childPath(path, key)));
    }
  }
  if (isEmbeddedResource(s) && !resourceRoot) out.push(...embeddedResourceErrors(path, v));
}

/** kube validates only `name` and `generateName` of the root's metadata against the schema. */
function validateRootMetadata(metaSchema: SchemaNode | undefined, meta: unknown, out: FieldError[]): void {
  if (!metaSchema || !isPlainObject(meta)) return;
  const props = propertiesOf(metaSchema);
  for (const key of ["name", "generateName"]) {
    if (props[key] && meta[key] !== undefined) validateNode(props[key], meta[key], `metadata.${key}`, out, false);
  }
}

function branchErrors(branch: unknown, v: unknown, path: string): FieldError[] {
  const errors: FieldError[] = [];
  validateNode(asSchemaNode(branch), v, path, errors, false);
  return errors;
}

function validateComposites(s: SchemaNode, v: unknown, path: string, out: FieldError[]): void {
  if (Array.isArray(s.anyOf) && s.anyOf.length > 0) {
    let best: FieldError[] | undefined;
    for (const branch of s.anyOf) {
      const errs = branchErrors(branch, v, path);
      if (errs.length === 0) {
        best = undefined;
        break;
      }
      if (!best || errs.length < best.length) best = errs;
    }
    if (best) out.push(invalid(path, "", `"${path}" must validate at least one schema (anyOf)`), ...best);
  }
  if (Array.isArray(s.oneOf) && s.oneOf.length > 0) {
    const results = s.oneOf.map((branch) => branchErrors(branch, v, path));
    const valid = results.filter((r) => r.length === 0).length;
    if (valid !== 1) {
      const detail = valid === 0 ? "Found none valid" : `Found ${valid} valid alternatives`;
      out.push(invalid(path, "", `"${path}" must validate one and only one schema (oneOf). ${detail}`));
      if (valid === 0) out.push(...results.reduce((a, b) => (b.length < a.length ? b : a)));
    }
  }
  if (Array.isArray(s.allOf) && s.allOf.length > 0) {
    const results = s.allOf.map((branch) => branchErrors(branch, v, path));
    const failed = results.filter((r) => r.length > 0);
    if (failed.length > 0) {
      const none = failed.length === results.length ? ". None validated" : "";
      out.push(...failed.flat(), invalid(path, "", `"${path}" must validate all the schemas (allOf)${none}`));
    }
  }
  if (isPlainObject(s.not) && branchErrors(s.not, v, path).length === 0) {
    out.push(invalid(path, "", `"${path}" must not validate the schema (not)`));
  }
}
