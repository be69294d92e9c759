/**
 * Effective per-machine settings: a Machine's own `spec` values (and, for the creation timeout, the
 * `effective-creation-timeout` annotation the MachineSet copies from its deployment) win over the flags.
 * An unparsable override falls back to the flag instead of failing the machine; the problem is reported.
 */
import { ANNOTATION_EFFECTIVE_CREATION_TIMEOUT, type Machine } from "../../../apis/machine/v1alpha1.ts";
import type { MachineControllerOptions } from "../../options.ts";
import { parseDuration } from "../../../runtime/duration.ts";

/** Effective values for one machine, and any override that could not be used. */
export interface EffectiveSettings {
  creationTimeoutMs: number;
  healthTimeoutMs: number;
  drainTimeoutMs: number;
  maxEvictRetries: number;
  nodeConditions: string[];
  disableHealthTimeout: boolean;
  /** How long a machine stays preserved (spec.machinePreserveTimeout, else the flag). */
  preserveTimeoutMs: number;
  /** Human-readable problems with overrides (e.g. `spec.drainTimeout: invalid duration "x"`). */
  problems: string[];
}

function durationOr(value: string | undefined, field: string, fallback: number, problems: string[]): number {
  if (value === undefined || value === "") return fallback;
  try {
    const ms = parseDuration(value);
    if (ms < 0) throw new Error(`negative duration "${value}"`);
    return ms;
  } catch (e) {
    problems.push(`${field}: ${(e as Error).message}`);
    return fallback;
  }
}

/** Splits a comma-separated node condition list. */
export function splitConditions(s: string): string[] {
  return s.split(",").map((c) => c.trim()).filter((c) => c !== "");
}

/** Computes the effective settings of a machine. */
export function effectiveSettings(machine: Machine, opts: MachineControllerOptions): EffectiveSettings {
  const problems: string[] = [];
  const spec = machine.spec ?? {};
  const annotation = machine.metadata.annotations?.[ANNOTATION_EFFECTIVE_CREATION_TIMEOUT];
  const specCreation = durationOr(
    spec.creationTimeout,
    "spec.creationTimeout",
    opts.machineCreationTimeoutMs,
    problems,
  );
  const creationTimeoutMs = durationOr(
    annotation,
    `metadata.annotations[${ANNOTATION_EFFECTIVE_CREATION_TIMEOUT}]`,
    specCreation,
    problems,
  );
  const maxEvict = spec.maxEvictRetries;
  let maxEvictRetries = opts.machineMaxEvictRetries;
  if (maxEvict !== undefined) {
    if (Number.isInteger(maxEvict) && maxEvict >= 0) maxEvictRetries = maxEvict;
    else problems.push(`spec.maxEvictRetries: must be a non-negative integer, got ${maxEvict}`);
  }
  return {
    creationTimeoutMs,
    healthTimeoutMs: durationOr(spec.healthTimeout, "spec.healthTimeout", opts.machineHealthTimeoutMs, problems),
    drainTimeoutMs: durationOr(spec.drainTimeout, "spec.drainTimeout", opts.machineDrainTimeoutMs, problems),
    maxEvictRetries,
    nodeConditions: splitConditions(spec.nodeConditions ?? opts.nodeConditions),
    disableHealthTimeout: spec.disableHealthTimeout === true,
    preserveTimeoutMs: durationOr(
      spec.machinePreserveTimeout,
      "spec.machinePreserveTimeout",
      opts.machinePreserveTimeoutMs,
      problems,
    ),
    problems,
  };
}
