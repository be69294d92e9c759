/**
 * A bearer token read from a file that is rotated underneath us (projected service-account tokens, Gardener's
 * token-requestor secrets): re-read at most every `refreshMs` and at once after the server answered 401.
 */
import { type Clock, realClock } from "../../runtime/clock.ts";
import type { Logger } from "../../observability/log.ts";
import { registerSecret } from "../../observability/redact.ts";

export interface TokenFileOptions {
  /** Minimum interval between reads (client-go re-reads every minute). */
  refreshMs?: number;
  /** Used while the file has never been read successfully (kubeconfig `token` next to `tokenFile`). */
  fallback?: string;
  /** Names the source in errors, e.g. `kubeconfig /x: users[0].user.tokenFile`. */
  describe?: string;
  clock?: Clock;
  log?: Logger;
}

/** Reads, caches and re-reads a token file. */
export class TokenFile {
  private value?: string;
  private readAt = -Infinity;
  private readonly clock: Clock;

  constructor(readonly path: string, readonly options: TokenFileOptions = {}) {
    this.clock = options.clock ?? realClock;
    registerSecret(options.fallback);
  }

  /** The current token; a failed re-read keeps the last good value. */
  async token(): Promise<string | undefined> {
    const now = this.clock.now();
    if (this.value !== undefined && now - this.readAt < (this.options.refreshMs ?? 60_000)) return this.value;
    try {
      const text = (await Deno.readTextFile(this.path)).trim();
      if (!text) throw new Error("file is empty");
      registerSecret(text);
      this.value = text;
      this.readAt = now;
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      const where = this.options.describe ?? "token file";
      if (this.value !== undefined || this.options.fallback) {
        this.options.log?.warn("Could not re-read the token file, keeping the previous token", {
          source: where,
          path: this.path,
          reason,
        });
        this.readAt = now; // do not hammer the file system on every request
        return this.value ?? this.options.fallback;
      }
      throw new Error(`${where}: cannot read token file ${this.path}: ${reason}`);
    }
    return this.value;
  }

  /** Forces a re-read on the next call. */
  invalidate(): void {
    this.readAt = -Infinity;
  }
}
