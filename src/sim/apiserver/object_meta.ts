/**
 * Object metadata rules every resource shares: name formats (DNS-1123 subdomain, label, DNS-1035 label, path
 * segment), label syntax, generateName, timestamps. Pure functions that return field errors.
 */
import type { KubeObject, ObjectMeta } from "../../k8s/api/objects.ts";

/** ObjectMeta without the readonly markers of kubernetes-types (the server sets system fields). */
export type MutableObjectMeta = { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };

/** The object's metadata, writable. */
export function mutableMeta(obj: KubeObject): MutableObjectMeta {
  return obj.metadata as MutableObjectMeta;
}

/** A field error as it appears in a 422 Invalid Status. */
export interface MetaFieldError {
  type: string;
  field: string;
  message: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and " +
  "end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with " +
  "an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, " +
  "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is " +
  "'[a-z]([-a-z0-9]*[a-z0-9])?')";

/** How names of a resource are validated. */
export type NameRule = "subdomain" | "label" | "dns1035" | "pathSegment";

/** The name rule kube-apiserver applies to a resource (by storage key). */
export function nameRuleFor(storageKey: string): NameRule {
  if (storageKey === "namespaces") return "label";
  if (storageKey === "services") return "dns1035";
  if (storageKey.endsWith(".rbac.authorization.k8s.io")) return "pathSegment";
  return "subdomain";
}

function invalidValue(field: string, value: unknown, why: string): MetaFieldError {
  return { type: "FieldValueInvalid", field, message: `Invalid value: ${JSON.stringify(value)}: ${why}` };
}

/** Errors of a name under a rule (empty if valid). */
export function validateName(name: string, rule: NameRule, field = "metadata.name"): MetaFieldError[] {
  switch (rule) {
    case "label":
      if (name.length > 63) return [invalidValue(field, name, "must be no more than 63 characters")];
      return DNS1123_LABEL.test(name) ? [] : [invalidValue(field, name, LABEL_MSG)];
    case "dns1035":
      if (name.length > 63) return [invalidValue(field, name, "must be no more than 63 characters")];
      return DNS1035_LABEL.test(name) ? [] : [invalidValue(field, name, DNS1035_MSG)];
    case "pathSegment":
      if (name === "." || name === "..") return [invalidValue(field, name, `may not be '${name}'`)];
      if (/[/%]/.test(name)) return [invalidValue(field, name, "may not contain '/' or '%'")];
      return [];
    case "subdomain":
      if (name.length > 253) return [invalidValue(field, name, "must be no more than 253 characters")];
      return DNS1123_SUBDOMAIN.test(name) ? [] : [invalidValue(field, name, SUBDOMAIN_MSG)];
  }
}

function validateQualifiedKey(key: string, field: string): MetaFieldError[] {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const errors: MetaFieldError[] = [];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    errors.push(invalidValue(field, key, "prefix part " + SUBDOMAIN_MSG));
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    errors.push(
      invalidValue(
        field,
        key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
          "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is " +
          "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') and be no more than 63 characters",
      ),
    );
  }
  return errors;
}

/** Metadata errors of an object about to be stored (name, namespace, labels, annotations). */
export function validateObjectMeta(
  obj: KubeObject,
  opts: { rule: NameRule; namespaced: boolean },
): MetaFieldError[] {
  const meta = obj.metadata;
  const errors: MetaFieldError[] = [];
  if (!meta.name) {
    errors.push({
      type: "FieldValueRequired",
      field: "metadata.name",
      message: "Required value: name or generateName is required",
    });
  } else {
    errors.push(...validateName(meta.name, opts.rule));
  }
  if (opts.namespaced) {
    if (!meta.namespace) {
      errors.push({ type: "FieldValueRequired", field: "metadata.namespace", message: "Required value" });
    } else errors.push(...validateName(meta.namespace, "label", "metadata.namespace"));
  } else if (meta.namespace) {
    errors.push({
      type: "FieldValueForbidden",
      field: "metadata.namespace",
      message: "Forbidden: not allowed on this type",
    });
  }
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    errors.push(...validateQualifiedKey(k, "metadata.labels"));
    if (typeof v !== "string" || v.length > 63 || !LABEL_VALUE.test(v)) {
      errors.push(
        invalidValue(
          "metadata.labels",
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must " +
            "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used " +
            "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?') and be no more than 63 characters",
        ),
      );
    }
  }
  let annotationBytes = 0;
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    errors.push(...validateQualifiedKey(k.toLowerCase(), "metadata.annotations"));
    if (typeof v !== "string") errors.push(invalidValue("metadata.annotations", v, "must be a string"));
    else annotationBytes += k.length + v.length;
  }
  if (annotationBytes > 256 * 1024) {
    errors.push({
      type: "FieldValueTooLong",
      field: "metadata.annotations",
      message: "Too long: must have at most 262144 bytes",
    });
  }
  for (const [i, f] of (meta.finalizers ?? []).entries()) {
    if (typeof f !== "string" || validateQualifiedKey(f, "").length) {
      errors.push(invalidValue(`metadata.finalizers[${i}]`, f, "must be a qualified name"));
    }
  }
  return errors;
}

const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const MAX_GENERATED_PREFIX = 58;

/** `generateName` plus a random 5-character suffix, as the real server names objects. */
export function generatedName(prefix: string, random: () => number = Math.random): string {
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length)];
  return prefix.slice(0, MAX_GENERATED_PREFIX) + suffix;
}
