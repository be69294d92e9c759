/** The extension's image vector (`images.yaml`) and Gardener's `IMAGEVECTOR_OVERWRITE`. */
export {
  findImage,
  type ImageSource,
  type ImageVector,
  IMAGEVECTOR_OVERWRITE_ENV,
  loadImageVector,
  matchesTargetVersion,
  overwriteImageVector,
} from "./image_vector.ts";
export {
  DEFAULT_IMAGES,
  IMAGE_CLOUD_CONTROLLER_MANAGER,
  IMAGE_METALLB_CONTROLLER,
  IMAGE_METALLB_SPEAKER,
} from "./images.ts";
