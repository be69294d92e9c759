/**
 * The Eviction subresource's decision, honouring PodDisruptionBudgets (minAvailable / maxUnavailable as int or
 * percent, healthy = Ready pods matched by selector), as kube-apiserver's `pkg/registry/core/pod/storage/eviction.go`
 * decides with the status the disruption controller computes. The fake server has no disruption controller, so the
 * budget is computed here from the pods of the namespace; "expected pods" are the pods the selector matches (kube
 * asks the owning controllers for their scale, which the matched pods stand in for).
 */
import type { KubeObject } from "../../k8s/api/objects.ts";
import { parseLabelSelectorObject, selectorMatches } from "../../k8s/api/label_selector.ts";

/** kube's message for an eviction a budget does not allow (answered with 429 TooManyRequests). */
export const EVICTION_REFUSED_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";
/** kube's message when several budgets select the pod (answered with 500). */
export const MULTIPLE_PDBS_MESSAGE =
  "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.";

export type EvictionDecision =
  /** Allowed; `pdb` names the budget that was consulted (the server may record the disruption in its status). */
  | { allowed: true; pdb?: string }
  /**
   * Refused: the server answers `code` (default 429 TooManyRequests) with this message, as kube-apiserver does;
   * `causes` go into the Status details (type `DisruptionBudget`).
   */
  | {
    allowed: false;
    message: string;
    code?: number;
    pdb?: string;
    causes?: Array<{ type: string; message: string }>;
  };

/** The numbers the disruption controller would put into a budget's status. */
export interface BudgetStatus {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
  /** Set when the spec cannot be evaluated (for example a percentage without `%`). */
  error?: string;
}

interface PodView {
  name?: string;
  labels?: Record<string, string>;
  phase?: string;
  deleting: boolean;
  ready: boolean;
}

function viewPod(pod: KubeObject): PodView {
  const status = (pod as { status?: { phase?: unknown; conditions?: unknown } }).status;
  const conditions = Array.isArray(status?.conditions) ? status.conditions as Array<Record<string, unknown>> : [];
  return {
    name: pod.metadata?.name,
    labels: pod.metadata?.labels,
    phase: typeof status?.phase === "string" ? status.phase : undefined,
    deleting: !!pod.metadata?.deletionTimestamp,
    ready: conditions.some((c) => c?.type === "Ready" && c?.status === "True"),
  };
}

/** Healthy as the disruption controller counts it: running, Ready, not being deleted, not already disrupted. */
function isHealthy(p: PodView, disrupted: Set<string>): boolean {
  return p.phase === "Running" && p.ready && !p.deleting && !disrupted.has(p.name ?? "");
}

function isTerminal(p: PodView): boolean {
  return p.phase === "Succeeded" || p.phase === "Failed";
}

/** intstr.GetScaledValueFromIntOrPercent with rounding up. */
function scaled(v: unknown, total: number, field: string): number | string {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string") {
    const m = /^([0-9]+)%$/.exec(v);
    if (m) return Math.ceil((Number(m[1]) * total) / 100);
    return `${field}: invalid value for IntOrString: invalid type: string is not a percentage`;
  }
  return `${field}: invalid value for IntOrString: ${JSON.stringify(v)}`;
}

function specOf(pdb: KubeObject): Record<string, unknown> {
  const spec = (pdb as { spec?: unknown }).spec;
  return typeof spec === "object" && spec !== null ? spec as Record<string, unknown> : {};
}

function selectedPods(pdb: KubeObject, pods: PodView[]): PodView[] {
  const parsed = parseLabelSelectorObject(specOf(pdb).selector);
  // A missing selector selects nothing (metav1.LabelSelectorAsSelector(nil) is labels.Nothing()).
  if (specOf(pdb).selector === undefined || specOf(pdb).selector === null || "error" in parsed) return [];
  return pods.filter((p) => selectorMatches(parsed.selector, p.labels));
}

