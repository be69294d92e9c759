/** The list of subcommands; each lives in its own module under src/cli/. */
import type { Command } from "./parser.ts";
import { versionCommand } from "./version.ts";
import { cmiCommand } from "./cmi.ts";
import { apiserverCommand } from "./apiserver.ts";
import { playgroundCommand } from "./playground.ts";
import { metalSimulatorCommand } from "./metal_simulator.ts";
import { machineControllerCommand } from "./machine_controller.ts";
import { extensionCommand } from "./extension.ts";
import { admissionCommand } from "./admission.ts";

/** Every subcommand, in the order `--help` lists them. */
// deno-lint-ignore no-explicit-any -- commands have different flag sets
export const subcommands: readonly Command<any>[] = [
  versionCommand,
  cmiCommand,
  apiserverCommand,
  playgroundCommand,
  metalSimulatorCommand,
  machineControllerCommand,
  extensionCommand,
  admissionCommand,
];
