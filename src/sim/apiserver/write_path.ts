/**
 * The write semantics of kube-apiserver, independent of HTTP: create (generateName, system metadata, namespace
 * checks), update (resourceVersion preconditions, status kept apart, generation, finalizers while deleting,
 * no-op detection), delete (preconditions, finalizers, deletionTimestamp, propagation policy), custom-resource
 * schema validation, admission and dry-run. Garbage collection reuses the synchronous parts.
 */
import type { KubeObject } from "../../k8s/api/objects.ts";
import { apiVersionOf } from "../../k8s/api/resources.ts";
import type { Clock } from "../../runtime/clock.ts";
import { metav1Time } from "../kernel/mod.ts";
import type { AdmissionRequestAttributes } from "./admission/webhooks.ts";
import type { AdmissionRunner } from "./admission/runner.ts";
import {
  finalizedNamespace,
  namespaceSpecFinalizers,
  newNamespace,
  normaliseSecret,
  terminatingNamespace,
} from "./admission/builtin_rules.ts";
import { establishedStatus, validateCrd } from "./registry/crd_resources.ts";
import { ownedFields, recordManager } from "./managed_fields.ts";
import { generatedName, type MetaFieldError, mutableMeta, nameRuleFor, validateObjectMeta } from "./object_meta.ts";
import type { ObjectStore, StoredObject } from "./storage/object_store.ts";
import type { ResourceRegistry } from "./registry/resource_registry.ts";
import { hasSubresource, type ServedResource, storageKey } from "./registry/served_resource.ts";
import { toScale } from "./scale.ts";
import { validateAgainstSchema } from "./schema/validation.ts";
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  internalError,
  invalid,
  methodNotAllowed,
  notFound,
  StatusError,
} from "./status_errors.ts";
import {
  addedFinalizers,
  generationChanged,
  immutableFieldErrors,
  meaningfulChange,
  mergeMainWrite,
  mergeStatusWrite,
} from "./update_rules.ts";

/** Who is writing. */
export interface UserInfo {
  username: string;
  groups: string[];
}

/** How a write request was made. */
export interface WriteOptions {
  dryRun: boolean;
  fieldManager?: string;
  /** `Strict` rejects unknown fields of custom resources, `Warn` (default) reports them, `Ignore` does neither. */
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  user: UserInfo;
  /** Only `status` goes through here; scale and eviction are mapped by the caller. */
  subresource?: "status";
  /** The write came through the scale subresource: admission sees `scale` and autoscaling/v1 Scale objects. */
  viaScale?: boolean;
  /** For server-side apply: record an Apply entry instead of Update. */
  applyManager?: string;
}

/** Outcome of a write: the object as the client sees it and the HTTP status. */
export interface WriteResult {
  object: KubeObject;
  /** Serialisation of `object` when it was stored (saves a second JSON.stringify). */
  json?: string;
  code: number;
  warnings: string[];
  /** True if the object is gone (immediate delete). */
  deleted?: boolean;
}

/** Options of a DELETE. */
export interface DeleteRequest {
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  preconditions?: { uid?: string; resourceVersion?: string };
}

