/**
 * Strict decoding of API objects and provider configs, with Kubernetes-style field errors.
 *
 * Every error names the field path (`spec.pools[1].providerConfig.reservationIDs[0]`): callers pass the base path of
 * the config inside its object and, for messages, the object itself (`Worker shoot--p--s/s`). Strict mode rejects
 * unknown fields and duplicate keys the way the Go provider's strict universal decoder does; lenient mode keeps
 * unknown fields, for Gardener's own objects (Shoot, CloudProfile, Seed) that gain fields with every release.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Node, parseDocument } from "yaml";
import type { z } from "zod";

/** The field error types we produce (a subset of k8s.io/apimachinery's `field.ErrorType`). */
export type FieldErrorType = "Required" | "Invalid" | "NotSupported" | "Forbidden" | "Duplicate";

/** One problem with one field, as Kubernetes' `field.Error`. */
export interface FieldError {
  type: FieldErrorType;
  /** Full field path, e.g. `spec.pools[1].providerConfig.reservationIDs[0]`. */
  field: string;
  /** Detail text; may be empty (a missing field needs no more words than "Required value"). */
  message: string;
  /** The offending value, when there is one worth showing. */
  value?: unknown;
}

/** Kubernetes' wording for each type (`field.ErrorType.String()`). */
const TYPE_TEXT: Record<FieldErrorType, string> = {
  Required: "Required value",
  Invalid: "Invalid value",
  NotSupported: "Unsupported value",
  Forbidden: "Forbidden",
  Duplicate: "Duplicate value",
};

/** Longest quoted value in a message (a value is shown for orientation; the field path says where it is). */
export const MAX_VALUE_TEXT = 120;
/** Longest text of one field error, path and detail included (a map key or a parser message can be long too). */
export const MAX_ERROR_TEXT = 512;
/** Most field errors spelled out in one message; the rest are counted, so 100k bad items cannot make a 7 MB text. */
export const MAX_REPORTED_ERRORS = 20;

/** Cuts `text` to `max` characters plus "...", never inside a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + "...";
}

function valueText(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") text = String(value);
  else if (value === null) text = "null";
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return truncate(text, MAX_VALUE_TEXT);
}

/** Formats one error like `field.Error.Error()`: `spec.x: Invalid value: "y": must be z` (at most MAX_ERROR_TEXT). */
export function formatFieldError(e: FieldError): string {
  let body = TYPE_TEXT[e.type];
  const showsValue = e.type !== "Required" && e.type !== "Forbidden" && Object.hasOwn(e, "value");
  if (showsValue) body += `: ${valueText(e.value)}`;
  if (e.message) body += `: ${e.message}`;
  return truncate(e.field ? `${e.field}: ${body}` : body, MAX_ERROR_TEXT);
}

/**
 * Joins errors like Kubernetes' aggregate (one error as is, several as `[a, b]`), spelling out the first
 * MAX_REPORTED_ERRORS and counting the rest (`and 3 more errors`). Every status, lastError, Event and log text of a
 * decoding error is this message, so this is the one place that bounds it.
 */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const parts = errors.slice(0, MAX_REPORTED_ERRORS).map(formatFieldError);
  const more = errors.length - parts.length;
  if (more > 0) parts.push(`and ${more} more error${more === 1 ? "" : "s"}`);
  return parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
}

/** Invalid input: carries every field error found, and the object they belong to if known. */
export class FieldValidationError extends Error {
  readonly errors: readonly FieldError[];
  readonly object?: string;

  constructor(errors: readonly FieldError[], object?: string) {
    const text = aggregateMessage(errors);
    super(object ? `${object}: ${text}` : text);
    this.name = "FieldValidationError";
    this.errors = errors;
    this.object = object;
  }
}

/** Throws a `FieldValidationError` if `errors` is not empty. */
export function throwIfErrors(errors: readonly FieldError[], object?: string): void {
  if (errors.length > 0) throw new FieldValidationError(errors, object);
}

