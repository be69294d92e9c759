/**
 * Credentials and user data from the MachineClass secrets. Values are registered as secrets the moment they are read
 * so that no log line, error or status can show them.
 */
import { registerSecret } from "../../observability/redact.ts";
import type { SecretData } from "./driver.ts";

/** Root of field paths in secret errors. */
export const SECRET_PATH = "secretRef";

/** API tokens to try, in order: `apiToken`, then `alternateApiToken` (only if different). */
export interface Credentials {
  tokens: string[];
}

/** A secret lacks a required key; `problems` are `<path>: <reason>` lines. */
export class SecretError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `[${problems.join(", ")}]`);
    this.name = "SecretError";
  }
}

/** Registers every token-like and user-data value of a secret with the redactor. */
export function registerSecretValues(secret: SecretData): void {
  for (const key of ["apiToken", "alternateApiToken"]) {
    const v = secret[key];
    if (typeof v === "string") {
      registerSecret(v);
      registerSecret(v.trim());
    }
  }
}

/**
 * The API tokens of a secret, trimmed. `apiToken` comes first; `alternateApiToken` is used when `apiToken` is empty
 * and is the one retry after `apiToken` is rejected (upstream accepted it in validation but never used it).
 */
export function credentialsFrom(secret: SecretData): Credentials {
  registerSecretValues(secret);
  const tokens: string[] = [];
  for (const key of ["apiToken", "alternateApiToken"]) {
    const v = typeof secret[key] === "string" ? secret[key].trim() : "";
    if (v && !tokens.includes(v)) tokens.push(v);
  }
  if (tokens.length === 0) {
    throw new SecretError([
      `${SECRET_PATH}.apiToken: Required value: Required Equinix Metal API Key one of 'apiToken' or 'alternateApiToken'`,
    ]);
  }
  return { tokens };
}

/** The user data for a new device; required. The caller registers it with the redactor for the call's duration. */
export function userDataFrom(secret: SecretData): string {
  const v = secret["userData"];
  if (typeof v !== "string" || v === "") {
    throw new SecretError([`${SECRET_PATH}.userData: Required value: Required userData`]);
  }
  return v;
}