const CRD_STORAGE = "customresourcedefinitions.apiextensions.k8s.io";
/** Finalizer kube-apiserver puts on every CRD; removed once its custom resources are gone. */
export const CRD_CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";
/** Status-bearing resources whose status may be set on create (the real Node strategy allows it). */
const STATUS_ON_CREATE = new Set(["nodes"]);
const REPLICA_DEFAULTED = new Set(["deployments.apps", "statefulsets.apps", "replicasets.apps"]);
const GENERATED_NAME_ATTEMPTS = 8;
/** Namespaces kube-apiserver refuses to delete. */
const PROTECTED_NAMESPACES = new Set(["default", "kube-system", "kube-public"]);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Write operations on the store. */
export class WritePath {
  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly clock: Clock,
    private readonly admission: AdmissionRunner,
    private readonly random: () => number = Math.random,
  ) {}

  // ---------------------------------------------------------------- helpers

  /** apiVersion objects of a resource are stored under (the CRD's storage version). */
  private storageApiVersion(r: ServedResource): string {
    if (!r.custom) return apiVersionOf(r.type);
    const storage = this.registry.byStorageKey(storageKey(r.type));
    return apiVersionOf(storage?.type ?? r.type);
  }

  private view(r: ServedResource, obj: KubeObject): KubeObject {
    const apiVersion = apiVersionOf(r.type);
    return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
  }

  private target(r: ServedResource, name?: string) {
    return { resource: r.type.resource, group: r.type.group, name };
  }

  private invalid(r: ServedResource, name: string | undefined, errors: MetaFieldError[]): StatusError {
    return invalid({ kind: r.type.kind, group: r.type.group, name }, errors);
  }

  private now(): string {
    return metav1Time(this.clock.now());
  }

  /** Checks the body's apiVersion/kind against the URL and fills them in. */
  private checkTypeMeta(r: ServedResource, body: unknown): KubeObject {
    if (!isObject(body)) throw badRequest(`the body of the request must be a ${r.type.kind} object`);
    const apiVersion = apiVersionOf(r.type);
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
      throw badRequest(
        `the API version in the data (${
          String(body.apiVersion)
        }) does not match the expected API version (${apiVersion})`,
      );
    }
    if (body.kind !== undefined && body.kind !== r.type.kind) {
      throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${r.type.kind})`);
    }
    if (body.metadata !== undefined && !isObject(body.metadata)) throw badRequest("metadata must be an object");
    return { ...body, apiVersion, kind: r.type.kind, metadata: { ...(body.metadata as object ?? {}) } } as KubeObject;
  }

  /** Schema validation (custom resources) and metadata validation; returns the pruned/defaulted object. */
  private validate(r: ServedResource, obj: KubeObject, opts: WriteOptions): { object: KubeObject; warnings: string[] } {
    const errors: MetaFieldError[] = validateObjectMeta(obj, {
      rule: nameRuleFor(storageKey(r.type)),
      namespaced: r.type.namespaced,
    });
    let object = obj;
    const warnings: string[] = [];
    if (r.custom?.schema) {
      const pruned: string[] = [];
      const result = validateAgainstSchema(r.custom.schema, obj, {
        prune: true,
        applyDefaults: true,
        resourceRoot: true,
        onPruned: (path) => pruned.push(path),
      });
      errors.push(...result.errors.map((e) => ({ type: e.type, field: e.field, message: e.message })));
      if (pruned.length && opts.fieldValidation === "Strict") {
        throw badRequest(`strict decoding error: ${pruned.map((p) => `unknown field "${p}"`).join(", ")}`);
      }
      if (opts.fieldValidation !== "Ignore") warnings.push(...pruned.map((p) => `unknown field "${p}"`));
      if (isObject(result.value)) object = { ...result.value, metadata: obj.metadata } as KubeObject;
    }
    if (storageKey(r.type) === CRD_STORAGE) errors.push(...validateCrd(obj));
    if (errors.length) throw this.invalid(r, obj.metadata.name, errors);
    return { object, warnings };
  }

  private attrs(
    operation: AdmissionRequestAttributes["operation"],
    r: ServedResource,
    opts: Pick<WriteOptions, "dryRun" | "user">,
    obj: KubeObject | undefined,
    old: KubeObject | undefined,
    subResource?: string,
  ): AdmissionRequestAttributes {
    const ref = obj ?? old;
    return {
      operation,
      resource: r.type,
      ...(subResource ? { subResource } : {}),
      namespace: ref?.metadata.namespace,
      name: ref?.metadata.name,
      object: obj ? structuredClone(this.view(r, obj)) : undefined,
      oldObject: old ? structuredClone(this.view(r, old)) : undefined,
      dryRun: opts.dryRun,
      userInfo: opts.user,
    };
  }

  /** Runs admission when webhooks exist; a mutated object keeps the server-owned metadata. */
  private async admitWrite(
    operation: "CREATE" | "UPDATE",
    r: ServedResource,
    obj: KubeObject,
    old: KubeObject | undefined,
    opts: WriteOptions,
  ): Promise<{ object: KubeObject; warnings: string[] }> {
    if (!this.admission.active()) return { object: obj, warnings: [] };
    if (opts.viaScale) {
      // Webhooks see the Scale, as for kube's scale subresource; a mutated Scale is not written back.
      const attrs = this.attrs(operation, r, opts, obj, old, "scale");
      attrs.object = toScale(r, obj);
      attrs.oldObject = old ? toScale(r, old) : undefined;
      return { object: obj, warnings: (await this.admission.admit(attrs)).warnings };
    }
    const admitted = await this.admission.admit(this.attrs(operation, r, opts, obj, old, opts.subresource));
    if (!admitted.mutated || !admitted.object) return { object: obj, warnings: admitted.warnings };
    const mutated = this.checkTypeMeta(r, admitted.object);
    const system = obj.metadata;
    mutated.metadata = {
      ...mutated.metadata,
      name: system.name,
      namespace: system.namespace,
      uid: system.uid,
      creationTimestamp: system.creationTimestamp,
      generation: system.generation,
      resourceVersion: system.resourceVersion,
      deletionTimestamp: system.deletionTimestamp,
      deletionGracePeriodSeconds: system.deletionGracePeriodSeconds,
    };
    for (const k of Object.keys(mutated.metadata) as Array<keyof typeof mutated.metadata>) {
      if (mutated.metadata[k] === undefined) delete mutated.metadata[k];
    }
    const validated = this.validate(r, { ...mutated, apiVersion: obj.apiVersion }, opts);
    return { object: validated.object, warnings: [...admitted.warnings, ...validated.warnings] };
  }

  /** Admission of a CREATE on a subresource that stores nothing itself (pods/eviction). */
  async admitSubresourceCreate(
    r: ServedResource,
    subresource: string,
    namespace: string,
    name: string,
    object: KubeObject,
    opts: Pick<WriteOptions, "dryRun" | "user">,
  ): Promise<void> {
    if (!this.admission.active()) return;
    await this.admission.admit({
      operation: "CREATE",
      resource: r.type,
      subResource: subresource,
      namespace,
      name,
      object: structuredClone(object),
      dryRun: opts.dryRun,
      userInfo: opts.user,
    });
  }

  private checkNamespaceWritable(r: ServedResource, namespace: string): void {
    if (!r.type.namespaced) return;
    const ns = this.store.get("namespaces", "", namespace);
    if (!ns) throw notFound({ resource: "namespaces", group: "", name: namespace });
    if (ns.object.metadata.deletionTimestamp) {
      const message = `unable to create new content in namespace ${namespace} because it is being terminated`;
      throw forbidden({ resource: r.type.resource, group: r.type.group, name: undefined }, message, [
        { reason: "NamespaceTerminating", message, field: "metadata.namespace" },
      ]);
    }
  }

  private checkCrdServing(r: ServedResource): void {
    if (!r.custom) return;
    const crd = this.store.get(CRD_STORAGE, "", r.custom.crdName);
    if (crd?.object.metadata.deletionTimestamp) {
      throw methodNotAllowed("create not allowed while custom resource definition is terminating");
    }
  }

  // ---------------------------------------------------------------- create

  /** POST: creates an object (or validates it only, with dry-run). */
  async create(
    r: ServedResource,
    urlNamespace: string | undefined,
    body: unknown,
    opts: WriteOptions,
  ): Promise<WriteResult> {
    let obj = this.checkTypeMeta(r, body);
    const meta = mutableMeta(obj);
    if (r.type.namespaced) {
      if (!urlNamespace) throw badRequest(`the namespace of the object must be set in the URL for ${r.type.resource}`);
      if (meta.namespace && meta.namespace !== urlNamespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = urlNamespace;
    } else {
      delete meta.namespace;
    }
    if (meta.resourceVersion) throw internalError("resourceVersion should not be set on objects to be created");
    this.checkNamespaceWritable(r, urlNamespace ?? "");
    this.checkCrdServing(r);
    const generate = !meta.name && !!meta.generateName;
    if (generate) meta.name = generatedName(meta.generateName!, this.random);

    // System metadata: the server's, never the client's.
    const now = this.now();
    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = now;
    meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    delete meta.managedFields;
    obj = this.prepareNew(r, obj, now);
    obj.apiVersion = this.storageApiVersion(r);
    const storage = storageKey(r.type);
    const { object: validated, warnings } = this.validate(r, obj, opts);
    obj = validated;
    this.recordFields(r, obj, undefined, opts);

    const admitted = await this.admitWrite("CREATE", r, obj, undefined, opts);
    obj = admitted.object;
    warnings.push(...admitted.warnings);
    if (opts.dryRun) return { object: this.view(r, obj), code: 201, warnings };

    // Re-checked after the (possibly asynchronous) admission.
    this.checkNamespaceWritable(r, urlNamespace ?? "");
    const namespace = obj.metadata.namespace ?? "";
    for (let attempt = 0; this.store.get(storage, namespace, obj.metadata.name!); attempt++) {
      if (!generate || attempt >= GENERATED_NAME_ATTEMPTS) throw alreadyExists(this.target(r, obj.metadata.name));
      obj = { ...obj, metadata: { ...obj.metadata, name: generatedName(meta.generateName!, this.random) } };
    }
    const stored = this.store.put(storage, obj);
    return { object: this.view(r, stored.object), json: this.viewJson(r, stored), code: 201, warnings };
  }

  /** Type-specific defaults of a new object: replicas, namespace phase, secret data, CRD status; drops status. */
  private prepareNew(r: ServedResource, obj: KubeObject, now: string): KubeObject {
    const storage = storageKey(r.type);
    let out = obj as KubeObject & { status?: unknown; spec?: Record<string, unknown> };
    if (hasSubresource(r, "status") && !STATUS_ON_CREATE.has(storage)) {
      const { status: _dropped, ...rest } = out;
      out = rest as typeof out;
    }
    if (REPLICA_DEFAULTED.has(storage) && isObject(out.spec) && out.spec.replicas === undefined) {
      out = { ...out, spec: { ...out.spec, replicas: 1 } };
    }
    if (storage === "namespaces") return newNamespace(out);
    if (storage === "secrets") {
      const { object, errors } = normaliseSecret(out);
      if (errors.length) throw this.invalid(r, obj.metadata.name, errors);
      return object;
    }
    if (storage === CRD_STORAGE) {
      const errors = validateCrd(out);
      if (errors.length) throw this.invalid(r, obj.metadata.name, errors);
      const finalizers = out.metadata.finalizers ?? [];
      return {
        ...out,
        metadata: {
          ...out.metadata,
          finalizers: finalizers.includes(CRD_CLEANUP_FINALIZER) ? finalizers : [...finalizers, CRD_CLEANUP_FINALIZER],
        },
        status: establishedStatus(out, now),
      } as KubeObject;
    }
    return out;
  }

  private recordFields(
    r: ServedResource,
    obj: KubeObject,
    submitted: KubeObject | undefined,
    opts: WriteOptions,
  ): void {
    const manager = opts.applyManager ?? opts.fieldManager;
    if (!manager) return;
    obj.metadata.managedFields = recordManager(obj.metadata.managedFields, {
      manager,
      operation: opts.applyManager ? "Apply" : "Update",
      apiVersion: apiVersionOf(r.type),
      time: this.now(),
      fields: ownedFields(submitted ?? obj, opts.subresource === "status" ? "status" : "main"),
      subresource: opts.subresource,
    });
  }

  // ---------------------------------------------------------------- update

  /**
   * PUT or PATCH: `compute` turns the current object (as the client sees it) into the submitted one; it runs again
   * if the object changed while admission was pending (PATCH semantics; a PUT carries its resourceVersion).
   */
  async update(
    r: ServedResource,
    namespace: string,
    name: string,
    compute: (current: KubeObject) => unknown,
    opts: WriteOptions,
  ): Promise<WriteResult> {
    const storage = storageKey(r.type);
    for (let attempt = 0;; attempt++) {
      const existing = this.store.get(storage, namespace, name);
      if (!existing) throw notFound(this.target(r, name));
      const submitted = this.checkTypeMeta(r, compute(JSON.parse(this.viewJson(r, existing)) as KubeObject));
      const prepared = this.prepareUpdate(r, existing, submitted, opts);
      if (!prepared.changed) {
        return {
          object: this.view(r, existing.object),
          json: this.viewJson(r, existing),
          code: 200,
          warnings: prepared.warnings,
        };
      }
      const admitted = await this.admitWrite("UPDATE", r, prepared.object, existing.object, opts);
      if (opts.dryRun) return { object: this.view(r, admitted.object), code: 200, warnings: prepared.warnings };
      const current = this.store.get(storage, namespace, name);
      if (current !== existing) {
        if (attempt < 5) continue;
        throw conflict(this.target(r, name));
      }
      return {
        ...this.commitUpdate(r, existing, admitted.object),
        warnings: [...prepared.warnings, ...admitted.warnings],
      };
    }
  }

  /** The next stored object for an update, or `changed: false` for a no-op. Throws on conflicts and invalid input. */
  private prepareUpdate(
    r: ServedResource,
    existing: StoredObject,
    submitted: KubeObject,
    opts: WriteOptions,
  ): { object: KubeObject; changed: boolean; warnings: string[] } {
    const old = existing.object;
    const name = old.metadata.name!;
    const storage = storageKey(r.type);
    if (submitted.metadata.name !== undefined && submitted.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${submitted.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    if (r.type.namespaced && submitted.metadata.namespace && submitted.metadata.namespace !== old.metadata.namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    const rv = submitted.metadata.resourceVersion;
    if (rv !== undefined && rv !== "" && rv !== old.metadata.resourceVersion) throw conflict(this.target(r, name));

    const statusSeparate = hasSubresource(r, "status");
    let next: KubeObject;
    if (opts.subresource === "status") {
      next = mergeStatusWrite(old, submitted);
    } else {
      next = mergeMainWrite(old, { ...submitted, metadata: { ...submitted.metadata, name } }, statusSeparate);
      if (storage === "namespaces") {
        // spec.finalizers change only through the finalize subresource.
        next = { ...next, spec: (old as { spec?: unknown }).spec } as KubeObject;
      }
      if (storage === "secrets") {
        const { object, errors } = normaliseSecret(next);
        if (errors.length) throw this.invalid(r, name, errors);
        next = object;
      }
      const immutable = immutableFieldErrors(storage, old, next);
      if (immutable.length) throw this.invalid(r, name, immutable);
    }
    next.apiVersion = old.apiVersion;
    next.metadata = { ...next.metadata, resourceVersion: old.metadata.resourceVersion };

    if (old.metadata.deletionTimestamp) {
      const added = addedFinalizers(old, next);
      if (added.length) {
        throw this.invalid(r, name, [{
          type: "FieldValueForbidden",
          field: "metadata.finalizers",
          message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ` +
            `[]string{${added.map((f) => JSON.stringify(f)).join(", ")}}`,
        }]);
      }
    }
    const { object: validated, warnings } = this.validate(r, next, opts);
    next = validated;
    if (storage === CRD_STORAGE && opts.subresource !== "status" && generationChanged(old, next, true)) {
      (next as { status?: unknown }).status = establishedStatus(next, this.now(), (old as { status?: unknown }).status);
    }
    if (generationChanged(old, next, statusSeparate)) {
      mutableMeta(next).generation = (old.metadata.generation ?? 0) + 1;
    }
    if (!meaningfulChange(old, next)) return { object: old, changed: false, warnings };
    this.recordFields(r, next, submitted, opts);
    return { object: next, changed: true, warnings };
  }

  /** Stores an update; an object being deleted whose last finalizer went away is removed instead. */
  private commitUpdate(r: ServedResource, existing: StoredObject, next: KubeObject): WriteResult {
    const storage = storageKey(r.type);
    if (next.metadata.deletionTimestamp && this.finalizersDone(storage, next)) {
      const removed = this.store.remove(storage, next)!;
      return {
        object: this.view(r, removed.object),
        json: this.viewJson(r, removed),
        code: 200,
        warnings: [],
        deleted: true,
      };
    }
    void existing;
    const stored = this.store.put(storage, next);
    return { object: this.view(r, stored.object), json: this.viewJson(r, stored), code: 200, warnings: [] };
  }

  private finalizersDone(storage: string, obj: KubeObject): boolean {
    if ((obj.metadata.finalizers ?? []).length > 0) return false;
    return storage !== "namespaces" || namespaceSpecFinalizers(obj).length === 0;
  }

  /** Synchronous update for the server's own controllers (no admission): `mutate` edits a copy. */
  updateNow(storage: string, namespace: string, name: string, mutate: (obj: KubeObject) => KubeObject | void): void {
    const existing = this.store.get(storage, namespace, name);
    const r = this.registry.byStorageKey(storage);
    if (!existing || !r) return;
    const copy = JSON.parse(existing.json) as KubeObject;
    const next = mutate(copy) ?? copy;
    if (!meaningfulChange(existing.object, next)) return;
    this.commitUpdate(r, existing, next);
  }

  // ---------------------------------------------------------------- delete

  /** DELETE of one object. */
  async delete(
    r: ServedResource,
    namespace: string,
    name: string,
    req: DeleteRequest,
    opts: WriteOptions,
  ): Promise<WriteResult> {
    const storage = storageKey(r.type);
    const existing = this.store.get(storage, namespace, name);
    if (!existing) throw notFound(this.target(r, name));
    if (storage === "namespaces" && PROTECTED_NAMESPACES.has(name)) {
      throw forbidden(this.target(r, name), `namespaces "${name}" is forbidden: this namespace may not be deleted`);
    }
    this.checkPreconditions(r, existing.object, req);
    if (this.admission.active()) {
      await this.admission.admit(this.attrs("DELETE", r, opts, undefined, existing.object));
    }
    const current = this.store.get(storage, namespace, name);
    if (!current) throw notFound(this.target(r, name));
    this.checkPreconditions(r, current.object, req);
    if (opts.dryRun) return { object: this.view(r, current.object), code: 200, warnings: [] };
    return this.deleteNow(r, current, req.propagationPolicy);
  }

  private checkPreconditions(r: ServedResource, obj: KubeObject, req: DeleteRequest): void {
    const p = req.preconditions;
    if (p?.uid && p.uid !== obj.metadata.uid) {
      throw conflict(
        this.target(r, obj.metadata.name),
        `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${obj.metadata.uid}`,
      );
    }
    if (p?.resourceVersion && p.resourceVersion !== obj.metadata.resourceVersion) {
      throw conflict(
        this.target(r, obj.metadata.name),
        `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
      );
    }
  }

  /** Synchronous delete: marks the object deleting (finalizers, namespaces) or removes it at once. */
  deleteNow(r: ServedResource, existing: StoredObject, policy?: DeleteRequest["propagationPolicy"]): WriteResult {
    const storage = storageKey(r.type);
    const old = existing.object;
    const finalizers = [...(old.metadata.finalizers ?? [])];
    if (old.metadata.deletionTimestamp) {
      // Already deleting: a new propagation policy may still add its finalizer, as the real server allows.
      const extra = policy === "Foreground" ? "foregroundDeletion" : policy === "Orphan" ? "orphan" : undefined;
      if (extra && !finalizers.includes(extra)) {
        const stored = this.store.put(storage, {
          ...old,
          metadata: { ...old.metadata, finalizers: [...finalizers, extra] },
        });
        return { object: this.view(r, stored.object), json: this.viewJson(r, stored), code: 202, warnings: [] };
      }
      return { object: this.view(r, old), json: this.viewJson(r, existing), code: 202, warnings: [] };
    }
    if (policy === "Foreground" && !finalizers.includes("foregroundDeletion")) finalizers.push("foregroundDeletion");
    if (policy === "Orphan" && !finalizers.includes("orphan")) finalizers.push("orphan");
    const deleting = storage === "namespaces" || finalizers.length > 0;
    if (deleting) {
      let next: KubeObject = {
        ...old,
        metadata: {
          ...old.metadata,
          finalizers: finalizers.length ? finalizers : undefined,
          deletionTimestamp: this.now(),
          deletionGracePeriodSeconds: 0,
        },
      };
      if (next.metadata.finalizers === undefined) delete next.metadata.finalizers;
      if (storage === "namespaces") next = terminatingNamespace(next);
      if (storage === "namespaces" && this.finalizersDone(storage, next)) {
        const removed = this.store.remove(storage, next)!;
        return {
          object: this.view(r, removed.object),
          json: this.viewJson(r, removed),
          code: 200,
          warnings: [],
          deleted: true,
        };
      }
      const stored = this.store.put(storage, next);
      return { object: this.view(r, stored.object), json: this.viewJson(r, stored), code: 200, warnings: [] };
    }
    const removed = this.store.remove(storage, old)!;
    return {
      object: this.view(r, removed.object),
      json: this.viewJson(r, removed),
      code: 200,
      warnings: [],
      deleted: true,
    };
  }

  /** Removes the `kubernetes` spec finalizer of a namespace (its content is gone). */
  finalizeNamespace(name: string): void {
    this.updateNow("namespaces", "", name, (ns) => finalizedNamespace(ns));
  }

  /** The object's JSON as served for the resource's version. */
  viewJson(r: ServedResource, stored: StoredObject): string {
    return stored.object.apiVersion === apiVersionOf(r.type)
      ? stored.json
      : JSON.stringify({ ...stored.object, apiVersion: apiVersionOf(r.type) });
  }
}
