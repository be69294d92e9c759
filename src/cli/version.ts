/** `provider-equinix-metal version`: prints the build's version. */
import { command } from "./parser.ts";
import { value } from "../runtime/flags.ts";
import { keepOnlyPermissions } from "../runtime/permissions.ts";
import { PRODUCT, VERSION } from "../runtime/version.ts";

/** The `version` command. */
export const versionCommand = command({
  name: "version",
  summary: "print the version of this build",
  flags: {
    output: value("<format>", "output format", { short: "o", choices: ["text", "json"] as const, default: "text" }),
  },
  run(opts) {
    keepOnlyPermissions([]);
    const info = { name: PRODUCT, version: VERSION, deno: Deno.version.deno, v8: Deno.version.v8 };
    console.log(opts.output === "json" ? JSON.stringify(info) : `${PRODUCT} ${VERSION} (deno ${Deno.version.deno})`);
  },
});
