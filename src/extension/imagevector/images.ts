/**
 * The extension's image vector: the images it deploys, in the shape of Gardener's `images.yaml` (name, source
 * repository, repository, tag, optional target Kubernetes version). One list for every controller and webhook of the
 * extension; operators overwrite entries as with Gardener's `IMAGEVECTOR_OVERWRITE` (image_vector.ts).
 */
import type { ImageSource } from "./image_vector.ts";

/** Name of the Equinix Metal cloud-controller-manager image (seed, shoot namespace). */
export const IMAGE_CLOUD_CONTROLLER_MANAGER = "cloud-controller-manager";
/** Name of the MetalLB controller image (shoot, kube-system). */
export const IMAGE_METALLB_CONTROLLER = "metallb-controller";
/** Name of the MetalLB speaker image (shoot, kube-system). */
export const IMAGE_METALLB_SPEAKER = "metallb-speaker";

/** The default image vector (`images.yaml`). */
export const DEFAULT_IMAGES: readonly ImageSource[] = [
  {
    name: IMAGE_CLOUD_CONTROLLER_MANAGER,
    sourceRepository: "github.com/kubernetes-sigs/cloud-provider-equinix-metal",
    repository: "europe-docker.pkg.dev/gardener-project/releases/3rd/equinix/cloud-provider-equinix-metal",
    tag: "v3.6.2",
  },
  {
    name: IMAGE_METALLB_CONTROLLER,
    sourceRepository: "github.com/metallb/metallb",
    repository: "quay.io/metallb/controller",
    tag: "v0.12.1",
  },
  {
    name: IMAGE_METALLB_SPEAKER,
    sourceRepository: "github.com/metallb/metallb",
    repository: "quay.io/metallb/speaker",
    tag: "v0.12.1",
  },
];
