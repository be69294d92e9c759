/**
 * CONTRACT STUB (implemented by the k8s-runtime work): event filters. A predicate returns false to drop an event;
 * a missing function means "let it through".
 */
import type { KubeObject } from "./objects.ts";

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
