/**
 * CONTRACT STUB (implemented by the fake-apiserver-semantics work): validates an object against a CRD version's
 * openAPIV3Schema as kube-apiserver does — types, required, enums, formats, nullable, int-or-string, embedded
 * resources, x-kubernetes-preserve-unknown-fields, defaults — and prunes unknown fields.
 */

/** Subset of apiextensions.k8s.io/v1 JSONSchemaProps that structural schemas use. */
export type JSONSchemaProps = Record<string, unknown>;

/** A field-level error, as it appears in the causes of a 422 Invalid Status. */
export interface FieldError {
  /** e.g. `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueTypeInvalid`. */
  type: string;
  /** Field path, e.g. `spec.providerSpec.machineType` or `spec.pools[0].minimum`. */
  field: string;
  message: string;
}

export interface SchemaValidationOptions {
  /** Drop fields the schema does not declare (default true, as for every CRD since apiextensions v1). */
  prune?: boolean;
  /** Apply `default` values (default true). */
  applyDefaults?: boolean;
}

/** Returns the pruned/defaulted value and every error found (empty when valid). */
export function validateAgainstSchema(
  _schema: JSONSchemaProps,
  _value: unknown,
  _opts?: SchemaValidationOptions,
): { value: unknown; errors: FieldError[] } {
  throw new Error("not implemented yet: src/sim/apiserver/schema_validation.ts");
}
