/**
 * SIMULATION: the checks MCM's MachineDeployment and MachineSet controllers run before acting (MCM's
 * `validation/machinedeployment.go`, `machineset.go`, `machine.go`), as zod schemas plus the cross-field rules.
 * An invalid object is left alone (MCM logs and skips it); every problem names the field and the object.
 */
import { z } from "zod";
import type { MachineDeployment, MachineSet } from "../../apis/machine/v1alpha1.ts";
import { isEmptySelector, parseLabelSelectorObject } from "../../k8s/api/label_selector.ts";
import { resolveFenceposts } from "./rollout_limits.ts";

const intOrString = z.union([z.number(), z.string()]);

const templateSchema = z.looseObject({
  metadata: z.looseObject({
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    finalizers: z.array(z.string()).optional(),
  }).optional(),
  spec: z.looseObject({
    class: z.looseObject({ kind: z.string().optional(), name: z.string().optional() }).optional(),
  }).optional(),
});

const deploymentSpecSchema = z.looseObject({
  replicas: z.number().int().min(0, "Replicas has to be a whole number").optional(),
  selector: z.unknown().optional(),
  template: templateSchema,
  strategy: z.looseObject({
    type: z.string().optional(),
    rollingUpdate: z.looseObject({ maxSurge: intOrString.optional(), maxUnavailable: intOrString.optional() })
      .optional(),
  }).optional(),
  minReadySeconds: z.number().int().min(0).optional(),
  revisionHistoryLimit: z.number().int().min(0).optional(),
  paused: z.boolean().optional(),
  progressDeadlineSeconds: z.number().int().min(0).optional(),
});

const machineSetSpecSchema = z.looseObject({
  replicas: z.number().int().min(0, "Replicas has to be a whole number").optional(),
  selector: z.unknown().optional(),
  template: templateSchema,
  minReadySeconds: z.number().int().min(0).optional(),
});

/** The strategies MCM accepts; InPlaceUpdate is valid but not simulated. */
export const STRATEGY_TYPES = ["Recreate", "RollingUpdate", "InPlaceUpdate"] as const;

function zodProblems(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((i) => `${[prefix, ...i.path.map(String)].join(".")}: ${i.message}`);
}

function selectorProblems(
  selector: unknown,
  templateLabels: Record<string, string> | undefined,
  field: string,
): string[] {
  const parsed = parseLabelSelectorObject(selector);
  if ("error" in parsed) return [`${field}: ${parsed.error}`];
  const out: string[] = [];
  if (isEmptySelector(parsed.selector)) out.push(`${field}: must not be empty (it would select every machine)`);
  for (const [k, v] of Object.entries(parsed.selector.matchLabels ?? {})) {
    if (templateLabels?.[k] !== v) {
      out.push(`${field}.matchLabels: is not matching with spec.template.metadata.labels (key ${JSON.stringify(k)})`);
      break;
    }
  }
  return out;
}

function classProblems(cls: { kind?: string; name?: string } | undefined): string[] {
  const out: string[] = [];
  if (!cls?.kind) out.push("spec.template.spec.class.kind: Kind is required");
  if (!cls?.name) out.push("spec.template.spec.class.name: Name is required");
  return out;
}

/** Problems of a MachineDeployment (empty when the controller may act on it). */
export function machineDeploymentProblems(md: MachineDeployment): string[] {
  const parsed = deploymentSpecSchema.safeParse(md.spec ?? {});
  if (!parsed.success) return zodProblems(parsed.error, "spec");
  const spec = md.spec;
  const out = [
    ...selectorProblems(spec.selector, spec.template?.metadata?.labels, "spec.selector"),
    ...classProblems(spec.template?.spec?.class),
  ];
  const type = spec.strategy?.type;
  if (!type || !(STRATEGY_TYPES as readonly string[]).includes(type)) {
    out.push(`spec.strategy.type: Unsupported value ${JSON.stringify(type ?? "")}: must be one of ${STRATEGY_TYPES}`);
  } else if (type === "RollingUpdate") {
    const ru = spec.strategy?.rollingUpdate;
    if (!ru) {
      out.push("spec.strategy.rollingUpdate: RollingUpdate parameter cannot be nil for rolling update strategy");
    } else {
      try {
        resolveFenceposts(ru.maxSurge, ru.maxUnavailable, spec.replicas ?? 0);
      } catch (e) {
        out.push((e as Error).message);
      }
    }
  }
  return out;
}

/** Problems of a MachineSet (empty when the controller may act on it). */
export function machineSetProblems(ms: MachineSet): string[] {
  const parsed = machineSetSpecSchema.safeParse(ms.spec ?? {});
  if (!parsed.success) return zodProblems(parsed.error, "spec");
  return [
    ...selectorProblems(ms.spec?.selector, ms.spec?.template?.metadata?.labels, "spec.selector"),
    ...classProblems(ms.spec?.template?.spec?.class),
  ];
}

/** One error message naming the object and every problem. */
export function describeProblems(kind: string, key: string, problems: string[]): string {
  return `invalid ${kind} ${key}: ${problems.join("; ")}`;
}
