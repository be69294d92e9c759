/**
 * `provider-equinix-metal admission`: the garden-side admission for `equinixmetal` (Gardener's
 * `gardener-extension-admission-<provider>`): validates Shoots, CloudProfiles, NamespacedCloudProfiles, bindings,
 * their Secrets and WorkloadIdentities, and registers its ValidatingWebhookConfiguration in the garden. The flags are
 * declared in `src/admission/options.ts`; the component runs from `src/admission/app.ts`, loaded only when this
 * command runs.
 */
import { getLogger } from "../observability/log.ts";
import { keepOnlyPermissions, revokePermission } from "../runtime/permissions.ts";
import { shutdownSignal } from "../runtime/shutdown.ts";
import { ADMISSION_FLAGS, resolveAdmissionOptions } from "../admission/options.ts";
import { command } from "./parser.ts";

/** The `admission` command. */
export const admissionCommand = command({
  name: "admission",
  summary: "validate equinixmetal Shoots, CloudProfiles and credentials in the garden (validating webhooks)",
  flags: ADMISSION_FLAGS,
  async run(values) {
    // Reads kubeconfig and certificates, serves and calls the garden (managed certificates live there); writes no
    // files. `run` stays only for a
    // kubeconfig exec plugin and is dropped once the connection is known not to need one.
    keepOnlyPermissions(["read", "net", "env", "sys", "run"]);
    const options = resolveAdmissionOptions(values);
    const log = getLogger("admission");
    const signal = shutdownSignal(log);
    const { runAdmission, readCertDir } = await import("../admission/app.ts");
    const { loadConnection } = await import("../k8s/client/kubeconfig.ts");
    const tls = options.certDir ? await readCertDir(options.certDir) : undefined;
    const connection = await loadConnection({ path: options.kubeconfig, flag: "--kubeconfig" });
    if (!connection.execPlugin) revokePermission("run");
    const reason = await runAdmission({ options, connection, tls, log }, signal);
    if (reason === "leadership-lost") {
      log.error("Leader election lost; exiting");
      Deno.exitCode = 1;
    }
  },
});
