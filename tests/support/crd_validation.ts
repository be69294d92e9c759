/**
 * Validates objects we build against the real CRDs (the vendored copies in crds/), with the fake API server's structural schema
 * validation. Besides schema errors it reports fields the schema does not declare: the API server would drop them
 * silently, which for a status we write means lost data.
 */
import { AssertionError } from "node:assert";
import {
  type FieldError,
  type JSONSchemaProps,
  validateAgainstSchema,
} from "../../src/sim/apiserver/schema/validation.ts";
import { loadCrds } from "../../src/playground/crds.ts";

export type { FieldError };

interface CrdVersion {
  name: string;
  served?: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
}

interface Crd {
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

/** Field error type used for fields the API server would prune (kube reports these as warnings, not errors). */
export const PRUNED_FIELD = "FieldValuePruned";

let crds: Crd[] | undefined;

/** Every vendored CRD, read once per test module (read-only afterwards). */
function vendoredCrds(): Crd[] {
  crds ??= loadCrds() as unknown as Crd[];
  return crds;
}

/** The openAPIV3Schema of the CRD serving `apiVersion`/`kind`; throws naming what is missing. */
export function crdSchema(apiVersion: string, kind: string): JSONSchemaProps {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const crd = vendoredCrds().find((c) => c.spec.names.kind === kind && c.spec.group === group);
  if (!crd) throw new Error(`no CRD for ${kind} in group ${JSON.stringify(group)} in crds/`);
  const v = crd.spec.versions.find((v) => v.name === version && v.served !== false);
  const schema = v?.schema?.openAPIV3Schema;
  if (!schema) throw new Error(`the CRD of ${kind} does not serve ${apiVersion} with a schema`);
  return schema;
}

export interface CrdValidationOptions {
  /** Accept fields the schema does not declare (default false: they are reported as `FieldValuePruned`). */
  allowPruning?: boolean;
}

/**
 * Validates `obj` (which must carry apiVersion and kind) against its real CRD: schema errors as the API server would
 * return them, plus undeclared fields unless `allowPruning`.
 */
export function validateAgainstCrd(obj: unknown, opts: CrdValidationOptions = {}): FieldError[] {
  const { apiVersion, kind } = (obj ?? {}) as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    throw new Error("validateAgainstCrd needs an object with apiVersion and kind");
  }
  const pruned: string[] = [];
  const { errors } = validateAgainstSchema(crdSchema(apiVersion, kind), obj, {
    onPruned: (path) => pruned.push(path),
  });
  const prunedErrors: FieldError[] = opts.allowPruning ? [] : pruned.map((field) => ({
    type: PRUNED_FIELD,
    field,
    message: "not declared in the CRD schema: the API server would drop it",
  }));
  return [...errors, ...prunedErrors];
}

/** Fails, listing every error with its path, unless `obj` is valid against its CRD. */
export function assertValidAgainstCrd(
  obj: unknown,
  opts: CrdValidationOptions & { message?: string } = {},
): void {
  const errors = validateAgainstCrd(obj, opts);
  if (errors.length === 0) return;
  const { kind, metadata } = obj as { kind: string; metadata?: { name?: string; namespace?: string } };
  const name = metadata?.namespace ? `${metadata.namespace}/${metadata.name}` : metadata?.name ?? "";
  const lines = errors.map((e) => `  - ${e.field || "<root>"}: ${e.message} (${e.type})`);
  throw new AssertionError({
    message: `${opts.message ? opts.message + ": " : ""}${kind} ${name} is not valid against its CRD in crds/` +
      `:\n${lines.join("\n")}`,
  });
}
