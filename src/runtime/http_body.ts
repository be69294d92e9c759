/** Reading HTTP bodies with a size limit, so a misbehaving peer cannot make us buffer without bound. */

/** The body is larger than the limit (the rest was not read; the body was cancelled). */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`response body larger than ${limitBytes} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * Reads a response body as UTF-8 text, at most `limitBytes`. With a `Content-Length` the HTTP layer delivers exactly
 * that many bytes, so a declared length above the limit fails before any byte is read and one within it is read in
 * one call (checked again, for responses built in process). Without one, the body is read chunk by chunk and
 * cancelled as soon as the total passes the limit.
 */
export async function readTextLimited(res: Response, limitBytes: number): Promise<string> {
  const declared = res.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim())) {
    if (Number(declared) > limitBytes) {
      await res.body?.cancel().catch(() => {});
      throw new BodyTooLargeError(limitBytes);
    }
    const bytes = await res.bytes();
    if (bytes.byteLength > limitBytes) throw new BodyTooLargeError(limitBytes);
    return new TextDecoder().decode(bytes);
  }
  if (!res.body) return "";
  return await readChunksLimited(res.body, limitBytes);
}

/** Collects a body's chunks up to `limitBytes` (push-based sources such as a `node:http` request use it directly). */
export class LimitedBody {
  private readonly parts: Uint8Array[] = [];
  private total = 0;

  constructor(readonly limitBytes: number) {}

  /** Adds a chunk; throws `BodyTooLargeError` once the total passes the limit. */
  push(chunk: Uint8Array): void {
    this.total += chunk.byteLength;
    if (this.total > this.limitBytes) throw new BodyTooLargeError(this.limitBytes);
    this.parts.push(chunk);
  }

  /** The body so far as UTF-8 text. */
  text(): string {
    if (this.parts.length === 1) return new TextDecoder().decode(this.parts[0]);
    const all = new Uint8Array(this.total);
    let at = 0;
    for (const c of this.parts) {
      all.set(c, at);
      at += c.byteLength;
    }
    return new TextDecoder().decode(all);
  }
}

/**
 * Reads a stream of byte chunks as UTF-8 text, at most `limitBytes`; stops reading (and cancels the stream) as soon as
 * the total passes the limit.
 */
export async function readChunksLimited(
  chunks: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  limitBytes: number,
): Promise<string> {
  const body = new LimitedBody(limitBytes);
  if (chunks instanceof ReadableStream) {
    const reader = chunks.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      try {
        body.push(value);
      } catch (e) {
        await reader.cancel().catch(() => {});
        throw e;
      }
    }
  } else {
    // Leaving the loop by the throw returns the iterator, which stops the source.
    for await (const value of chunks) body.push(value);
  }
  return body.text();
}
