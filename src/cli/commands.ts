/** The list of subcommands; each lives in its own module under src/cli/. */
import type { Command } from "@commander-js/extra-typings";
import { versionCommand } from "./version.ts";
import { cmiCommand } from "./cmi.ts";
import { apiserverCommand } from "./apiserver.ts";
import { playgroundCommand } from "./playground.ts";
import { metalSimulatorCommand } from "./metal_simulator.ts";
import { machineControllerCommand } from "./machine_controller.ts";
import { extensionCommand } from "./extension.ts";

// deno-lint-ignore no-explicit-any -- commands have different option types; commander only needs the instance
type AnyCommand = Command<any, any, any>;

/** Factories of every subcommand, in the order `--help` lists them. */
export const subcommands: Array<() => AnyCommand> = [
  versionCommand,
  cmiCommand,
  apiserverCommand,
  playgroundCommand,
  metalSimulatorCommand,
  machineControllerCommand,
  extensionCommand,
];
