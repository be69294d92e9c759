/**
 * The creation flow's I/O (MCM triggerCreationFlow): user data with a bootstrap token, the driver calls, the
 * Machine's metadata and its Pending status. Every step is safe to repeat after a crash: the bootstrap token is
 * get-or-create, CreateMachine is idempotent in our drivers, and the Machine is only written with the
 * resourceVersion it was read at.
 */
import {
  BOOTSTRAP_TOKEN_NAMESPACE,
  Description,
  type Machine,
  type MachineClass,
} from "../../../apis/machine/v1alpha1.ts";
import { CoreV1 } from "../../../k8s/api/resources.ts";
import { isAlreadyExists, isConflict, isNotFound } from "../../../k8s/api/errors.ts";
import { forgetSecret, registerSecret } from "../../../observability/redact.ts";
import { MachineError, type SecretData } from "../../driver/driver.ts";
import type { ControllerContext } from "../context.ts";
import {
  bootstrapTokenSecretName,
  buildBootstrapTokenSecret,
  isTokenOf,
  randomTokenSecret,
  type Secret,
  tokenFromSecret,
} from "./bootstrap_token.ts";
import { needsBootstrapToken, substituteUserData, USER_DATA_KEY } from "./userdata.ts";
import {
  branchOnStatus,
  createErrorOutcome,
  isStaleNode,
  pendingStatus,
  staleNodeStatus,
  withCreationMetadata,
} from "./creation_flow.ts";
import { callDriver, machineRequest, registerSecretData } from "../driver_apply.ts";
import { retryAfterWriteError, updateMachine, writeStatus } from "../machine/machine_apply.ts";
import { decodeMachineError, LONG_RETRY_MS, SHORT_RETRY_MS } from "../retry.ts";
import { createFailurePhase } from "./creation_flow.ts";
import { currentStatus, lastOperation, withOperation } from "../machine/status.ts";
import type { EffectiveSettings } from "../machine/timeouts.ts";
import { observeMachineDuration } from "../metrics.ts";

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
  const key = `${machine.metadata.namespace}/${machine.metadata.name}`;
  const known = ctx.bootstrapTokens.get(key);
  if (known?.token !== token) {
    registerSecret(token);
    if (known) forgetSecret(known.token);
  }
  ctx.bootstrapTokens.set(key, { token, uid: secret.metadata.uid });
  return token;
}

/** Deletes the machine's bootstrap token (after it joined) if it is the machine's own; absent is fine. */
export async function deleteBootstrapToken(ctx: ControllerContext, machine: Machine): Promise<void> {
  if (!ctx.target) return;
  const key = `${machine.metadata.namespace}/${machine.metadata.name}`;
  const name = bootstrapTokenSecretName(machine.metadata.name!);
  let uid = ctx.bootstrapTokens.get(key)?.uid;
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
  const known = ctx.bootstrapTokens.get(key);
  if (known) {
    ctx.bootstrapTokens.delete(key);
    forgetSecret(known.token);
  }
}

/** Runs the creation flow for a machine that needs it; returns the requeue period. */
export async function runCreationFlow(
  ctx: ControllerContext,
  machine: Machine,
  cls: MachineClass,
  secret: SecretData,
  settings: EffectiveSettings,
  signal: AbortSignal,
): Promise<number> {
  const name = machine.metadata.name!;
  const log = ctx.log.with({ machine: name });
  registerSecretData(secret);
  const rawUserData = secret[USER_DATA_KEY];
  if (rawUserData === undefined) {
    log.error("userdata field not found in secret for machine", {
      class: cls.metadata.name,
      field: `secret data key ${USER_DATA_KEY}`,
    });
    return SHORT_RETRY_MS;
  }
  let token: string | undefined;
  if (ctx.target && needsBootstrapToken(rawUserData)) {
    try {
      token = await ensureBootstrapToken(ctx, machine, settings.creationTimeoutMs);
    } catch (e) {
      log.error("Could not get or create the bootstrap token", { error: e });
      return SHORT_RETRY_MS;
    }
  }
  // The token inside is registered for redaction, and so is the template; the driver registers what it sends.
  const userData = substituteUserData(rawUserData, { token, machineName: name });
  return await createWithUserData(ctx, machine, cls, { ...secret, [USER_DATA_KEY]: userData }, settings, signal);
}

