/**
 * One way to wire a controller kind into the extension, the shape of Gardener's `<kind>.Add(mgr, AddArgs)`: every
 * kind folder exports `add(manager, args)`, where `args` holds what the extension shares (seed client, event
 * recorder, extension classes, clock, logger) and the kind's own `options`. The extension's start-up is then a loop
 * over a table of `ControllerKind`s (`addControllers`); a kind is added by one row of that table, nothing else.
 */
import type { KubeClient } from "../../k8s/client/client.ts";
import type { EventRecorder } from "../../k8s/controller/events.ts";
import type { Manager } from "../../k8s/controller/manager.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { Logger } from "../../observability/log.ts";
import type { ExtensionObject } from "./extension_object.ts";
import type { Actuator, ExtensionKind } from "./actuator.ts";
import { type ExtensionController, newExtensionController } from "./controller.ts";

/** The part of the Manager a kind's `add` uses: it adds runnables and shares the Manager's informers. */
export type ControllerManager = Pick<Manager, "add" | "informers">;

/** What the extension gives every controller kind (the same for all kinds). */
export interface SharedArgs {
  /** Seed client (reads, status and metadata writes). */
  client: KubeClient;
  recorder?: EventRecorder;
  /** `--extension-classes` (an unset `spec.class` counts as `shoot`). */
  extensionClasses: readonly string[];
  /** `--ignore-operation-annotation`. */
  ignoreOperationAnnotation: boolean;
  clock: Clock;
  /** The extension's logger; `addControllers` hands each kind a child named after it. */
  log: Logger;
}

/** The arguments of every kind's `add`: the shared ones and the kind's own options (its flags, resolved). */
export interface AddArgs<O> extends SharedArgs {
  options: O;
}

/** A kind's `add`: builds its controller(s) and adds them to the manager; throws on options it cannot run with. */
export type AddToManager<O> = (manager: ControllerManager, args: AddArgs<O>) => void;

/** What each kind of the extension's generic reconciler needs besides the shared args. */
export interface ExtensionControllerParts<T extends ExtensionObject> {
  kind: ExtensionKind;
  actuator: Actuator<T>;
  /** Lenient decoder of the kind; errors name the field and `object`. */
  decode: (raw: unknown, object: string) => T;
  /** `--<kind>-max-concurrent-reconciles`. */
  concurrency: number;
}

/** Adds the controller of one extension kind (generic reconciler + the kind's actuator) to the manager. */
export function addExtensionController<T extends ExtensionObject>(
  manager: ControllerManager,
  args: SharedArgs,
  parts: ExtensionControllerParts<T>,
): ExtensionController<T> {
  const controller = newExtensionController<T>({
    ...parts,
    client: args.client,
    informers: manager.informers,
    extensionClasses: args.extensionClasses,
    ignoreOperationAnnotation: args.ignoreOperationAnnotation,
    recorder: args.recorder,
    clock: args.clock,
    log: args.log,
  });
  manager.add(controller);
  return controller;
}

/**
 * One row of the extension's kind table: the kind's `--controllers` name and how it is added. `I` is what start-up
 * resolved (flags, configuration, ...) from which each kind takes its options.
 */
export interface ControllerKind<I> {
  readonly name: string;
  /** Adds the kind to the manager with the shared args and its options taken from `inputs`. */
  addTo(manager: ControllerManager, shared: SharedArgs, inputs: I): void;
}

/** A row of the kind table: `name`, the kind's `add`, and how its options come from the start-up inputs. */
export function controllerKind<I, O>(
  name: string,
  add: AddToManager<O>,
  options: (inputs: I) => O,
): ControllerKind<I> {
  return {
    name,
    addTo: (manager, shared, inputs) =>
      add(manager, { ...shared, log: shared.log.child(name), options: options(inputs) }),
  };
}

/**
 * Adds every kind of the table that `enabled` names, in the table's order, each through its `addTo`. Returns the
 * names it added and the enabled names no kind of the table implements (accepted, reported as not available).
 */
export function addControllers<I>(
  manager: ControllerManager,
  kinds: readonly ControllerKind<I>[],
  enabled: readonly string[],
  shared: SharedArgs,
  inputs: I,
): { added: string[]; unavailable: string[] } {
  const wanted = new Set(enabled);
  const added: string[] = [];
  for (const kind of kinds) {
    if (!wanted.has(kind.name)) continue;
    kind.addTo(manager, shared, inputs);
    added.push(kind.name);
  }
  const known = new Set(kinds.map((k) => k.name));
  return { added, unavailable: enabled.filter((name) => !known.has(name)) };
}
