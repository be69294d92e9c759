/**
 * Node drain (MCM `drain.go`). Normal mode evicts pods without persistent volumes in parallel and pods with
 * volumes one by one (highest priority first, in rounds: a refused one waits for the next round), waiting for each to
 * go away and for its volumes to detach and re-attach elsewhere; an eviction refused with 429 (PodDisruptionBudget) is
 * retried every 20 s, and after
 * `maxEvictRetries` the pod is deleted with grace 0. Force mode deletes every pod with grace 0 without waiting.
 * DaemonSet pods and mirror pods are left alone. The whole drain is bounded by its timeout.
 * All I/O goes through `DrainEnv`, so the algorithm runs against fakes in unit tests.
 */
import type { Pod, PodDisruptionBudget } from "../../../k8s/api/builtin_types.ts";
import { isNotFound, isTooManyRequests } from "../../../k8s/api/errors.ts";
import type { Clock } from "../../../runtime/clock.ts";
import type { Logger } from "../../../observability/log.ts";
import { POD_EVICTION_RETRY_INTERVAL_MS } from "./deletion_flow.ts";
import { formatDuration } from "../../../runtime/duration.ts";

/** Everything the drain needs from the outside world. */
export interface DrainEnv {
  clock: Clock;
  log: Logger;
  /** Pods bound to the node (from a cache is fine). */
  podsOnNode(nodeName: string): Pod[];
  /** Current state of a pod, undefined when gone. */
  getPod(namespace: string, name: string): Pod | undefined | Promise<Pod | undefined>;
  /** POST pods/eviction; throws TooManyRequestsError when a PDB refuses. */
  evictPod(pod: Pod, signal: AbortSignal): Promise<void>;
  deletePod(pod: Pod, gracePeriodSeconds: number, signal: AbortSignal): Promise<void>;
  /** PDBs in the pod's namespace whose selector matches the pod. */
  pdbsForPod(pod: Pod): PodDisruptionBudget[];
  /** Persistent volume names used by the pod (through its claims). */
  persistentVolumesOfPod(pod: Pod): string[];
  /** Provider volume IDs of the given PVs; undefined when the driver cannot tell (skip the volume waits). */
  volumeIDs(pvNames: string[]): Promise<string[] | undefined>;
  /** Names in `node.status.volumesAttached`. */
  attachedVolumeNames(nodeName: string): string[];
  /** True when a VolumeAttachment of this PV to another node is attached. */
  attachedElsewhere(pvName: string, nodeName: string): boolean;
}

export interface DrainOptions {
  nodeName: string;
  force: boolean;
  timeoutMs: number;
  maxEvictRetries: number;
  pvDetachTimeoutMs: number;
  pvReattachTimeoutMs: number;
}

/** Poll interval while waiting for pods and volumes (MCM: 5 s). */
export const DRAIN_POLL_MS = 5_000;
/** Extra time a pod without volumes gets beyond its grace period before the wait fails. */
export const POD_TERMINATION_SLACK_MS = 30_000;

const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

