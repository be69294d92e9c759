/**
 * The bootstrap token's I/O: get-or-create of the machine's token secret in the target's kube-system (safe to repeat
 * after a crash: the id is derived from the machine name, and an existing secret is read instead), its registration
 * for redaction, and its deletion once the machine joined or is gone.
 */
import { BOOTSTRAP_TOKEN_NAMESPACE, type Machine } from "../../../apis/machine/v1alpha1.ts";
import { CoreV1 } from "../../../k8s/api/resources.ts";
import { isAlreadyExists, isConflict, isNotFound } from "../../../k8s/api/errors.ts";
import { forgetSecret, registerSecret } from "../../../observability/redact.ts";
import type { ControllerContext } from "../context.ts";
import type { Secret } from "../../../k8s/api/builtin_types.ts";
import {
  bootstrapTokenSecretName,
  buildBootstrapTokenSecret,
  isTokenOf,
  randomTokenSecret,
  tokenFromSecret,
} from "./bootstrap_token.ts";

/** Gets or creates the machine's bootstrap token in the target's kube-system; returns `<id>.<secret>`. */
export async function ensureBootstrapToken(
  ctx: ControllerContext,
  machine: Machine,
  creationTimeoutMs: number,
): Promise<string> {
  const target = ctx.target!;
  const name = bootstrapTokenSecretName(machine.metadata.name!);
  // Create first (the usual case is a new machine); an existing token (a retry, a restart) is read instead.
  const tokenSecret = randomTokenSecret();
  registerSecret(tokenSecret);
  const desired = buildBootstrapTokenSecret({
    machineName: machine.metadata.name!,
    machineNamespace: machine.metadata.namespace,
    tokenSecret,
    expiresAt: ctx.clock.now() + creationTimeoutMs,
    extraGroups: ctx.options.bootstrapTokenAuthExtraGroups,
  });
  let secret: Secret;
  try {
    secret = await target.create<Secret>(CoreV1.secrets, desired, { namespace: BOOTSTRAP_TOKEN_NAMESPACE });
  } catch (err) {
    if (!isAlreadyExists(err)) {
      forgetSecret(tokenSecret);
      throw err;
    }
    secret = await target.get<Secret>(CoreV1.secrets, name, { namespace: BOOTSTRAP_TOKEN_NAMESPACE });
  }
  forgetSecret(tokenSecret);
  if (!isTokenOf(secret, machine.metadata.name!, machine.metadata.namespace)) {
    throw new Error(
      `bootstrap token secret ${BOOTSTRAP_TOKEN_NAMESPACE}/${name} belongs to another machine (token id clash); ` +
        "retrying once it is gone",
    );
  }
  const token = tokenFromSecret(secret);
  const key = tokenKey(machine);
  const known = ctx.state.bootstrapTokens.get(key);
  if (known?.token !== token) {
    registerSecret(token);
    if (known) forgetSecret(known.token);
  }
  ctx.state.bootstrapTokens.set(key, { token, uid: secret.metadata.uid });
  return token;
}

/** True if this process made or read the machine's bootstrap token and has not deleted it yet. */
export function knowsBootstrapToken(ctx: ControllerContext, machine: Machine): boolean {
  return ctx.state.bootstrapTokens.has(tokenKey(machine));
}

function tokenKey(machine: Machine): string {
  return `${machine.metadata.namespace}/${machine.metadata.name}`;
}

/** Deletes the machine's bootstrap token (after it joined) if it is the machine's own; absent is fine. */
export async function deleteBootstrapToken(ctx: ControllerContext, machine: Machine): Promise<void> {
  if (!ctx.target) return;
  const key = tokenKey(machine);
  const name = bootstrapTokenSecretName(machine.metadata.name!);
  let uid = ctx.state.bootstrapTokens.get(key)?.uid;
  try {
    if (!uid) {
      // Not created by this process: check the owner before deleting (a clashing id belongs to another machine).
      const secret = await ctx.target.get<Secret>(CoreV1.secrets, name, { namespace: BOOTSTRAP_TOKEN_NAMESPACE });
      if (!isTokenOf(secret, machine.metadata.name!, machine.metadata.namespace)) return;
      uid = secret.metadata.uid;
    }
    await ctx.target.delete(CoreV1.secrets, name, { namespace: BOOTSTRAP_TOKEN_NAMESPACE, preconditions: { uid } });
  } catch (e) {
    if (!isNotFound(e) && !isConflict(e)) throw e;
  }
  const known = ctx.state.bootstrapTokens.get(key);
  if (known) {
    ctx.state.bootstrapTokens.delete(key);
    forgetSecret(known.token);
  }
}
