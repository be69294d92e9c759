/**
 * SIMULATION: what MCM's MachineSet controller keeps in line between its template and the Machines it owns without
 * replacing them: the node template and the MachineConfiguration fields (drain/health/creation timeouts, ...) of
 * machines that are neither Failed nor Terminating, and `spec.class.kind` of every machine. The result is a JSON
 * patch of the machine's spec (empty: nothing to do). Pure.
 */
import type { Machine, MachineSet, MachineSpec } from "../../apis/machine/v1alpha1.ts";
import type { JsonPatchOperation } from "../../k8s/api/patch/json_patch.ts";
import { semanticEqual } from "./canonical_json.ts";
import { isActive } from "./machine_ranking.ts";

/** The inlined MachineConfiguration fields of a machine spec. */
export const MACHINE_CONFIGURATION_FIELDS = [
  "drainTimeout",
  "healthTimeout",
  "creationTimeout",
  "inPlaceUpdateTimeout",
  "machinePreserveTimeout",
  "disableHealthTimeout",
  "maxEvictRetries",
  "nodeConditions",
] as const satisfies ReadonlyArray<keyof MachineSpec>;

function setOrRemove(path: string, wanted: unknown, current: unknown): JsonPatchOperation[] {
  if (semanticEqual(wanted, current)) return [];
  if (wanted === undefined || wanted === null) return current === undefined ? [] : [{ op: "remove", path }];
  return [{ op: "add", path, value: structuredClone(wanted) }];
}

/** Operations that bring `machine`'s spec in line with the template of `ms`. */
export function machineSpecSyncOps(ms: MachineSet, machine: Machine): JsonPatchOperation[] {
  const wanted = ms.spec?.template?.spec ?? {};
  const spec = machine.spec ?? {};
  const ops: JsonPatchOperation[] = [];
  if (isActive(machine)) {
    ops.push(...setOrRemove("/spec/nodeTemplate", wanted.nodeTemplate, spec.nodeTemplate));
    for (const f of MACHINE_CONFIGURATION_FIELDS) ops.push(...setOrRemove(`/spec/${f}`, wanted[f], spec[f]));
  }
  const kind = wanted.class?.kind;
  if (kind && spec.class?.kind !== kind) {
    ops.push(
      spec.class ? { op: "add", path: "/spec/class/kind", value: kind } : {
        op: "add",
        path: "/spec/class",
        value: { kind },
      },
    );
  }
  return ops;
}
