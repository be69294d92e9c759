/** The ControlPlane controller of provider equinixmetal: Gardener's generic ControlPlane actuator with our renderers. */
export { add, type ControlPlaneAddOptions } from "./add.ts";
export {
  type ControlPlaneController,
  type ControlPlaneControllerOptions,
  newControlPlaneController,
} from "./controller.ts";
export { CCM_NAME, CCM_SELECTOR, ccmSeedObjects, CLOUDPROVIDER_SECRET } from "./ccm_seed.ts";
export { CCM_SHOOT_ROLE, ccmShootRbac } from "./ccm_shoot_rbac.ts";
export { METALLB_CONFIG_MAP, metallbObjects } from "./metallb.ts";
export { equinixControlPlaneDelegate } from "./delegate.ts";