/** Computes a budget's status from the pods of its namespace (pure; what the disruption controller would write). */
export function computeBudgetStatus(pdb: KubeObject, podsInNamespace: KubeObject[]): BudgetStatus {
  const pods = selectedPods(pdb, podsInNamespace.map(viewPod));
  const status = (pdb as { status?: { disruptedPods?: Record<string, unknown> } }).status;
  const disrupted = new Set(Object.keys(status?.disruptedPods ?? {}));
  const currentHealthy = pods.filter((p) => isHealthy(p, disrupted)).length;
  const spec = specOf(pdb);
  let expectedPods = 0;
  let desired: number | string = 0;
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    expectedPods = pods.filter((p) => !isTerminal(p)).length;
    const maxUnavailable = scaled(spec.maxUnavailable, expectedPods, "spec.maxUnavailable");
    desired = typeof maxUnavailable === "string" ? maxUnavailable : Math.max(0, expectedPods - maxUnavailable);
  } else if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === "number") {
      expectedPods = pods.length;
      desired = spec.minAvailable;
    } else {
      expectedPods = pods.filter((p) => !isTerminal(p)).length;
      desired = scaled(spec.minAvailable, expectedPods, "spec.minAvailable");
    }
  }
  if (typeof desired === "string") {
    return { expectedPods, currentHealthy, desiredHealthy: 0, disruptionsAllowed: 0, error: desired };
  }
  const allowed = currentHealthy - desired;
  return {
    expectedPods,
    currentHealthy,
    desiredHealthy: desired,
    disruptionsAllowed: expectedPods <= 0 || allowed <= 0 ? 0 : allowed,
  };
}

function budgetMatchesPod(pdb: KubeObject, pod: KubeObject, view: PodView): boolean {
  if (pdb.metadata?.namespace && pod.metadata?.namespace && pdb.metadata.namespace !== pod.metadata.namespace) {
    return false;
  }
  return selectedPods(pdb, [view]).length === 1;
}

/** Decides whether `pod` may be evicted given the PDBs and pods of its namespace. */
export function decideEviction(pod: KubeObject, pdbs: KubeObject[], podsInNamespace: KubeObject[]): EvictionDecision {
  const view = viewPod(pod);
  // Pods that are not running (yet or any more), or already going away, disrupt nothing: no budget applies.
  if (view.phase === "Succeeded" || view.phase === "Failed" || view.phase === "Pending" || view.deleting) {
    return { allowed: true };
  }
  const matching = pdbs.filter((pdb) => budgetMatchesPod(pdb, pod, view));
  if (matching.length > 1) return { allowed: false, code: 500, message: MULTIPLE_PDBS_MESSAGE };
  if (matching.length === 0) return { allowed: true };

  const pdb = matching[0];
  const name = pdb.metadata?.name ?? "";
  const pods = podsInNamespace.some((p) => p.metadata?.name === view.name)
    ? podsInNamespace
    : [...podsInNamespace, pod];
  const budget = computeBudgetStatus(pdb, pods);
  if (!view.ready) {
    // An unready pod does not count as healthy; deleting it disrupts nothing the budget protects.
    if (specOf(pdb).unhealthyPodEvictionPolicy === "AlwaysAllow") return { allowed: true, pdb: name };
    if (budget.currentHealthy >= budget.desiredHealthy && budget.desiredHealthy > 0) {
      return { allowed: true, pdb: name };
    }
  }
  if (budget.disruptionsAllowed <= 0) {
    const cause = budget.error
      ? `The disruption budget ${name} cannot be evaluated: ${budget.error}`
      : `The disruption budget ${name} needs ${budget.desiredHealthy} healthy pods and has ${budget.currentHealthy} currently`;
    return {
      allowed: false,
      code: 429,
      pdb: name,
      message: EVICTION_REFUSED_MESSAGE,
      causes: [{ type: "DisruptionBudget", message: cause }],
    };
  }
  return { allowed: true, pdb: name };
}
