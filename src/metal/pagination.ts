/**
 * Reading every page of a paginated Metal list. Pages are requested by number and the loop follows
 * `meta.current_page`/`meta.last_page` (never `meta.next.href`, whose form the API never pinned down). A `meta` that
 * does not advance, an empty page before the last one, or more pages than `maxPages` is an error rather than an
 * endless loop or a silently truncated list.
 */
import { MetalBadResponseError } from "./errors.ts";
import type { Meta } from "./types.ts";

/** Largest page size the API accepts. */
export const MAX_PER_PAGE = 1000;
/** Our default page size for full listings (the API's own default is 10). */
export const DEFAULT_PER_PAGE = 1000;
/** Upper bound of pages one listing may read (1,000 × 1,000 objects). */
export const DEFAULT_MAX_PAGES = 1000;

/** One page as the transport returned it. */
export interface Page<T> {
  items: T[];
  meta?: Meta | null;
}

/** Names the listing in errors. */
export interface ListingDescription {
  method: string;
  /** Path of the list (no query). */
  path: string;
  endpoint: string;
}

/** What the loop does after a page. */
export type PageStep = { done: true } | { done: false; next: number } | { error: string };

/** Decides, from the page just read, whether to stop, which page is next, or why `meta` is incoherent. */
export function nextPage(
  requested: number,
  itemCount: number,
  perPage: number,
  meta: Meta | null | undefined,
): PageStep {
  // Lists without meta (metros, plans, ...) are complete in one answer.
  if (!meta) return { done: true };
  const current = meta.current_page ?? requested;
  if (current !== requested) {
    return { error: `asked for page ${requested}, meta.current_page is ${current}` };
  }
  const last = meta.last_page;
  if (last === null || last === undefined) {
    // No last_page: a short page or no `next` means this was the last one.
    return itemCount < perPage || !meta.next ? { done: true } : { done: false, next: current + 1 };
  }
  if (last <= current) return { done: true };
  if (itemCount === 0) return { error: `page ${current} is empty but meta.last_page is ${last}` };
  return { done: false, next: current + 1 };
}

/**
 * Reads pages 1, 2, ... until `meta` says the last was read and yields each page's items, without those an earlier
 * page had (an object created meanwhile can shift another one onto the next page, which would then be read twice).
 * A caller that keeps only a little of each item holds one page at a time instead of the whole listing.
 */
export async function* eachPage<T extends { id: string }>(
  fetchPage: (page: number) => Promise<Page<T>>,
  opts: { perPage: number; maxPages?: number; describe: ListingDescription },
): AsyncGenerator<T[]> {
  const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
  const seen = new Set<string>();
  let page = 1;
  for (let read = 0;; read++) {
    if (read >= maxPages) throw incoherent(opts.describe, `more than ${maxPages} pages`);
    const { items, meta } = await fetchPage(page);
    const step = nextPage(page, items.length, opts.perPage, meta);
    if ("error" in step) throw incoherent(opts.describe, step.error);
    const fresh = items.filter((item) => !seen.has(item.id));
    for (const item of fresh) seen.add(item.id);
    yield fresh;
    if (step.done) return;
    page = step.next;
  }
}

/** The items of every page (see `eachPage`). */
export async function collectAllPages<T extends { id: string }>(
  fetchPage: (page: number) => Promise<Page<T>>,
  opts: { perPage: number; maxPages?: number; describe: ListingDescription },
): Promise<T[]> {
  const out: T[] = [];
  for await (const items of eachPage(fetchPage, opts)) out.push(...items);
  return out;
}

function incoherent(d: ListingDescription, problem: string): MetalBadResponseError {
  return new MetalBadResponseError(
    { status: 200, method: d.method, path: d.path, endpoint: d.endpoint, messages: [problem] },
    `incoherent pagination of ${d.method} ${d.endpoint}`,
  );
}