/** Pods the drain acts on: all pods of the node except mirror pods and DaemonSet pods. */
export function podsToDrain(pods: Pod[]): Pod[] {
  return pods.filter((p) => {
    if (p.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return false;
    const owner = p.metadata.ownerReferences?.find((o) => o.controller);
    return owner?.kind !== "DaemonSet";
  });
}

/** True when the pod mounts a PersistentVolumeClaim. */
export function hasPersistentVolume(pod: Pod): boolean {
  return (pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim !== undefined);
}

/** Highest priority first (pods without priority count as 0). */
export function sortByPriority(pods: Pod[]): Pod[] {
  return [...pods].sort((a, b) => (b.spec?.priority ?? 0) - (a.spec?.priority ?? 0));
}

/**
 * A PDB that can never allow a disruption (at least every expected pod healthy, none in the middle of an eviction,
 * still zero allowed) is misconfigured. A PDB with disrupted pods is only busy: its counters lag the eviction.
 */
export function isMisconfiguredPdb(pdb: PodDisruptionBudget): boolean {
  const s = pdb.status;
  if (!s) return false;
  if (pdb.metadata.generation !== undefined && s.observedGeneration !== pdb.metadata.generation) return false;
  const expected = s.expectedPods ?? 0;
  return expected > 0 && (s.currentHealthy ?? 0) >= expected && Object.keys(s.disruptedPods ?? {}).length === 0 &&
    (s.disruptionsAllowed ?? 0) === 0;
}

/** Removes volumes shared by several pods (their detach cannot be attributed to one pod). */
export function exclusiveVolumes(pvsByPod: Map<string, string[]>): Map<string, string[]> {
  const count = new Map<string, number>();
  for (const pvs of pvsByPod.values()) for (const pv of new Set(pvs)) count.set(pv, (count.get(pv) ?? 0) + 1);
  const out = new Map<string, string[]>();
  for (const [pod, pvs] of pvsByPod) out.set(pod, pvs.filter((pv) => count.get(pv) === 1));
  return out;
}

const podKey = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;

/** Raised when the drain did not finish; lists every pod that failed. */
export class DrainError extends Error {
  constructor(readonly failures: string[]) {
    super(failures.join("; "));
    this.name = "DrainError";
  }
}

/** Drains the node; resolves when every pod is handled, throws DrainError otherwise. */
export async function runDrain(env: DrainEnv, opts: DrainOptions, parentSignal: AbortSignal): Promise<void> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parentSignal.reason);
  parentSignal.addEventListener("abort", onAbort, { once: true });
  const timer = env.clock.setTimeout(
    () => controller.abort(new DrainError([`Drain did not complete within ${formatDuration(opts.timeoutMs)}`])),
    opts.timeoutMs,
  );
  const signal = controller.signal;
  try {
    const pods = podsToDrain(env.podsOnNode(opts.nodeName));
    if (pods.length === 0) return;
    const failures: string[] = [];
    const record = (p: Promise<void>, pod: Pod) =>
      p.catch((e) => {
        failures.push(`${podKey(pod)}: ${e instanceof Error ? e.message : String(e)}`);
      });
    if (opts.force) {
      await Promise.all(pods.map((pod) => record(deleteIgnoringAbsent(env, pod, 0, signal), pod)));
    } else {
      const withPv = sortByPriority(pods.filter(hasPersistentVolume));
      const withoutPv = pods.filter((p) => !hasPersistentVolume(p));
      const parallel = Promise.all(withoutPv.map((pod) => record(evictAndWait(env, opts, pod, signal), pod)));
      // Pods with volumes go one at a time, in rounds as in MCM: a pod whose eviction a PodDisruptionBudget refuses
      // waits for the next round (20 s later) and does not hold up the pods behind it.
      const serial = (async () => {
        const pvsByPod = exclusiveVolumes(new Map(withPv.map((p) => [podKey(p), env.persistentVolumesOfPod(p)])));
        let pending = withPv;
        for (let attempt = 0; pending.length > 0 && !signal.aborted; attempt++) {
          const refused: Pod[] = [];
          for (const pod of pending) {
            if (signal.aborted) break;
            const pvs = pvsByPod.get(podKey(pod)) ?? [];
            await record(
              evictWithVolumes(env, opts, pod, pvs, attempt, signal).then((r) => {
                if (r === "refused") refused.push(pod);
              }),
              pod,
            );
          }
          pending = refused;
          if (pending.length > 0) await env.clock.sleep(POD_EVICTION_RETRY_INTERVAL_MS, signal).catch(() => {});
        }
      })();
      await Promise.all([parallel, serial]);
    }
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new DrainError([String(signal.reason)]);
    if (failures.length) throw new DrainError(failures);
  } finally {
    env.clock.clearTimeout(timer);
    parentSignal.removeEventListener("abort", onAbort);
  }
}

