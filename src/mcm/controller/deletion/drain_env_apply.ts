/** The drain's view of the target cluster: pods and PDBs from the caches, evictions and deletions via the client. */
import type { KubeClient } from "../../../k8s/client/client.ts";
import { CoreV1 } from "../../../k8s/api/resources.ts";
import type { KubeObject } from "../../../k8s/api/objects.ts";
import { parseLabelSelectorObject, selectorMatches } from "../../../k8s/api/label_selector.ts";
import type { Clock } from "../../../runtime/clock.ts";
import type { Logger } from "../../../observability/log.ts";
import type { DrainEnv } from "./drain_apply.ts";
import type { Pod, PodDisruptionBudget } from "../../../k8s/api/builtin_types.ts";
import { INDEX_POD_BY_NODE, INDEX_VA_BY_NODE, type TargetCaches } from "../context.ts";
import type { Driver } from "../../driver/driver.ts";

/** True when the PDB selects the pod (policy/v1: a missing selector selects nothing, an empty one every pod). */
export function pdbMatches(pdb: PodDisruptionBudget, pod: Pod): boolean {
  const raw = (pdb.spec as { selector?: unknown } | undefined)?.selector;
  if (!raw) return false;
  const parsed = parseLabelSelectorObject(raw);
  return "selector" in parsed && selectorMatches(parsed.selector, pod.metadata.labels);
}

/** Builds the drain environment for one node. */
export function drainEnv(opts: {
  target: KubeClient;
  caches: TargetCaches;
  driver: Driver;
  clock: Clock;
  log: Logger;
}): DrainEnv {
  const { target, caches, clock, log } = opts;
  return {
    clock,
    log,
    podsOnNode: (nodeName) => caches.pods.byIndex(INDEX_POD_BY_NODE, nodeName),
    getPod: (namespace, name) => caches.pods.get({ namespace, name }),
    evictPod: (pod, signal) => target.evict(pod.metadata.namespace!, pod.metadata.name!, { signal }),
    deletePod: async (pod, grace, signal) => {
      await target.delete(CoreV1.pods, pod.metadata.name!, {
        namespace: pod.metadata.namespace,
        gracePeriodSeconds: grace,
        signal,
      });
    },
    pdbsForPod: (pod) => caches.pdbs.list(pod.metadata.namespace).filter((p) => pdbMatches(p, pod)),
    persistentVolumesOfPod: (pod) => {
      const out: string[] = [];
      for (const v of pod.spec?.volumes ?? []) {
        const claim = v.persistentVolumeClaim?.claimName;
        if (!claim) continue;
        const pvc = caches.pvcs.get({ namespace: pod.metadata.namespace, name: claim });
        if (pvc?.spec?.volumeName) out.push(pvc.spec.volumeName);
      }
      return out;
    },
    volumeIDs: async (pvNames) => {
      const specs = pvNames.map((n) => (caches.pvs.get(n) as (KubeObject & { spec?: unknown }) | undefined)?.spec)
        .filter((s) => s !== undefined);
      try {
        return (await opts.driver.getVolumeIDs({ pvSpecs: specs })).volumeIDs;
      } catch (e) {
        // MCM: a driver that cannot tell volume ids makes the drain skip the volume waits for that pod.
        log.debug("Driver returned no volume ids; skipping volume waits", { error: e });
        return undefined;
      }
    },
    attachedVolumeNames: (nodeName) =>
      (caches.nodes.get(nodeName)?.status?.volumesAttached ?? []).map((v) => String(v.name)),
    attachedElsewhere: (pvName, nodeName) =>
      caches.volumeAttachments.list().some((va) =>
        va.spec?.source?.persistentVolumeName === pvName && va.spec.nodeName !== nodeName && va.status?.attached ===
          true
      ),
  };
}

/** Live VolumeAttachments of a node. */
export function liveVolumeAttachments(caches: TargetCaches, nodeName: string) {
  return caches.volumeAttachments.byIndex(INDEX_VA_BY_NODE, nodeName).filter((va) => !va.metadata.deletionTimestamp);
}
