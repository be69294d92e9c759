/**
 * Field errors worded as k8s.io/apimachinery/pkg/util/validation/field words them (`Required value`,
 * `Unsupported value: "x": supported values: "a", "b"`, ...). The message is the error body without the field path,
 * exactly what kube-apiserver puts into `details.causes[].message` of a 422 answer.
 */

/** A field-level error, as it appears in the causes of a 422 Invalid Status. */
export interface FieldError {
  /** e.g. `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueTypeInvalid`. */
  type: string;
  /** Field path, e.g. `spec.providerSpec.machineType` or `spec.pools[0].minimum`. */
  field: string;
  message: string;
}

/** kube's ErrorType strings. */
export const FieldErrorType = {
  Required: "FieldValueRequired",
  Invalid: "FieldValueInvalid",
  TypeInvalid: "FieldValueTypeInvalid",
  NotSupported: "FieldValueNotSupported",
  Duplicate: "FieldValueDuplicate",
  TooLong: "FieldValueTooLong",
  TooMany: "FieldValueTooMany",
  Forbidden: "FieldValueForbidden",
} as const;

/** Formats a bad value the way field.Error.ErrorBody does: strings quoted, numbers and booleans bare, JSON else. */
export function formatBadValue(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function withDetail(body: string, detail: string | undefined): string {
  return detail ? `${body}: ${detail}` : body;
}

/** `Required value` (plus detail). */
export function required(field: string, detail?: string): FieldError {
  return { type: FieldErrorType.Required, field, message: withDetail("Required value", detail) };
}

/** `Invalid value: <v>: <detail>`. */
export function invalid(field: string, value: unknown, detail?: string): FieldError {
  return {
    type: FieldErrorType.Invalid,
    field,
    message: withDetail(`Invalid value: ${formatBadValue(value)}`, detail),
  };
}

/** Type mismatch; worded like `Invalid value` but typed `FieldValueTypeInvalid`. */
export function typeInvalid(field: string, value: unknown, detail: string): FieldError {
  return {
    type: FieldErrorType.TypeInvalid,
    field,
    message: withDetail(`Invalid value: ${formatBadValue(value)}`, detail),
  };
}

/** `Unsupported value: <v>: supported values: "a", "b"`. */
export function notSupported(field: string, value: unknown, supported: string[]): FieldError {
  const detail = supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}` : "";
  return {
    type: FieldErrorType.NotSupported,
    field,
    message: withDetail(`Unsupported value: ${formatBadValue(value)}`, detail),
  };
}

/** `Duplicate value: <v>`. */
export function duplicate(field: string, value: unknown): FieldError {
  return { type: FieldErrorType.Duplicate, field, message: `Duplicate value: ${formatBadValue(value)}` };
}

/** `Too long: may not be longer than <n>` (the value itself is not repeated, as in kube). */
export function tooLong(field: string, maxLength: number): FieldError {
  return { type: FieldErrorType.TooLong, field, message: `Too long: may not be longer than ${maxLength}` };
}

/** `Too many: <actual>: must have at most <max> items`. */
export function tooMany(field: string, actual: number, max: number): FieldError {
  return { type: FieldErrorType.TooMany, field, message: `Too many: ${actual}: must have at most ${max} items` };
}

/** `Forbidden: <detail>`. */
export function forbidden(field: string, detail: string): FieldError {
  return { type: FieldErrorType.Forbidden, field, message: withDetail("Forbidden", detail) };
}

/** One line per error, `field: message`, as kube joins them in the summary of a 422. */
export function formatFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join(", ");
}
