/**
 * The admission's validating handler: one AdmissionReview request in, a verdict out. Decodes the object leniently
 * (Gardener's own kinds gain fields with every release; provider configs inside are decoded strictly by the rules),
 * reads what a rule needs (the Shoot's CloudProfile, a binding's Secret) through `GardenReader`, runs the pure rules
 * of `shoot.ts`, `cloud_profile.ts` and `credentials.ts` and words a denial as
 * `<Kind> <namespace>/<name>: <field>: <reason>`. Objects of other provider types are allowed untouched.
 */
import { aggregateMessage, checkSchema, type FieldError, invalid, required } from "../apis/decode.ts";
import {
  type CloudProfile,
  CloudProfileSchema,
  type CloudProfileSpec,
  NamespacedCloudProfileSchema,
  SecretBindingSchema,
  ShootSchema,
} from "../apis/core/v1beta1.ts";
import { CredentialsBindingSchema, WorkloadIdentitySchema } from "../apis/core/security_v1alpha1.ts";
import type { KubeObject } from "../k8s/api/objects.ts";
import { CoreGardenerV1beta1, CoreV1, type ResourceType } from "../k8s/api/resources.ts";
import {
  effectiveProfile,
  PROVIDER_TYPE,
  validateCloudProfileSpec,
  validateNamespacedCloudProfile,
} from "./cloud_profile.ts";
import {
  type SecretData,
  validateCredentialsBinding,
  validateSecret,
  validateSecretBinding,
  validateWorkloadIdentity,
} from "./credentials.ts";
import { profileRefOf, validateShoot } from "./shoot.ts";
import { jsonEqual } from "../k8s/api/patch/json_value.ts";
import type { ValidatingHandler, ValidationRequest, Verdict } from "./review.ts";
import type { z } from "zod";

/** Uncached reads of the garden (never a cache: a binding created right after its secret must see it). */
export interface GardenReader {
  /** The object, or undefined if it does not exist. */
  get(resource: ResourceType, name: string, namespace: string | undefined, signal: AbortSignal): Promise<
    KubeObject | undefined
  >;
}

/** The kinds this handler validates, by API group and kind. */
export const VALIDATED_KINDS = {
  "core.gardener.cloud": ["Shoot", "CloudProfile", "NamespacedCloudProfile", "SecretBinding"],
  "security.gardener.cloud": ["CredentialsBinding", "WorkloadIdentity"],
  "": ["Secret"],
} as const;

/** `Shoot garden-dev/demo`, `CloudProfile equinix`. */
function objectName(req: ValidationRequest): string {
  return req.namespace ? `${req.kind.kind} ${req.namespace}/${req.name}` : `${req.kind.kind} ${req.name}`;
}

/** Lenient decode of a Gardener object; its errors are the verdict when it fails. */
function decodeObject<S extends z.ZodType>(schema: S, value: unknown, errors: FieldError[]): z.output<S> | undefined {
  const result = checkSchema(schema, value, { mode: "lenient" });
  errors.push(...result.errors);
  return result.value;
}

/** The CloudProfile spec a Shoot is checked against, or the error saying why there is none. */
async function profileOfShoot(
  reader: GardenReader,
  shoot: z.output<typeof ShootSchema>,
  namespace: string,
  signal: AbortSignal,
): Promise<{ spec?: CloudProfileSpec; error?: FieldError }> {
  const ref = profileRefOf(shoot);
  if (!ref) return { error: required("spec.cloudProfile", "names the CloudProfile of the shoot") };
  const parentSpec = async (name: string) => {
    const obj = await reader.get(CoreGardenerV1beta1.cloudProfiles, name, undefined, signal);
    const parsed = obj && CloudProfileSchema.safeParse(obj);
    return parsed?.success ? (parsed.data as CloudProfile).spec : undefined;
  };
  if (ref.kind === "CloudProfile") {
    const spec = await parentSpec(ref.name);
    return spec ? { spec } : { error: invalid(ref.field, ref.name, `CloudProfile ${ref.name} not found`) };
  }
  const obj = await reader.get(CoreGardenerV1beta1.namespacedCloudProfiles, ref.name, namespace, signal);
  const parsed = obj && NamespacedCloudProfileSchema.safeParse(obj);
  if (!parsed?.success) {
    return { error: invalid(ref.field, ref.name, `NamespacedCloudProfile ${namespace}/${ref.name} not found`) };
  }
  const spec = effectiveProfile(parsed.data, await parentSpec(parsed.data.spec.parent.name));
  return spec ? { spec } : {
    error: invalid(ref.field, ref.name, `the parent CloudProfile ${parsed.data.spec.parent.name} was not found`),
  };
}

