/**
 * User data preparation: the class secrets are merged (secretRef, then credentialsSecretRef; later keys win) and the
 * placeholders `<<BOOTSTRAP_TOKEN>>` and `<<MACHINE_NAME>>` (also URL-encoded) are replaced before the driver sees it.
 */
import type { SecretData } from "../../driver/driver.ts";
import { decodeSecretValue } from "./bootstrap_token.ts";
import type { Secret } from "../../../k8s/api/builtin_types.ts";

export const BOOTSTRAP_TOKEN_PLACEHOLDER = "<<BOOTSTRAP_TOKEN>>";
export const MACHINE_NAME_PLACEHOLDER = "<<MACHINE_NAME>>";
/** Key of the user data in the class secret. */
export const USER_DATA_KEY = "userData";

const encoded = (p: string) => encodeURIComponent(p);

/** Decodes a Secret's data (base64) and stringData into plain strings. */
export function secretData(secret: Secret | undefined): SecretData {
  const out: SecretData = {};
  for (const [k, v] of Object.entries(secret?.data ?? {})) out[k] = decodeSecretValue(v);
  for (const [k, v] of Object.entries(secret?.stringData ?? {})) out[k] = v;
  return out;
}

/** Merges secret data maps; later maps override earlier keys (MCM mergeDataMaps). */
export function mergeSecretData(...maps: Array<SecretData | undefined>): SecretData {
  const out: SecretData = {};
  for (const m of maps) if (m) Object.assign(out, m);
  return out;
}

/** True when the user data expects a bootstrap token. */
export function needsBootstrapToken(userData: string): boolean {
  return userData.includes(BOOTSTRAP_TOKEN_PLACEHOLDER) || userData.includes(encoded(BOOTSTRAP_TOKEN_PLACEHOLDER));
}

/** Replaces the placeholders (plain and URL-encoded forms). `token` undefined leaves the token placeholder alone. */
export function substituteUserData(userData: string, values: { token?: string; machineName: string }): string {
  let out = userData;
  if (values.token !== undefined) {
    out = out.replaceAll(BOOTSTRAP_TOKEN_PLACEHOLDER, values.token)
      .replaceAll(encoded(BOOTSTRAP_TOKEN_PLACEHOLDER), encodeURIComponent(values.token));
  }
  return out.replaceAll(MACHINE_NAME_PLACEHOLDER, values.machineName)
    .replaceAll(encoded(MACHINE_NAME_PLACEHOLDER), encodeURIComponent(values.machineName));
}
