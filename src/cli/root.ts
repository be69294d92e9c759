/** The root of the command line: global logging flags and the registered subcommands. */
import { LOG_FORMATS, LOG_LEVELS } from "../observability/log.ts";
import { PRODUCT } from "../runtime/version.ts";
import { subcommands } from "./commands.ts";
import type { Program } from "./parser.ts";
import { value } from "../runtime/flags.ts";

const globals = {
  logLevel: value("<level>", "log level", { choices: LOG_LEVELS, default: "info" }),
  logFormat: value("<format>", "log format", { choices: LOG_FORMATS, default: "json" }),
};

/** The program: `runCommandLine(cli, Deno.args)` runs it. */
export const cli: Program<typeof globals> = {
  name: PRODUCT,
  summary: "Gardener provider extension and machine-controller-manager provider for Equinix Metal, in one binary.",
  globals,
  commands: subcommands,
};
