/**
 * The creation flow's I/O (MCM triggerCreationFlow): user data with a bootstrap token, the driver calls, the
 * Machine's metadata and its Pending status. Every step is safe to repeat after a crash: the bootstrap token is
 * get-or-create, CreateMachine is idempotent in our drivers, and the Machine is only written with the
 * resourceVersion it was read at. Steps return the requeue period (0: none).
 */
import { Description, type Machine, type MachineClass } from "../../../apis/machine/v1alpha1.ts";
import { MachineError, type SecretData } from "../../driver/driver.ts";
import type { Logger } from "../../../observability/log.ts";
import type { ControllerContext } from "../context.ts";
import { ensureBootstrapToken } from "./bootstrap_token_apply.ts";
import { needsBootstrapToken, substituteUserData, USER_DATA_KEY } from "./userdata.ts";
import {
  branchOnStatus,
  createErrorOutcome,
  createFailurePhase,
  isStaleNode,
  pendingStatus,
  staleNodeStatus,
  withCreationMetadata,
} from "./creation_flow.ts";
import { callDriver, machineRequest, registerSecretData } from "../driver_apply.ts";
import { retryAfterWriteError, updateMachine, writeStatus } from "../machine/machine_apply.ts";
import { decodeMachineError, LONG_RETRY_MS, SHORT_RETRY_MS } from "../retry.ts";
import { currentStatus, lastOperation, withOperation } from "../machine/status.ts";
import type { EffectiveSettings } from "../machine/timeouts.ts";
import { observeMachineDuration } from "../metrics.ts";

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
  registerSecretData(ctx, secret);
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
  const creation: Creation = {
    ctx,
    machine,
    cls,
    secret: { ...secret, [USER_DATA_KEY]: userData },
    settings,
    signal,
    log,
  };
  return await createWithUserData(creation);
}

/** One machine's creation: what every step of it reads. */
interface Creation {
  ctx: ControllerContext;
  machine: Machine;
  cls: MachineClass;
  /** The class secret with the user data ready for the driver. */
  secret: SecretData;
  settings: EffectiveSettings;
  signal: AbortSignal;
  log: Logger;
}

/** The VM the driver reported or created. */
interface FoundVM {
  providerID: string;
  nodeName: string;
  /** CreateMachine made it now. */
  created: boolean;
  /** It exists but InitializeMachine has not run (GetMachineStatus said Uninitialized). */
  uninitialized: boolean;
}

