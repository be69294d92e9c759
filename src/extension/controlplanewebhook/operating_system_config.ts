/**
 * The OperatingSystemConfig (`extensions.gardener.cloud/v1alpha1`) of each worker pool, as gardenlet writes it for the
 * OS extension. For `purpose: reconcile` (what gardener-node-agent applies on the node):
 * - `kubelet.service`: `--cloud-provider=external` in its `ExecStart`, so that kubelet registers the node with the
 *   `node.cloudprovider.kubernetes.io/uninitialized` taint and leaves provider ID, addresses and zone labels to the
 *   Equinix Metal cloud-controller-manager. Current gardenlet passes kubelet's flags on that command line (the
 *   KubeletConfiguration file has no field for it);
 * - the BGP peer routes (`bgp_peer_route.ts`) that LoadBalancer services need.
 * The KubeletConfiguration file is left as gardenlet renders it, and `purpose: provision` is left alone (see
 * docs/decisions.md). Pure.
 */
import type { KubeObject } from "../../k8s/api/objects.ts";
import { type OscFile, type OscUnit, withBgpPeerRoutes } from "./bgp_peer_route.ts";
import { withFlag } from "./flags.ts";
import { editExecStart } from "./systemd_unit.ts";

export const KUBELET_UNIT_NAME = "kubelet.service";

/** An OperatingSystemConfig as far as we touch it. */
export interface OperatingSystemConfig extends KubeObject {
  spec?: { purpose?: string; units?: OscUnit[]; files?: OscFile[]; [field: string]: unknown };
}

/** The unit text with `--cloud-provider=external` on kubelet's command line (before `$KUBELET_EXTRA_ARGS`). Pure. */
export function kubeletUnitWithExternalCloudProvider(content: string): string {
  return editExecStart(content, (words) => [words[0], ...withFlag(words.slice(1), "cloud-provider", "external")]);
}

/** The OSC as our nodes need it; an OSC of another purpose comes back unchanged (as a copy). Pure. */
export function ensureOperatingSystemConfig(osc: OperatingSystemConfig): OperatingSystemConfig {
  const out = structuredClone(osc);
  if (out.spec?.purpose !== "reconcile") return out;
  const spec = out.spec;
  for (const unit of spec.units ?? []) {
    if (unit.name === KUBELET_UNIT_NAME && unit.content !== undefined) {
      unit.content = kubeletUnitWithExternalCloudProvider(unit.content);
    }
  }
  const { files, units } = withBgpPeerRoutes(spec.files, spec.units);
  spec.files = files;
  spec.units = units;
  return out;
}
