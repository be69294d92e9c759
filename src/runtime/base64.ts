/**
 * Base64 in one place, on the runtime's own `Uint8Array.fromBase64`/`toBase64`: Secret data, kubeconfig `*-data`
 * fields, SSH key blobs, continue tokens. Decoding skips ASCII whitespace and accepts a missing final padding (as
 * kubectl's and Go's decoders of these fields do); any other character is an error.
 */

/** The alphabet: `base64` (RFC 4648 §4) unless `base64url` (§5) is asked for. */
export interface Base64Options {
  alphabet?: "base64" | "base64url";
}

/** Decodes base64 text to bytes; throws a `SyntaxError` on a character outside the alphabet. */
export function decodeBase64(text: string, options: Base64Options = {}): Uint8Array {
  return Uint8Array.fromBase64(text, { alphabet: options.alphabet ?? "base64", lastChunkHandling: "loose" });
}

/** Decodes base64 text holding UTF-8 text; throws on bad base64 or on bytes that are not UTF-8. */
export function decodeBase64Text(text: string, options: Base64Options = {}): string {
  return new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64(text, options));
}

/** Encodes bytes, or a string as its UTF-8 bytes, with padding. */
export function encodeBase64(data: Uint8Array | string, options: Base64Options = {}): string {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return bytes.toBase64({ alphabet: options.alphabet ?? "base64" });
}
