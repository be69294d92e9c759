/**
 * metav1.LabelSelector matching (matchLabels plus matchExpressions with In, NotIn, Exists, DoesNotExist), used by
 * webhook namespace/object selectors and PodDisruptionBudget selectors. An empty selector matches everything; a
 * missing one is decided by the caller (webhooks: everything, PDBs: nothing).
 */
import { z } from "zod";

const LabelSelectorSchema = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(z.object({
    key: z.string(),
    operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
    values: z.array(z.string()).optional(),
  })).optional(),
});

/** A parsed metav1.LabelSelector. */
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;

/** Parses a selector; an invalid one yields an error message (kube treats such selectors as matching nothing). */
export function parseLabelSelector(raw: unknown): { selector: LabelSelector } | { error: string } {
  const r = LabelSelectorSchema.safeParse(raw ?? {});
  if (r.success) {
    for (const e of r.data.matchExpressions ?? []) {
      const n = e.values?.length ?? 0;
      if ((e.operator === "In" || e.operator === "NotIn") && n === 0) {
        return { error: `values: Required value: must be specified when \`operator\` is '${e.operator}'` };
      }
      if ((e.operator === "Exists" || e.operator === "DoesNotExist") && n > 0) {
        return { error: `values: Forbidden: may not be specified when \`operator\` is '${e.operator}'` };
      }
    }
    return { selector: r.data };
  }
  return { error: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
}

/** True if the labels satisfy every requirement of the selector. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    switch (e.operator) {
      case "In":
        if (!has || !e.values?.includes(l[e.key])) return false;
        break;
      case "NotIn":
        if (has && e.values?.includes(l[e.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
    }
  }
  return true;
}

/** True if the selector has no requirement at all (it matches every label set). */
export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}
