/**
 * Event filters. A predicate returns false to drop an event;
 * a missing function means "let it through".
 */
import type { KubeObject } from "../api/objects.ts";

export interface Predicate<T extends KubeObject = KubeObject> {
  create?(obj: T): boolean;
  update?(oldObj: T, newObj: T): boolean;
  delete?(obj: T): boolean;
}

/** Passes updates only when metadata.generation changed (status-only updates are dropped). */
export function generationChanged<T extends KubeObject>(): Predicate<T> {
  return { update: (o, n) => o.metadata.generation !== n.metadata.generation };
}

/** Passes updates only when the given annotation changed. */
export function annotationChanged<T extends KubeObject>(key: string): Predicate<T> {
  return { update: (o, n) => o.metadata.annotations?.[key] !== n.metadata.annotations?.[key] };
}

/** Applies the same filter to create, update (new object) and delete events. */
export function objectFilter<T extends KubeObject>(keep: (obj: T) => boolean): Predicate<T> {
  return { create: keep, update: (_o, n) => keep(n), delete: keep };
}

/** Passes an event if any of the predicates passes it. */
export function or<T extends KubeObject>(...ps: Predicate<T>[]): Predicate<T> {
  return {
    create: (obj) => ps.some((p) => p.create?.(obj) ?? true),
    update: (o, n) => ps.some((p) => p.update?.(o, n) ?? true),
    delete: (obj) => ps.some((p) => p.delete?.(obj) ?? true),
  };
}

/** Passes an event only if every predicate passes it (what a list of predicates means for a watch). */
export function and<T extends KubeObject>(...ps: Predicate<T>[]): Predicate<T> {
  return {
    create: (obj) => ps.every((p) => p.create?.(obj) ?? true),
    update: (o, n) => ps.every((p) => p.update?.(o, n) ?? true),
    delete: (obj) => ps.every((p) => p.delete?.(obj) ?? true),
  };
}

/** Passes updates only when the resourceVersion changed (drops resync re-deliveries). */
export function resourceVersionChanged<T extends KubeObject>(): Predicate<T> {
  return { update: (o, n) => o.metadata.resourceVersion !== n.metadata.resourceVersion };
}

/** Passes updates only when the labels changed. */
export function labelsChanged<T extends KubeObject>(): Predicate<T> {
  return { update: (o, n) => !sameStringMap(o.metadata.labels, n.metadata.labels) };
}

/** Keeps objects whose `spec.type` is one of `types` (Gardener extension resources, e.g. `equinixmetal`). */
export function hasType<T extends KubeObject>(...types: string[]): Predicate<T> {
  return objectFilter((obj) => {
    const type = (obj as { spec?: { type?: unknown } }).spec?.type;
    return typeof type === "string" && types.includes(type);
  });
}

/** Gardener's extension class of an object: `spec.class`, defaulting to `shoot`. */
export function extensionClassOf(obj: KubeObject): string {
  const c = (obj as { spec?: { class?: unknown } }).spec?.class;
  return typeof c === "string" && c !== "" ? c : "shoot";
}

/** Keeps extension resources of the given classes (`shoot`, `seed`, `garden`; default `shoot`). */
export function hasClass<T extends KubeObject>(...classes: string[]): Predicate<T> {
  const wanted = classes.length ? classes : ["shoot"];
  return objectFilter((obj) => wanted.includes(extensionClassOf(obj)));
}

/** Evaluates a list of predicates (all must pass) for one kind of event. */
export function passes<T extends KubeObject>(
  ps: readonly Predicate<T>[],
  event: { type: "create" | "delete"; obj: T } | { type: "update"; oldObj: T; obj: T },
): boolean {
  for (const p of ps) {
    const ok = event.type === "update"
      ? p.update?.(event.oldObj, event.obj) ?? true
      : event.type === "create"
      ? p.create?.(event.obj) ?? true
      : p.delete?.(event.obj) ?? true;
    if (!ok) return false;
  }
  return true;
}

function sameStringMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => a![k] === b?.[k]);
}
