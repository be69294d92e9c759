/** What a route handler receives and returns. Handlers are synchronous: each request mutates the world atomically. */
import type { Principal, World } from "./world.ts";

/** One authenticated request, routed. */
export interface RequestContext {
  readonly world: World;
  /** Clock time of the request (ms since the epoch). */
  readonly now: number;
  readonly principal: Principal;
  readonly method: string;
  /** Endpoint template, e.g. `/projects/{id}/devices`. */
  readonly template: string;
  /** Path parameters of the template. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Path below `/metal/v1`, e.g. `/projects/<id>/devices` (for pagination hrefs). */
  readonly path: string;
  /** Parsed JSON body (undefined if none). */
  readonly body: unknown;
  /** A late-commit fault: what this request creates becomes visible this long after `now`. */
  readonly commitDelayMs?: number;
}

/** A handler's answer; the router adds the common headers. */
export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A route handler. Throws `ApiError` for error answers. */
export type Handler = (ctx: RequestContext) => ApiResult;

/** 200 with a JSON body. */
export function ok(body: unknown, headers?: Record<string, string>): ApiResult {
  return { status: 200, body, headers };
}

/** 201 with a JSON body. */
export function created(body: unknown): ApiResult {
  return { status: 201, body };
}

/** 204 without a body. */
export function noContent(): ApiResult {
  return { status: 204 };
}
