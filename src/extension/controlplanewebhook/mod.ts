/** The Equinix Metal control-plane and seed-provider webhooks: the list to register and the pure mutations. */
export {
  type EquinixMetalWebhookOptions,
  equinixMetalWebhooks,
  EXTENSION_TYPE,
  mutateControlPlaneObject,
  MUTATED_BY_CONTROLPLANE_WEBHOOK_LABEL,
  mutateSeedProviderObject,
} from "./webhooks.ts";
export {
  GENERIC_KUBECONFIG_DIR,
  MCM_DEPLOYMENT_NAME,
  MCM_VPA_NAME,
  providerSidecarContainer,
  SIDECAR_COMMAND,
  SIDECAR_CONTAINER_NAME,
  SIDECAR_PORT,
} from "./mcm_sidecar.ts";