// ---------------------------------------------------------------------------------------------------------------------
// Field paths and error constructors

/** One step of a path: a field name, a map key or a list index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Appends segments to a base path: fields as `.name`, indexes as `[0]`, map keys that are not identifiers as `[k]`. */
export function fieldPath(base: string, ...segments: readonly PathSegment[]): string {
  let out = base;
  for (const seg of segments) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${seg}]`;
  }
  return out;
}

type AnyZod = z.ZodType;

interface ZodDefLike {
  type: string;
  innerType?: AnyZod;
  in?: AnyZod;
  shape?: Record<string, AnyZod>;
  catchall?: AnyZod;
  element?: AnyZod;
  valueType?: AnyZod;
  options?: readonly AnyZod[];
  getter?: () => AnyZod;
}

function defOf(schema: AnyZod): ZodDefLike {
  return (schema as unknown as { _zod: { def: ZodDefLike } })._zod.def;
}

/** Strips wrappers that do not change the shape (optional, default, pipe, lazy...). */
function unwrap(schema: AnyZod): AnyZod {
  for (;;) {
    const def = defOf(schema);
    if (def.innerType) schema = def.innerType;
    else if (def.type === "pipe" && def.in) schema = def.in;
    else if (def.type === "lazy" && def.getter) schema = def.getter();
    else return schema;
  }
}

/** Appends one object field name to a path. */
function child(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

/**
 * Like `fieldPath`, but uses the schema to tell object fields (`.name`) from map keys (`[key]`), as Kubernetes'
 * `field.Path` does; falls back to `fieldPath`'s guess where the schema says nothing.
 */
export function schemaPath(schema: AnyZod | undefined, base: string, segs: readonly PathSegment[]): string {
  let cur: AnyZod | undefined = schema;
  let out = base;
  for (const seg of segs) {
    const def = cur ? defOf(unwrap(cur)) : undefined;
    if (typeof seg === "number") {
      out += `[${seg}]`;
      cur = def?.type === "array" ? def.element : undefined;
    } else if (def?.type === "record") {
      out += `[${seg}]`;
      cur = def.valueType;
    } else if (def?.type === "object") {
      out = child(out, seg);
      cur = def.shape && Object.hasOwn(def.shape, seg) ? def.shape[seg] : undefined;
    } else {
      out = fieldPath(out, seg);
      cur = undefined;
    }
  }
  return out;
}

/** A required field is missing or empty. */
export function required(field: string, message = ""): FieldError {
  return { type: "Required", field, message };
}

/** A field has a value that is not allowed. */
export function invalid(field: string, value: unknown, message: string): FieldError {
  return { type: "Invalid", field, message, value };
}

/** A field has a value outside a fixed set. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const list = supported.map((s) => JSON.stringify(s)).join(", ");
  return { type: "NotSupported", field, message: `supported values: ${list}`, value };
}

/** A field must not be set (or is not known at all). */
export function forbidden(field: string, message: string): FieldError {
  return { type: "Forbidden", field, message };
}

/** A value or key appears twice. */
export function duplicate(field: string, value: unknown, message = ""): FieldError {
  return { type: "Duplicate", field, message, value };
}

// ---------------------------------------------------------------------------------------------------------------------
// Text parsing

/** Where the input sits, for error paths and messages. */
export interface DecodeContext {
  /** Field path of the input inside its object, e.g. `spec.pools[1].providerConfig`; empty for a whole document. */
  path?: string;
  /** The object (or file) the input belongs to, named at the start of error messages. */
  object?: string;
}

/** Walks a parsed YAML document to find the path of the key node starting at `offset`. */
function pathOfKeyAt(node: unknown, offset: number, path: PathSegment[]): PathSegment[] | undefined {
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const key = item.key;
      const keyName = isScalar(key) ? String(key.value) : String(key);
      const range = (key as { range?: [number, number, number] } | null)?.range;
      if (range && range[0] === offset) return [...path, keyName];
      const found = pathOfKeyAt(item.value, offset, [...path, keyName]);
      if (found) return found;
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const found = pathOfKeyAt(node.items[i], offset, [...path, i]);
      if (found) return found;
    }
  }
  return undefined;
}

/** Most alias nodes (`*name`) a document may hold; configs need a few, and each costs the yaml package a scan. */
export const MAX_ALIASES = 100;
/** Most nodes the aliases of a document may add when expanded (what the schema check and zod then walk and copy). */
export const MAX_ALIAS_EXPANSION = 100_000;
/**
 * The yaml package's own limit, set to its documented default on purpose: it refuses an alias once (uses of its
 * anchor) x (aliases nested inside the anchor) exceeds it; a second line behind `checkAliases`, which is exact.
 */
const MAX_ALIAS_COUNT = 100;

/**
 * Counts what the aliases of a parsed document expand to, without expanding them (each anchored node's size is
 * computed once), so a "billion laughs" document is refused in time linear in its text. Returns the problem, if any.
 */
function checkAliases(root: unknown): string | undefined {
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  let aliases = 0;
  let added = 0;
  const size = (node: unknown): number => {
    if (isAlias(node)) {
      aliases++;
      const target = anchors.get(node.source);
      const n = target ? (sizes.get(target) ?? 1) : 1;
      added += n - 1;
      return n;
    }
    let n = 1;
    if (isMap(node)) {
      for (const item of node.items) n += size(item.key) + size(item.value);
    } else if (isSeq(node)) {
      for (const item of node.items) n += size(item);
    }
    // Registered after its children: an alias can only refer to an anchor that precedes it.
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) {
      anchors.set(anchor, node as Node);
      sizes.set(node as Node, n);
    }
    return n;
  };
  size(root);
  if (aliases > MAX_ALIASES) return `too many YAML aliases: ${aliases}, at most ${MAX_ALIASES} are allowed`;
  if (added > MAX_ALIAS_EXPANSION) {
    return `YAML aliases expand to ${added} more nodes, at most ${MAX_ALIAS_EXPANSION} are allowed`;
  }
  return undefined;
}

/**
 * Parses JSON or YAML text (JSON is parsed by the YAML 1.2 parser, which unlike `JSON.parse` sees duplicate keys).
 * Duplicate keys and syntax errors become field errors; an empty document yields `undefined`.
 */
export function parseText(text: string, ctx: DecodeContext = {}, schema?: z.ZodType): unknown {
  const base = ctx.path ?? "";
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const errors: FieldError[] = [];
  for (const err of doc.errors) {
    if (err.code === "DUPLICATE_KEY") {
      const path = pathOfKeyAt(doc.contents, err.pos[0], []) ?? [];
      errors.push(duplicate(schemaPath(schema, base, path), path.at(-1), "duplicate field"));
    } else {
      // A syntax error has no value worth showing, so the error carries none.
      errors.push({
        type: "Invalid",
        field: base,
        message: `cannot parse as JSON or YAML: ${err.message.split("\n")[0]}`,
      });
    }
  }
  throwIfErrors(errors, ctx.object);
  const aliasProblem = checkAliases(doc.contents);
  if (aliasProblem) {
    throw new FieldValidationError([{ type: "Invalid", field: base, message: aliasProblem }], ctx.object);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // The yaml package reports alias problems (unresolved, excessive) as ReferenceErrors: they are the input's fault.
    if (!(e instanceof ReferenceError)) throw e;
    throw new FieldValidationError(
      [{ type: "Invalid", field: base, message: `YAML aliases: ${e.message}` }],
      ctx.object,
    );
  }
  return value === null ? undefined : value;
}

// ---------------------------------------------------------------------------------------------------------------------
// Schema validation

/** How unknown fields are treated. */
export type DecodeMode = "strict" | "lenient";

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Reports fields of `value` that `schema` does not declare. Every object schema counts as closed (its catch-all, if
 * any, only decides what lenient decoding keeps); maps are `z.record`, raw blobs are `z.unknown()`/`z.record`.
 */
function unknownFields(schema: AnyZod, value: unknown, field: string, out: FieldError[]): void {
  const def = defOf(unwrap(schema));
  switch (def.type) {
    case "object": {
      if (!isPlainObject(value)) return;
      const shape = def.shape ?? {};
      for (const [key, v] of Object.entries(value)) {
        // Own keys only: `constructor` or `toString` must be unknown fields, not Object.prototype's members.
        const fieldSchema = Object.hasOwn(shape, key) ? shape[key] : undefined;
        if (fieldSchema) unknownFields(fieldSchema, v, child(field, key), out);
        else out.push(forbidden(child(field, key), "unknown field"));
      }
      return;
    }
    case "array":
      if (Array.isArray(value) && def.element) {
        value.forEach((item, i) => unknownFields(def.element!, item, `${field}[${i}]`, out));
      }
      return;
    case "record":
      if (isPlainObject(value) && def.valueType) {
        for (const [key, v] of Object.entries(value)) {
          // zod leaves a `__proto__` key out of the records it builds: refuse it rather than lose it silently.
          if (key === "__proto__") out.push(forbidden(`${field}[${key}]`, "this key is not supported"));
          else unknownFields(def.valueType, v, `${field}[${key}]`, out);
        }
      }
      return;
    case "union": {
      // Descend into the first member that accepts the value; if none does, the schema check reports it.
      const match = def.options?.find((o) => o.safeParse(value).success);
      if (match) unknownFields(match, value, field, out);
      return;
    }
    default:
      return;
  }
}

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number" && !Number.isInteger(v)) return "number with a fraction";
  return typeof v;
}

const EXPECTED_TEXT: Record<string, string> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "a boolean",
  object: "an object",
  array: "a list",
  record: "a map",
};

function expectedText(type: string): string {
  return Object.hasOwn(EXPECTED_TEXT, type) ? EXPECTED_TEXT[type] : type;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, seg)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

function segments(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((p) => (typeof p === "number" ? p : String(p)));
}

/** Converts zod issues into field errors at `base` + the issue path. */
function issuesToFieldErrors(
  schema: AnyZod,
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  base: string,
): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const path = segments(issue.path);
    const field = schemaPath(schema, base, path);
    const value = valueAt(input, issue.path);
    switch (issue.code) {
      case "invalid_type":
        if (value === undefined) out.push(required(field));
        else {
          const expected = expectedText(issue.expected);
          out.push(invalid(field, value, `expected ${expected}, got ${describeType(value)}`));
        }
        break;
      case "invalid_value":
        out.push(notSupported(field, value, issue.values.map((v) => String(v))));
        break;
      case "unrecognized_keys":
        for (const key of issue.keys) out.push(forbidden(child(field, key), "unknown field"));
        break;
      case "invalid_union": {
        const expected = new Set<string>();
        for (const branch of issue.errors) {
          for (const sub of branch) {
            if (sub.path.length === 0 && sub.code === "invalid_type") {
              expected.add(expectedText(sub.expected));
            }
          }
        }
        if (value === undefined) out.push(required(field));
        else {
          const detail = expected.size > 0 ? `expected ${[...expected].join(" or ")}` : issue.message;
          out.push(invalid(field, value, detail));
        }
        break;
      }
      default:
        out.push(invalid(field, value, issue.message));
    }
  }
  return out;
}

/** Validates `value` against `schema` and returns the parsed value (if valid) plus every field error. */
export function checkSchema<S extends AnyZod>(
  schema: S,
  value: unknown,
  opts: { path?: string; mode?: DecodeMode } = {},
): { value?: z.output<S>; errors: FieldError[] } {
  const base = opts.path ?? "";
  const errors: FieldError[] = [];
  if ((opts.mode ?? "strict") === "strict") unknownFields(schema, value, base, errors);
  const result = schema.safeParse(value);
  if (!result.success) errors.push(...issuesToFieldErrors(schema, result.error.issues, value, base));
  return errors.length === 0 ? { value: result.data as z.output<S>, errors } : { errors };
}

// ---------------------------------------------------------------------------------------------------------------------
// Decoding

/** What a decoder accepts: JSON/YAML text or bytes, or an already parsed value (e.g. a RawExtension from JSON). */
export type DecodeInput = string | Uint8Array | unknown;

/** Options of `decode`/`decodeTyped`. */
export interface DecodeOptions extends DecodeContext {
  /** `strict` (default) rejects unknown fields; `lenient` keeps them. */
  mode?: DecodeMode;
}

/** Turns text or bytes into a value; a parsed value passes through unchanged. */
function toValue(input: DecodeInput, ctx: DecodeContext, schema: AnyZod): unknown {
  if (typeof input === "string") return parseText(input, ctx, schema);
  if (input instanceof Uint8Array) return parseText(new TextDecoder().decode(input), ctx, schema);
  // Already parsed (e.g. by JSON.parse of an API response): duplicate keys cannot be detected any more, JSON.parse
  // kept the last one. That is acceptable because the API server serialises from a map, so it never sends duplicates.
  return input;
}

/** Names a Kubernetes object for messages (`Worker shoot--p--s/s`), if it carries kind and name. */
export function describeObject(value: unknown): string | undefined {
  if (!isPlainObject(value) || !isPlainObject(value.metadata)) return undefined;
  const { kind } = value;
  const { name, namespace } = value.metadata;
  if (typeof kind !== "string" || typeof name !== "string") return undefined;
  return typeof namespace === "string" && namespace !== "" ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

/**
 * Decodes an object with `schema` (no apiVersion/kind check); throws `FieldValidationError` naming every field and
 * the object (`opts.object`, else kind and name taken from the input).
 */
export function decode<S extends AnyZod>(schema: S, input: DecodeInput, opts: DecodeOptions = {}): z.output<S> {
  const value = toValue(input, opts, schema);
  const base = opts.path ?? "";
  const object = opts.object ?? describeObject(value);
  if (value === undefined || value === null) throw new FieldValidationError([required(base)], object);
  const { value: out, errors } = checkSchema(schema, value, { path: base, mode: opts.mode });
  throwIfErrors(errors, object);
  return out as z.output<S>;
}

/** A registered kind: its apiVersion, kind and schema (which includes the apiVersion/kind fields). */
export interface TypedKind<S extends AnyZod = AnyZod> {
  apiVersion: string;
  kind: string;
  schema: S;
}

/** Checks apiVersion and kind of a decoded value against the expected kind. */
export function checkTypeMeta(value: unknown, expected: { apiVersion: string; kind: string }, base = ""): FieldError[] {
  if (!isPlainObject(value)) return [invalid(base, value, "expected an object")];
  const errors: FieldError[] = [];
  for (const key of ["apiVersion", "kind"] as const) {
    const got = value[key];
    const field = fieldPath(base, key);
    if (got === undefined || got === "") errors.push(required(field));
    else if (got !== expected[key]) errors.push(notSupported(field, got, [expected[key]]));
  }
  return errors;
}

/**
 * Decodes a typed object (apiVersion and kind required and matching), strictly unless told otherwise. Throws
 * `FieldValidationError`; errors name `opts.path` + the field and start with `opts.object`.
 */
export function decodeTyped<S extends AnyZod>(
  kind: TypedKind<S>,
  input: DecodeInput,
  opts: DecodeOptions = {},
): z.output<S> {
  const value = toValue(input, opts, kind.schema);
  const base = opts.path ?? "";
  if (value === undefined || value === null) throw new FieldValidationError([required(base)], opts.object);
  // A wrong kind makes every other error noise, so it is reported alone.
  throwIfErrors(checkTypeMeta(value, kind, base), opts.object);
  const { value: out, errors } = checkSchema(kind.schema, value, { path: base, mode: opts.mode });
  throwIfErrors(errors, opts.object);
  return out as z.output<S>;
}