/** Finds or creates the VM, records it on the Machine, initializes it, and marks the Machine Pending. */
async function createWithUserData(c: Creation): Promise<number> {
  const { ctx, machine, log } = c;
  const vm = await findOrCreateVM(c);
  if (typeof vm === "number") return vm;
  const { providerID, nodeName } = vm;
  if ((ctx.target && !nodeName) || !providerID) {
    return await writeCreateError(
      c,
      new MachineError(
        "Internal",
        `driver returned providerID "${providerID}" and node name "${nodeName}" for machine ${machine.metadata.name}`,
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

  if (vm.created || vm.uninitialized) {
    const failed = await initializeVM(c, current);
    if (failed !== undefined) return failed;
  }

  const pending = pendingStatus(current, ctx.clock.now());
  if (!pending) return LONG_RETRY_MS;
  try {
    await writeStatus(ctx, current, pending);
  } catch (e) {
    return retryAfterWriteError(ctx, current, e, "Pending status");
  }
  log.info("Machine created, waiting for its node", { providerID, node: nodeName });
  return SHORT_RETRY_MS;
}

/**
 * GetMachineStatus first (MCM), except without a providerID: our drivers' CreateMachine finds an existing device
 * itself, so the lookup would only cost an API call. Then adopts, keeps or creates the VM; a number is the requeue
 * period of a flow that stops here.
 */
async function findOrCreateVM(c: Creation): Promise<FoundVM | number> {
  const { ctx, machine, cls, secret, signal } = c;
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
  switch (branch.kind) {
    case "requeue":
      c.log.error("Could not decode the driver's GetMachineStatus error", {
        error: (outcome as { error: unknown }).error,
      });
      return branch.retryMs;
    case "error":
      return await writeCreateError(c, branch.error);
    case "create":
      return await createVM(c);
    case "adopt":
      return {
        providerID: branch.providerID,
        nodeName: branch.nodeName,
        created: false,
        uninitialized: branch.uninitialized,
      };
    case "keep":
      return { providerID: branch.providerID, nodeName: branch.nodeName, created: false, uninitialized: false };
  }
}

/** CreateMachine; a VM named like an existing Node (a stale node) is deleted again and the Machine marked. */
async function createVM(c: Creation): Promise<FoundVM | number> {
  const { ctx, machine, cls, secret, signal, log } = c;
  let resp;
  try {
    resp = await callDriver(
      ctx,
      "CreateMachine",
      () => ctx.driver.createMachine(machineRequest(machine, cls, secret, signal)),
    );
  } catch (err) {
    return await writeCreateError(c, err);
  }
  const now = ctx.clock.now();
  observeMachineDuration("create", machine, now - Date.parse(machine.metadata.creationTimestamp ?? "") || 0);
  const staleNodeExists = ctx.targetCaches?.nodes.get(resp.nodeName) !== undefined;
  if (!isStaleNode(resp.nodeName, machine.metadata.name!, staleNodeExists)) {
    return { providerID: resp.providerID, nodeName: resp.nodeName, created: true, uninitialized: false };
  }
  log.info("VM uses the name of an existing Node; deleting the VM", { node: resp.nodeName });
  try {
    const withVM = { ...machine, spec: { ...machine.spec, providerID: resp.providerID } };
    await callDriver(ctx, "DeleteMachine", () => ctx.driver.deleteMachine(machineRequest(withVM, cls, secret, signal)));
  } catch (e) {
    log.error("Could not delete the VM of a stale node", { error: e });
    return SHORT_RETRY_MS;
  }
  try {
    await writeStatus(ctx, machine, staleNodeStatus(machine, ctx.clock.now()));
  } catch (e) {
    return retryAfterWriteError(ctx, machine, e, "stale node status");
  }
  return SHORT_RETRY_MS;
}

/** InitializeMachine (Unimplemented counts as done); the requeue period after a failure, undefined on success. */
async function initializeVM(c: Creation, current: Machine): Promise<number | undefined> {
  const { ctx, cls, secret, settings, signal } = c;
  const started = ctx.clock.now();
  try {
    await callDriver(
      ctx,
      "InitializeMachine",
      () => ctx.driver.initializeMachine(machineRequest(current, cls, secret, signal)),
    );
    observeMachineDuration("initialize", current, ctx.clock.now() - started);
    return undefined;
  } catch (err) {
    const { code, text } = decodeMachineError(err);
    if (code === "Unimplemented") return undefined;
    const now = ctx.clock.now();
    const status = withOperation(
      current.status,
      lastOperation(`Provider error: ${text}. ${Description.InitializeVM}`, "Failed", "Create", now, code),
      currentStatus(createFailurePhase(current, settings.creationTimeoutMs, now), now),
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

/** The status after a failed create (CrashLoopBackOff, or Failed after the creation timeout). */
async function writeCreateError(c: Creation, err: unknown): Promise<number> {
  const { ctx, machine, log } = c;
  const out = createErrorOutcome(machine, err, {
    creationTimeoutMs: c.settings.creationTimeoutMs,
    resourceExhaustedRetryMs: ctx.options.resourceExhaustedRetryMs,
    now: ctx.clock.now(),
  });
  const { code } = decodeMachineError(err);
  log.info("Machine creation failed", { code, phase: out.status.currentStatus?.phase, error: err });
  try {
    await writeStatus(ctx, machine, out.status);
  } catch (e) {
    return retryAfterWriteError(ctx, machine, e, "status after create error");
  }
  return out.retryMs;
}
