/** `provider-equinix-metal version`: prints the build's version. */
import { Command, Option } from "@commander-js/extra-typings";
import { PRODUCT, VERSION } from "../runtime/version.ts";

/** Builds the `version` subcommand. */
export function versionCommand() {
  return new Command("version")
    .description("print the version of this build")
    .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json"] as const).default("text"))
    .action((opts) => {
      const info = { name: PRODUCT, version: VERSION, deno: Deno.version.deno, v8: Deno.version.v8 };
      console.log(opts.output === "json" ? JSON.stringify(info) : `${PRODUCT} ${VERSION} (deno ${Deno.version.deno})`);
    });
}
