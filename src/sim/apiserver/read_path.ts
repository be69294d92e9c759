/**
 * Reads: GET of one object, LIST (selectors, limit/continue) and WATCH (from a resourceVersion, synthetic ADDED
 * events for "" and "0", bookmarks, timeoutSeconds, 410 Expired as an ERROR event once history is compacted).
 */
import type { KubeObject } from "../../k8s/api/objects.ts";
import { apiVersionOf } from "../../k8s/api/resources.ts";
import { statusBody, StatusReason } from "../../k8s/api/errors.ts";
import type { Clock } from "../../runtime/clock.ts";
import { jsonAs } from "./storage/change_event.ts";
import { FieldSelectorError, matchesFields, parseFieldSelector } from "./storage/field_selector.ts";
import { matchesLabels, parseLabelSelector, SelectorParseError } from "../../k8s/api/label_selector.ts";
import type { ObjectStore } from "./storage/object_store.ts";
import { ContinueTokenError, decodeContinue, paginate } from "./storage/pagination.ts";
import { type ServedResource, storageKey } from "./registry/served_resource.ts";
import { badRequest, notFound } from "./status_errors.ts";
import { Watcher } from "./storage/watcher.ts";

const encoder = new TextEncoder();

/** Filters of a list or watch, parsed from the query. */
export interface Selection {
  namespace?: string;
  matches: (obj: KubeObject) => boolean;
  hasSelectors: boolean;
}

/** Parses labelSelector/fieldSelector (400 on bad input); `name` adds metadata.name for single-object watches. */
export function selectionOf(
  r: ServedResource,
  namespace: string | undefined,
  query: URLSearchParams,
  name?: string,
): Selection {
  const storage = storageKey(r.type);
  try {
    const labels = parseLabelSelector(query.get("labelSelector"));
    const fields = parseFieldSelector(query.get("fieldSelector"), storage);
    if (name !== undefined) fields.push({ field: "metadata.name", op: "=", value: name });
    const ns = r.type.namespaced ? namespace : undefined;
    return {
      namespace: ns,
      hasSelectors: labels.length > 0 || fields.length > 0,
      matches: (obj) =>
        (ns === undefined || obj.metadata.namespace === ns) &&
        matchesLabels(labels, obj.metadata.labels) &&
        matchesFields(fields, obj, storage),
    };
  } catch (e) {
    if (e instanceof SelectorParseError || e instanceof FieldSelectorError) throw badRequest(e.message);
    throw e;
  }
}

function parseRv(value: string | null): number | undefined {
  if (value === null || value === "") return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`invalid resource version "${value}"`);
  return Number(value);
}

/** The read side of the server. */
export class ReadPath {
  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    private readonly opts: { bookmarkIntervalMs: number; watchQueueLimit: number },
  ) {}

  /** GET one object as JSON. */
  get(r: ServedResource, namespace: string, name: string): string {
    const stored = this.store.get(storageKey(r.type), namespace, name);
    if (!stored) throw notFound({ resource: r.type.resource, group: r.type.group, name });
    return jsonAs(stored.object, stored.json, apiVersionOf(r.type));
  }

  /** The stored object (for subresources that build their own view). */
  getObject(r: ServedResource, namespace: string, name: string): KubeObject {
    const stored = this.store.get(storageKey(r.type), namespace, name);
    if (!stored) throw notFound({ resource: r.type.resource, group: r.type.group, name });
    return stored.object;
  }

  /** LIST as a JSON string, built from the stored serialisations. */
  list(r: ServedResource, namespace: string | undefined, query: URLSearchParams): string {
    const sel = selectionOf(r, namespace, query);
    const limitParam = query.get("limit");
    const limit = limitParam ? Number(limitParam) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw badRequest(`invalid limit "${limitParam}"`);
    }
    let start: string | undefined;
    let rv = this.store.currentRv();
    const token = query.get("continue");
    if (token) {
      try {
        const decoded = decodeContinue(token);
        start = decoded.start;
        rv = decoded.rv;
      } catch (e) {
        if (e instanceof ContinueTokenError) throw badRequest(e.message);
        throw e;
      }
    }
    const apiVersion = apiVersionOf(r.type);
    const entries = this.store.list(storageKey(r.type), sel.namespace)
      .filter((e) => !sel.hasSelectors || sel.matches(e.stored.object))
      .map((e) => ({ key: e.key, item: e.stored }));
    const page = paginate(entries, { limit, start, rv });
    const meta: Record<string, unknown> = { resourceVersion: String(rv) };
    if (page.continueToken) meta.continue = page.continueToken;
    if (page.remaining !== undefined && !sel.hasSelectors) meta.remainingItemCount = page.remaining;
    const items = page.items.map((s) => jsonAs(s.object, s.json, apiVersion));
    return `{"kind":${JSON.stringify(r.listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${
      JSON.stringify(meta)
    },"items":[${items.join(",")}]}`;
  }

  /** WATCH: returns the open watcher whose stream is the response body. */
  watch(r: ServedResource, namespace: string | undefined, query: URLSearchParams, name?: string): Watcher {
    const sel = selectionOf(r, namespace, query, name);
    const storage = storageKey(r.type);
    const rv = parseRv(query.get("resourceVersion"));
    const timeoutParam = query.get("timeoutSeconds");
    const timeoutSeconds = timeoutParam ? Number(timeoutParam) : undefined;
    if (timeoutSeconds !== undefined && (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0)) {
      throw badRequest(`invalid timeoutSeconds "${timeoutParam}"`);
    }
    const bookmarks = query.get("allowWatchBookmarks") === "true";
    const sendInitialEvents = query.get("sendInitialEvents") === "true";
    const apiVersion = apiVersionOf(r.type);
    const watcher = new Watcher({
      apiVersion,
      kind: r.type.kind,
      matches: sel.matches,
      queueLimit: this.opts.watchQueueLimit,
      bookmarkIntervalMs: bookmarks ? this.opts.bookmarkIntervalMs : undefined,
      timeoutMs: timeoutSeconds ? timeoutSeconds * 1000 : undefined,
      clock: this.clock,
      currentRv: () => this.store.currentRv(),
      onClose: (w) => this.store.removeWatcher(storage, w),
    });

    if (rv !== undefined && rv > 0 && !sendInitialEvents) {
      const events = this.store.historySince(storage, rv);
      if (!events) {
        // kube-apiserver answers 200 and sends one ERROR event carrying a 410 Expired Status.
        const oldest = this.store.oldestResumable(storage);
        watcher.sendLine({
          type: "ERROR",
          object: statusBody(410, StatusReason.Expired, `too old resource version: ${rv} (${oldest + 1})`),
        });
        watcher.close("error");
        return watcher;
      }
      const lines: Uint8Array[] = [];
      for (const e of events) {
        const type = watcher.typeFor(e);
        if (type) lines.push(e.line(type, apiVersion));
      }
      watcher.sendInitial(lines);
    } else {
      // "" and "0" (and sendInitialEvents): the current state as synthetic ADDED events, then changes.
      const lines: Uint8Array[] = [];
      for (const { stored } of this.store.list(storage, sel.namespace)) {
        if (!sel.matches(stored.object)) continue;
        lines.push(encoder.encode(`{"type":"ADDED","object":${jsonAs(stored.object, stored.json, apiVersion)}}\n`));
      }
      watcher.sendInitial(lines);
      if (sendInitialEvents && bookmarks) watcher.sendBookmark(true);
    }
    this.store.addWatcher(storage, watcher);
    return watcher;
  }
}
