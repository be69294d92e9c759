/** The names of the images in the image vector (`images.yaml`) that controllers look up. */

/** The Equinix Metal cloud-controller-manager (seed, shoot namespace). */
export const IMAGE_CLOUD_CONTROLLER_MANAGER = "cloud-controller-manager";
/** The MetalLB controller (shoot, kube-system). */
export const IMAGE_METALLB_CONTROLLER = "metallb-controller";
/** The MetalLB speaker (shoot, kube-system). */
export const IMAGE_METALLB_SPEAKER = "metallb-speaker";