async function secretOf(
  reader: GardenReader,
  kind: string,
  name: string,
  namespace: string,
  signal: AbortSignal,
): Promise<SecretData | undefined> {
  const resource = kind === "InternalSecret" ? CoreGardenerV1beta1.internalSecrets : CoreV1.secrets;
  return (await reader.get(resource, name, namespace, signal)) as SecretData | undefined;
}

/** The field errors of one request (empty: allowed). */
export async function validateRequest(
  req: ValidationRequest,
  reader: GardenReader,
  signal: AbortSignal,
): Promise<FieldError[]> {
  if (req.operation !== "CREATE" && req.operation !== "UPDATE") return [];
  const errors: FieldError[] = [];
  const group = req.kind.group;
  switch (`${group}/${req.kind.kind}`) {
    case "core.gardener.cloud/Shoot": {
      if (req.subResource) return [];
      const shoot = decodeObject(ShootSchema, req.object, errors);
      const old = req.operation === "UPDATE" && req.oldObject
        ? decodeObject(ShootSchema, req.oldObject, [])
        : undefined;
      if (!shoot || shoot.spec.provider.type !== PROVIDER_TYPE) return errors;
      const { spec, error } = await profileOfShoot(reader, shoot, req.namespace, signal);
      if (error && !(old && old.spec.cloudProfile?.name === shoot.spec.cloudProfile?.name)) errors.push(error);
      errors.push(...validateShoot(shoot, spec, old));
      return errors;
    }
    case "core.gardener.cloud/CloudProfile": {
      const profile = decodeObject(CloudProfileSchema, req.object, errors);
      if (profile) errors.push(...validateCloudProfileSpec(profile.spec));
      return errors;
    }
    case "core.gardener.cloud/NamespacedCloudProfile": {
      const profile = decodeObject(NamespacedCloudProfileSchema, req.object, errors);
      if (!profile) return errors;
      const parent = await reader.get(
        CoreGardenerV1beta1.cloudProfiles,
        profile.spec.parent.name,
        undefined,
        signal,
      );
      const parsed = parent && CloudProfileSchema.safeParse(parent);
      errors.push(...validateNamespacedCloudProfile(profile, parsed?.success ? parsed.data.spec : undefined));
      return errors;
    }
    case "core.gardener.cloud/SecretBinding": {
      const binding = decodeObject(SecretBindingSchema, req.object, errors);
      if (!binding || binding.provider?.type !== PROVIDER_TYPE) return errors;
      const ns = binding.secretRef.namespace || req.namespace;
      errors.push(
        ...validateSecretBinding(binding, await secretOf(reader, "Secret", binding.secretRef.name, ns, signal)),
      );
      return errors;
    }
    case "security.gardener.cloud/CredentialsBinding": {
      // The reference is immutable: what was valid at creation stays valid as far as the binding is concerned.
      if (req.operation !== "CREATE") return [];
      const binding = decodeObject(CredentialsBindingSchema, req.object, errors);
      if (!binding || binding.provider.type !== PROVIDER_TYPE) return errors;
      const ref = binding.credentialsRef;
      const secret = ref.kind === "Secret" || ref.kind === "InternalSecret"
        ? await secretOf(reader, ref.kind, ref.name, ref.namespace, signal)
        : undefined;
      errors.push(...validateCredentialsBinding(binding, secret));
      return errors;
    }
    case "security.gardener.cloud/WorkloadIdentity": {
      const identity = decodeObject(WorkloadIdentitySchema, req.object, errors);
      if (identity) errors.push(...validateWorkloadIdentity(identity.spec.targetSystem.type));
      return errors;
    }
    case "/Secret": {
      const secret = req.object as SecretData;
      // Only a change of the data is checked: relabelling a secret that was stored before must not fail.
      const old = req.oldObject as SecretData | undefined;
      if (req.operation === "UPDATE" && old && jsonEqual(old.data ?? {}, secret.data ?? {})) return [];
      return validateSecret(secret);
    }
    default:
      return [];
  }
}

/** The handler the admission server serves: denials name the object, every field and its reason. */
export function equinixValidator(reader: GardenReader): ValidatingHandler {
  return async (req, signal): Promise<Verdict> => {
    const errors = await validateRequest(req, reader, signal);
    if (errors.length === 0) return { allowed: true };
    return { allowed: false, code: 403, message: `${objectName(req)}: ${aggregateMessage(errors)}` };
  };
}
