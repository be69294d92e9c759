/** The root command: global logging options and the registered subcommands. */
import { Command, Option } from "@commander-js/extra-typings";
import { configureLogging, LOG_FORMATS, LOG_LEVELS } from "../observability/log.ts";
import { PRODUCT } from "../runtime/version.ts";
import { subcommands } from "./commands.ts";
import { quietCommander } from "./errors.ts";

/**
 * Builds the CLI; `runCommandLine(buildCli(), Deno.args)` runs it. Commander prints no errors and never exits by
 * itself: its errors are thrown (see `errors.ts`), help goes to stdout.
 */
export function buildCli() {
  const program = new Command(PRODUCT)
    .description(
      "Gardener provider extension and machine-controller-manager provider for Equinix Metal, in one binary.",
    )
    .addOption(new Option("--log-level <level>", "log level").choices(LOG_LEVELS).default("info" as const))
    .addOption(new Option("--log-format <format>", "log format").choices(LOG_FORMATS).default("json" as const))
    .hook("preAction", (root) => {
      const { logLevel, logFormat } = root.opts();
      configureLogging({ level: logLevel, format: logFormat });
    });
  for (const make of subcommands) program.addCommand(make());
  quietCommander(program);
  return program;
}