async function deleteIgnoringAbsent(env: DrainEnv, pod: Pod, grace: number, signal: AbortSignal): Promise<void> {
  try {
    await env.deletePod(pod, grace, signal);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/**
 * One eviction attempt (the `attempt`-th, from 0): "done" when the pod was evicted or is gone, or was deleted with
 * grace 0 because this was the last attempt maxEvictRetries allows; "refused" when a PodDisruptionBudget said no.
 */
async function evictOnce(
  env: DrainEnv,
  opts: DrainOptions,
  pod: Pod,
  attempt: number,
  signal: AbortSignal,
): Promise<"done" | "refused"> {
  if (signal.aborted) throw signal.reason;
  try {
    await env.evictPod(pod, signal);
    return "done";
  } catch (e) {
    if (isNotFound(e)) return "done";
    if (!isTooManyRequests(e)) throw e;
    const misconfigured = env.pdbsForPod(pod).find(isMisconfiguredPdb);
    if (misconfigured) {
      throw new Error(
        `eviction refused: PodDisruptionBudget ${misconfigured.metadata.namespace}/${misconfigured.metadata.name} is misconfigured and allows no disruption`,
      );
    }
    if (attempt + 1 >= opts.maxEvictRetries) {
      env.log.info("Eviction retries exhausted, deleting pod", { pod: podKey(pod), retries: attempt + 1 });
      await deleteIgnoringAbsent(env, pod, 0, signal);
      return "done";
    }
    env.log.debug("Eviction refused by a PodDisruptionBudget, retrying", { pod: podKey(pod), attempt });
    return "refused";
  }
}

/** Evicts one pod, retrying 429s every 20 s; after maxEvictRetries the pod is deleted with grace 0. */
async function evict(env: DrainEnv, opts: DrainOptions, pod: Pod, signal: AbortSignal): Promise<void> {
  for (let attempt = 0;; attempt++) {
    if (await evictOnce(env, opts, pod, attempt, signal) === "done") return;
    await env.clock.sleep(POD_EVICTION_RETRY_INTERVAL_MS, signal);
  }
}

/** Waits until the pod is gone or replaced by a new pod of the same name. */
async function waitForPodGone(env: DrainEnv, pod: Pod, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = env.clock.now() + timeoutMs;
  for (;;) {
    const current = await env.getPod(pod.metadata.namespace ?? "", pod.metadata.name ?? "");
    if (!current || current.metadata.uid !== pod.metadata.uid) return;
    if (env.clock.now() >= deadline) {
      throw new Error(`pod did not terminate within ${formatDuration(timeoutMs)}`);
    }
    await env.clock.sleep(DRAIN_POLL_MS, signal);
  }
}

function graceMs(pod: Pod): number {
  return (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
}

async function evictAndWait(env: DrainEnv, opts: DrainOptions, pod: Pod, signal: AbortSignal): Promise<void> {
  await evict(env, opts, pod, signal);
  await waitForPodGone(env, pod, Math.min(graceMs(pod), opts.timeoutMs) + POD_TERMINATION_SLACK_MS, signal);
}

/** One eviction attempt of a pod with volumes; once evicted, waits for it to go and its volumes to move. */
async function evictWithVolumes(
  env: DrainEnv,
  opts: DrainOptions,
  pod: Pod,
  pvNames: string[],
  attempt: number,
  signal: AbortSignal,
): Promise<"done" | "refused"> {
  const ids = pvNames.length ? await env.volumeIDs(pvNames) : [];
  if (await evictOnce(env, opts, pod, attempt, signal) === "refused") return "refused";
  await waitForPodGone(env, pod, Math.min(graceMs(pod), opts.timeoutMs) + POD_TERMINATION_SLACK_MS, signal);
  if (!ids || ids.length === 0) return "done";
  const detachDeadline = env.clock.now() + graceMs(pod) + opts.pvDetachTimeoutMs;
  for (;;) {
    const attached = env.attachedVolumeNames(opts.nodeName);
    if (!ids.some((id) => attached.some((a) => a.includes(id)))) break;
    if (env.clock.now() >= detachDeadline) {
      throw new Error(`volumes ${ids.join(", ")} did not detach from node ${opts.nodeName}`);
    }
    await env.clock.sleep(DRAIN_POLL_MS, signal);
  }
  const reattachDeadline = env.clock.now() + opts.pvReattachTimeoutMs;
  while (!pvNames.every((pv) => env.attachedElsewhere(pv, opts.nodeName))) {
    if (env.clock.now() >= reattachDeadline) {
      // Not fatal (as in MCM): the pod may not have been rescheduled yet.
      env.log.info("Volumes not re-attached elsewhere in time, continuing", { pod: podKey(pod) });
      return "done";
    }
    await env.clock.sleep(DRAIN_POLL_MS, signal);
  }
  return "done";
}
