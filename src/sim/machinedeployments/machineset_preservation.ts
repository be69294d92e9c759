/**
 * SIMULATION: MCM's auto-preservation of Failed machines (MachineSet `manageAutoPreservationOfFailedMachines`). A set
 * may keep up to `spec.autoPreserveFailedMachineMax` Failed machines for diagnosis: it annotates Failed machines that
 * carry no preserve value yet with `node.machine.sapcloud.io/preserve: auto-preserved`, newest first, as long as the
 * count it last reported (`status.autoPreserveFailedMachineCount`) is below the maximum. When the maximum was lowered,
 * it removes the annotation from the oldest auto-preserved machines. The machine controller does the rest (expiry,
 * taint, drain, release); the set keeps a Failed machine while it is preserved (see `isPreserved`).
 */
import { ANNOTATION_PRESERVE, type Machine, type MachineSet } from "../../apis/machine/v1alpha1.ts";
import { isNotFound } from "../../k8s/api/errors.ts";
import { MachineV1alpha1 } from "../../k8s/api/resources.ts";
import type { FreshView } from "../../k8s/cache/fresh_view.ts";
import type { Logger } from "../../observability/log.ts";
import { FIELD_MANAGER } from "./keys.ts";
const PRESERVE_AUTO = "auto-preserved";
const PRESERVE_ANNOTATION_VALUES = new Set(["now", "when-failed", "auto-preserved", "false"]);
import { isFailed } from "./machine_ranking.ts";
import { parseTime } from "../kernel/mod.ts";
import type { ObjectWrites } from "./object_writes.ts";

/** Machines to annotate `auto-preserved`, and auto-preserved machines to release. */
export interface AutoPreservationPlan {
  annotate: Machine[];
  release: Machine[];
}

function created(m: Machine): number {
  return parseTime(m.metadata.creationTimestamp) ?? 0;
}

/** The auto-preservation changes of one sync of `ms` owning `machines`. Pure. */
export function planAutoPreservation(ms: MachineSet, machines: readonly Machine[]): AutoPreservationPlan {
  const capacity = (ms.spec?.autoPreserveFailedMachineMax ?? 0) - (ms.status?.autoPreserveFailedMachineCount ?? 0);
  if (capacity === 0) return { annotate: [], release: [] };
  if (capacity < 0) {
    const auto = machines.filter((m) => m.metadata.annotations?.[ANNOTATION_PRESERVE] === PRESERVE_AUTO);
    return { annotate: [], release: [...auto].sort((a, b) => created(a) - created(b)).slice(0, -capacity) };
  }
  const candidates = machines.filter((m) =>
    isFailed(m) && !m.metadata.deletionTimestamp &&
    !PRESERVE_ANNOTATION_VALUES.has(m.metadata.annotations?.[ANNOTATION_PRESERVE] ?? "")
  );
  return { annotate: [...candidates].sort((a, b) => created(b) - created(a)).slice(0, capacity), release: [] };
}

/** Applies the plan; returns `machines` with the written versions. */
export async function applyAutoPreservation(
  deps: { machines: FreshView<Machine>; writes: ObjectWrites },
  ms: MachineSet,
  machines: Machine[],
  log: Logger,
): Promise<Machine[]> {
  const plan = planAutoPreservation(ms, machines);
  const changes = [
    ...plan.annotate.map((m) => [m, PRESERVE_AUTO] as const),
    ...plan.release.map((m) => [m, null] as const),
  ];
  if (changes.length === 0) return machines;
  const written = new Map<string, Machine>();
  for (const [m, value] of changes) {
    deps.writes.count(MachineV1alpha1.machines, "patch");
    deps.writes.stats.machinesUpdated++;
    try {
      const out = await deps.writes.client.patch<Machine>(
        MachineV1alpha1.machines,
        m.metadata.name!,
        { metadata: { annotations: { [ANNOTATION_PRESERVE]: value } } },
        "merge",
        { namespace: m.metadata.namespace, fieldManager: FIELD_MANAGER },
      );
      deps.machines.wrote(out);
      written.set(m.metadata.name!, out);
      log.info(value ? "Auto-preserving failed machine" : "Releasing auto-preserved machine (maximum lowered)", {
        machine: m.metadata.name,
      });
    } catch (e) {
      // As MCM: a failed annotation is logged and the other machines are still handled.
      if (!isNotFound(e)) log.info("Could not change auto-preservation", { machine: m.metadata.name, error: e });
    }
  }
  return machines.map((m) => written.get(m.metadata.name!) ?? m);
}
