/**
 * Admission rules for the credentials of `equinixmetal` shoots: CredentialsBindings (on create; the reference is
 * immutable), SecretBindings, the Secrets they reference, and WorkloadIdentities, which are refused (Equinix Metal has
 * no OIDC federation, so a token could never be exchanged for API access). Pure: the referenced secret is passed in.
 * Messages never carry a secret's values.
 */
import { type FieldError, forbidden, invalid, notSupported } from "../apis/decode.ts";
import { validateCredentialsData } from "../apis/equinixmetal/validation.ts";
import type { CredentialsBinding } from "../apis/core/security_v1alpha1.ts";
import type { SecretBinding } from "../apis/core/v1beta1.ts";
import { PROVIDER_TYPE } from "./cloud_profile.ts";

/** A Secret as far as admission reads it (data in base64, as served). */
export interface SecretData {
  metadata?: { name?: string; namespace?: string };
  data?: Record<string, string>;
}

/** The label Gardener puts on secrets referenced by a binding of provider type `equinixmetal`. */
export const SECRET_PROVIDER_LABEL = `provider.shoot.gardener.cloud/${PROVIDER_TYPE}`;

/** Why a WorkloadIdentity cannot be used. */
export const NO_WORKLOAD_IDENTITY =
  "Equinix Metal has no OIDC federation: use a Secret with apiToken and projectID instead of a WorkloadIdentity";

/** Validates a Secret's data, naming the secret in each error's message. */
export function validateSecret(secret: SecretData, field = "data"): FieldError[] {
  return validateCredentialsData(secret.data, field);
}

/** Re-roots errors found in a referenced secret under the binding's field that points at it. */
function viaReference(errors: FieldError[], refField: string, secretName: string): FieldError[] {
  return errors.map((e) => ({
    type: e.type,
    field: refField,
    message: `secret ${secretName}: ${e.field}: ${e.message || e.type}`,
  }));
}

/**
 * Validates a CredentialsBinding of type `equinixmetal`; `secret` is the referenced Secret or InternalSecret (undefined
 * if it does not exist).
 */
export function validateCredentialsBinding(binding: CredentialsBinding, secret: SecretData | undefined): FieldError[] {
  if (binding.provider.type !== PROVIDER_TYPE) return [];
  const ref = binding.credentialsRef;
  const name = `${ref.namespace}/${ref.name}`;
  if (ref.kind === "WorkloadIdentity") return [forbidden("credentialsRef.kind", NO_WORKLOAD_IDENTITY)];
  if (ref.kind !== "Secret" && ref.kind !== "InternalSecret") {
    return [notSupported("credentialsRef.kind", ref.kind, ["Secret", "InternalSecret"])];
  }
  if (!secret) return [invalid("credentialsRef.name", ref.name, `${ref.kind} ${name} not found`)];
  return viaReference(validateSecret(secret), "credentialsRef", name);
}

/** Validates a SecretBinding of type `equinixmetal` and the secret it references (undefined if missing). */
export function validateSecretBinding(binding: SecretBinding, secret: SecretData | undefined): FieldError[] {
  if (binding.provider?.type !== PROVIDER_TYPE) return [];
  const ns = binding.secretRef.namespace || binding.metadata?.namespace || "";
  const name = `${ns}/${binding.secretRef.name}`;
  if (!secret) return [invalid("secretRef.name", binding.secretRef.name, `Secret ${name} not found`)];
  return viaReference(validateSecret(secret), "secretRef", name);
}

/** A WorkloadIdentity for `equinixmetal` is refused. */
export function validateWorkloadIdentity(targetType: string): FieldError[] {
  return targetType === PROVIDER_TYPE ? [forbidden("spec.targetSystem.type", NO_WORKLOAD_IDENTITY)] : [];
}
