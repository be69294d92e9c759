/** The Equinix Metal half of the generic ControlPlane actuator: the CCM in the seed, its RBAC and MetalLB in the shoot. */
import type { ControlPlaneDelegate } from "../genericcontrolplane/mod.ts";
import type { ImageVector } from "../imagevector/mod.ts";
import { CCM_NAME, ccmSeedObjects, CLOUDPROVIDER_SECRET } from "./ccm_seed.ts";
import { ccmShootRbac } from "./ccm_shoot_rbac.ts";
import { metallbObjects } from "./metallb.ts";

/** The Equinix Metal renderers, with images from `images`. No storage classes: see docs/decisions.md. */
export function equinixControlPlaneDelegate(images: ImageVector): ControlPlaneDelegate {
  return {
    shootAccessComponents: [CCM_NAME],
    checksumSecrets: [CLOUDPROVIDER_SECRET],
    seedObjects: (values) => ccmSeedObjects(values, images),
    shootObjects: (_values) => [
      ...ccmShootRbac(),
      ...metallbObjects(images),
    ],
  };
}
