/**
 * The parts of Gardener's `security.gardener.cloud/v1alpha1` CredentialsBinding and WorkloadIdentity that the
 * admission reads. Lenient like `v1beta1.ts`: only the fields we use are typed.
 */
import { z } from "zod";

export const GROUP = "security.gardener.cloud";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}` as const;

const MetaSchema = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

/** Binds a Secret, InternalSecret or WorkloadIdentity to shoots of one provider type. */
export const CredentialsBindingSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: MetaSchema.optional(),
  credentialsRef: z.looseObject({
    apiVersion: z.string(),
    kind: z.string(),
    name: z.string(),
    namespace: z.string(),
  }),
  provider: z.looseObject({ type: z.string() }),
});
export type CredentialsBinding = z.output<typeof CredentialsBindingSchema>;

/** An identity whose tokens a provider trusts through OIDC federation. */
export const WorkloadIdentitySchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: MetaSchema.optional(),
  spec: z.looseObject({
    audiences: z.array(z.string()).optional(),
    targetSystem: z.looseObject({ type: z.string(), providerConfig: z.unknown().optional() }),
  }),
});
export type WorkloadIdentity = z.output<typeof WorkloadIdentitySchema>;
