/**
 * Pagination as the API does it: `page` (1-based) and `per_page` (default 10, at most 1000; 250 for project IPs),
 * and a `meta` object whose counters and links agree (`next`/`previous` null at the ends).
 */
import { intParam } from "./query.ts";

/** Default page size of paginated lists. */
export const DEFAULT_PER_PAGE = 10;
/** Largest page size the API accepts. */
export const MAX_PER_PAGE = 1000;

/** `meta` of a paginated list. Links are relative to the API root (`/projects/...?page=2`), which packngo follows. */
export interface Meta {
  first: { href: string };
  previous: { href: string } | null;
  self: { href: string };
  next: { href: string } | null;
  last: { href: string };
  total: number;
  current_page: number;
  last_page: number;
}

/** Page and page size of a request (422 naming the parameter when out of range). */
export function pagingOf(query: URLSearchParams, defaultPerPage = DEFAULT_PER_PAGE): { page: number; perPage: number } {
  return {
    page: intParam(query, "page", 1, 100_000) ?? 1,
    perPage: intParam(query, "per_page", 1, MAX_PER_PAGE) ?? defaultPerPage,
  };
}

/** One page of `items` and its `meta`. `path` is the request path below `/metal/v1`. */
export function paginate<T>(
  items: readonly T[],
  paging: { page: number; perPage: number },
  path: string,
  query: URLSearchParams,
): { items: T[]; meta: Meta } {
  const total = items.length;
  const lastPage = Math.max(1, Math.ceil(total / paging.perPage));
  const href = (page: number) => {
    const q = new URLSearchParams(query);
    q.set("page", String(page));
    q.set("per_page", String(paging.perPage));
    return { href: `${path}?${q.toString()}` };
  };
  const start = (paging.page - 1) * paging.perPage;
  return {
    items: items.slice(start, start + paging.perPage),
    meta: {
      first: href(1),
      previous: paging.page > 1 ? href(Math.min(paging.page - 1, lastPage)) : null,
      self: href(paging.page),
      next: paging.page < lastPage ? href(paging.page + 1) : null,
      last: href(lastPage),
      total,
      current_page: paging.page,
      last_page: lastPage,
    },
  };
}
