/**
 * `kube-controller-manager` with `--cloud-provider=external`: the Equinix Metal cloud-controller-manager (deployed by
 * the ControlPlane) initialises nodes and runs the service controller, so kube-controller-manager must not. gardenlet
 * renders the flags into the container's `command` (after the binary); where a future gardenlet moves them to `args`,
 * the flag follows. An existing `--cloud-provider` is replaced, in either list. Pure.
 */
import type { Deployment } from "kubernetes-types/apps/v1.d.ts";
import type { KubeObject } from "../../k8s/api/objects.ts";
import { hasFlags, withFlag, withoutFlag } from "./flags.ts";

/** gardenlet's Deployment and container name. */
export const KCM_NAME = "kube-controller-manager";

/** The Deployment with `--cloud-provider=external` exactly once in the container's flags. Pure. */
export function ensureExternalCloudProvider(deployment: Deployment & KubeObject): Deployment & KubeObject {
  const out = structuredClone(deployment);
  const container = out.spec?.template?.spec?.containers?.find((c) => c.name === KCM_NAME);
  if (!container) return out;
  const inArgs = hasFlags(container.args) || !hasFlags(container.command?.slice(1));
  if (inArgs) {
    container.args = withFlag(container.args ?? [], "cloud-provider", "external");
    if (container.command) container.command = withoutFlag(container.command, "cloud-provider");
  } else {
    container.command = withFlag(container.command ?? [], "cloud-provider", "external");
    if (container.args) container.args = withoutFlag(container.args, "cloud-provider");
  }
  return out;
}
