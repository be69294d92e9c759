/** The extension's image vector (`images.yaml`) and Gardener's `IMAGEVECTOR_OVERWRITE`. */
export {
  defaultImageVector,
  findImage,
  imageReference,
  type ImageSource,
  type ImageVector,
  IMAGEVECTOR_OVERWRITE_ENV,
  ImageVectorError,
  loadImageVector,
  overwriteImageVector,
  parseImageVector,
} from "./imagevector.ts";
export { IMAGE_CLOUD_CONTROLLER_MANAGER, IMAGE_METALLB_CONTROLLER, IMAGE_METALLB_SPEAKER } from "./images.ts";
