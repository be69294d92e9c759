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

/**
 * Reads a stream of byte chunks (a fetch body, a `node:http` request) as UTF-8 text, at most `limitBytes`; stops
 * reading (and cancels the stream) as soon as the total passes the limit.
 */
export async function readChunksLimited(
  chunks: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  limitBytes: number,
): Promise<string> {
  const parts: Uint8Array[] = [];
  let total = 0;
  if (chunks instanceof ReadableStream) {
    const reader = chunks.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limitBytes) {
        await reader.cancel().catch(() => {});
        throw new BodyTooLargeError(limitBytes);
      }
      parts.push(value);
    }
  } else {
    for await (const value of chunks) {
      total += value.byteLength;
      // Leaving the loop early returns the iterator, which stops the source.
      if (total > limitBytes) throw new BodyTooLargeError(limitBytes);
      parts.push(value);
    }
  }
  if (parts.length === 1) return new TextDecoder().decode(parts[0]);
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of parts) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
