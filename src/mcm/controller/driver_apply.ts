/**
 * Driver calls as the controller makes them: requests built from the Machine, its class and the merged secret
 * data, secret values registered for redaction before anything can log them, and every call counted and timed in
 * the `mcm_cloud_api_*` metrics.
 */
import type { Machine, MachineClass } from "../../apis/machine/v1alpha1.ts";
import { codeOf, type DriverMachineClass, type MachineRequest, type SecretData } from "../driver/driver.ts";
import { registerSecret } from "../../observability/redact.ts";
import type { ControllerContext } from "./context.ts";
import { observeDriverCall } from "./metrics.ts";

/**
 * Registers every value of a secret for redaction. A controller registers a value once (registrations are reference
 * counted; these live as long as the process).
 */
export function registerSecretData(ctx: ControllerContext, data: SecretData): void {
  for (const v of Object.values(data)) {
    if (v && !ctx.state.redacted.has(v)) {
      ctx.state.redacted.add(v);
      registerSecret(v);
    }
  }
}

/** The class as the driver sees it. */
export function driverClass(cls: MachineClass): DriverMachineClass {
  return {
    name: cls.metadata.name!,
    namespace: cls.metadata.namespace,
    provider: cls.provider,
    providerSpec: cls.providerSpec,
  };
}

/** A driver request for a machine. */
export function machineRequest(
  machine: Machine,
  cls: MachineClass,
  secret: SecretData,
  signal?: AbortSignal,
): MachineRequest {
  return {
    machine: {
      name: machine.metadata.name!,
      namespace: machine.metadata.namespace,
      providerID: machine.spec?.providerID ?? "",
      lastKnownState: machine.status?.lastKnownState,
      creationTimestamp: machine.metadata.creationTimestamp,
    },
    machineClass: driverClass(cls),
    secret,
    signal,
  };
}

/** Runs one driver call with metrics. */
export async function callDriver<T>(ctx: ControllerContext, operation: string, call: () => Promise<T>): Promise<T> {
  const started = ctx.clock.now();
  try {
    const out = await call();
    observeDriverCall(ctx.providerName, operation, "OK", (ctx.clock.now() - started) / 1000);
    return out;
  } catch (e) {
    observeDriverCall(ctx.providerName, operation, codeOf(e), (ctx.clock.now() - started) / 1000);
    throw e;
  }
}
