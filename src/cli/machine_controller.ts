/**
 * `provider-equinix-metal machine-controller`: the sidecar gardenlet adds to machine-controller-manager. It manages
 * the Machines of `--namespace` in the control cluster exactly as MCM's machine controller does and creates their
 * devices through the Equinix Metal driver; Nodes join the target cluster. Flags, defaults and their validation are
 * MCM's (HEAD `options.go`), declared in `src/mcm/options.ts`; durations use Go syntax. The controller itself
 * (`src/mcm/app.ts`) is loaded only when this command runs.
 */
import { MCM_FLAGS, resolveMcmOptions } from "../mcm/options.ts";
import { keepOnlyPermissions } from "../runtime/permissions.ts";
import { command, unparsed, UsageError } from "./parser.ts";

/** The `machine-controller` command. */
export const machineControllerCommand = command({
  name: "machine-controller",
  summary: "run the MCM machine controller with the Equinix Metal driver (machine-controller-manager sidecar)",
  flags: unparsed(MCM_FLAGS),
  async run(raw) {
    // No files written, no programs run (run comes back only for a kubeconfig exec plugin: see runMachineController).
    keepOnlyPermissions(["read", "net", "env", "sys", "run"]);
    const { options, errors } = resolveMcmOptions(raw);
    if (!options) throw new UsageError(`invalid flags: ${errors.join("; ")}`, "machine-controller");
    const { runMachineController } = await import("../mcm/app.ts");
    await runMachineController(options);
  },
});