async function createWithUserData(
  ctx: ControllerContext,
  machine: Machine,
  cls: MachineClass,
  secret: SecretData,
  settings: EffectiveSettings,
  signal: AbortSignal,
): Promise<number> {
  const name = machine.metadata.name!;
  const log = ctx.log.with({ machine: name });
  const now = () => ctx.clock.now();
  const createError = async (err: unknown, lastKnownState?: string): Promise<number> => {
    const out = createErrorOutcome(machine, err, {
      creationTimeoutMs: settings.creationTimeoutMs,
      resourceExhaustedRetryMs: ctx.options.resourceExhaustedRetryMs,
      now: now(),
      lastKnownState,
    });
    const { code } = decodeMachineError(err);
    log.info("Machine creation failed", { code, phase: out.status.currentStatus?.phase, error: err });
    if (
      out.status.lastOperation?.description?.includes("OutOfRange") &&
      !machine.status?.lastOperation?.description?.includes("OutOfRange")
    ) {
      ctx.queues.orphanCollection();
    }
    try {
      await writeStatus(ctx, machine, out.status);
    } catch (e) {
      return retryAfterWriteError(ctx, machine, e, "status after create error");
    }
    return out.retryMs;
  };

  // GetMachineStatus first (MCM), except without a providerID: our drivers' CreateMachine finds an existing
  // device itself, so the lookup would only cost an API call.
  let outcome: Parameters<typeof branchOnStatus>[1];
  if (machine.spec?.providerID) {
    try {
      const response = await callDriver(
        ctx,
        "GetMachineStatus",
        () => ctx.driver.getMachineStatus(machineRequest(machine, cls, secret, signal)),
      );
      outcome = { response };
    } catch (error) {
      outcome = { error };
    }
  }
  const branch = branchOnStatus(machine, outcome);
  let providerID: string;
  let nodeName: string;
  let created = false;
  let uninitialized = false;
  switch (branch.kind) {
    case "requeue":
      log.error("Could not decode the driver's GetMachineStatus error", {
        error: (outcome as { error: unknown }).error,
      });
      return branch.retryMs;
    case "error":
      return await createError(branch.error);
    case "create": {
      let resp;
      try {
        resp = await callDriver(
          ctx,
          "CreateMachine",
          () => ctx.driver.createMachine(machineRequest(machine, cls, secret, signal)),
        );
      } catch (err) {
        return await createError(err);
      }
      observeMachineDuration("create", machine, now() - Date.parse(machine.metadata.creationTimestamp ?? "") || 0);
      const staleNodeExists = ctx.targetCaches?.nodes.get(resp.nodeName) !== undefined;
      if (isStaleNode(resp.nodeName, name, staleNodeExists)) {
        log.info("VM uses the name of an existing Node; deleting the VM", { node: resp.nodeName });
        try {
          await callDriver(
            ctx,
            "DeleteMachine",
            () =>
              ctx.driver.deleteMachine(
                machineRequest(
                  { ...machine, spec: { ...machine.spec, providerID: resp.providerID } },
                  cls,
                  secret,
                  signal,
                ),
              ),
          );
        } catch (e) {
          log.error("Could not delete the VM of a stale node", { error: e });
          return SHORT_RETRY_MS;
        }
        try {
          await writeStatus(ctx, machine, staleNodeStatus(machine, now()));
        } catch (e) {
          return retryAfterWriteError(ctx, machine, e, "stale node status");
        }
        return SHORT_RETRY_MS;
      }
      providerID = resp.providerID;
      nodeName = resp.nodeName;
      created = true;
      break;
    }
    case "adopt":
      providerID = branch.providerID;
      nodeName = branch.nodeName;
      uninitialized = branch.uninitialized;
      break;
    case "keep":
      providerID = branch.providerID;
      nodeName = branch.nodeName;
      break;
  }

  if ((ctx.target && !nodeName) || !providerID) {
    return await createError(
      new MachineError(
        "Internal",
        `driver returned providerID "${providerID}" and node name "${nodeName}" for machine ${name}`,
      ),
    );
  }

  let current = machine;
  const withMetadata = withCreationMetadata(current, providerID, nodeName, !ctx.target);
  if (withMetadata) {
    try {
      current = await updateMachine(ctx, withMetadata);
    } catch (e) {
      // The VM exists; the next attempt finds it again (idempotent create) and retries this update.
      return retryAfterWriteError(ctx, machine, e, "providerID and node label");
    }
  }

  if (created || uninitialized) {
    const started = now();
    try {
      await callDriver(
        ctx,
        "InitializeMachine",
        () => ctx.driver.initializeMachine(machineRequest(current, cls, secret, signal)),
      );
      observeMachineDuration("initialize", current, now() - started);
    } catch (err) {
      const { code, text } = decodeMachineError(err);
      if (code !== "Unimplemented") {
        const status = withOperation(
          current.status,
          lastOperation(`Provider error: ${text}. ${Description.InitializeVM}`, "Failed", "Create", now(), code),
          currentStatus(createFailurePhase(current, settings.creationTimeoutMs, now()), now()),
          current.status?.lastKnownState,
        );
        try {
          await writeStatus(ctx, current, status);
        } catch (e) {
          return retryAfterWriteError(ctx, current, e, "status after initialize error");
        }
        return SHORT_RETRY_MS;
      }
    }
  }

  const pending = pendingStatus(current, now());
  if (!pending) return LONG_RETRY_MS;
  try {
    await writeStatus(ctx, current, pending);
  } catch (e) {
    return retryAfterWriteError(ctx, current, e, "Pending status");
  }
  log.info("Machine created, waiting for its node", { providerID, node: nodeName });
  return SHORT_RETRY_MS;
}
