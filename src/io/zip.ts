/**
 * Zip files as .npz and torch.save use them: reading the central directory of an untrusted file (every count,
 * size and offset checked against the file's length before it is used), reading a member as a
 * stream (stored, or inflated a chunk at a time, with its size and CRC-32 checked). Writing is in
 * zip-write.ts.
 */
import * as zlib from 'node:zlib';
import { Inflate } from 'fflate';
import { FormatError } from '../errors';
import type { ByteSource } from './bytes';

export const LOCAL_SIG = 0x04034b50, CENTRAL_SIG = 0x02014b50, END_SIG = 0x06054b50, END64_SIG = 0x06064b50, LOCATOR64_SIG = 0x07064b50;
export const LOCAL_LEN = 30, CENTRAL_LEN = 46, END_LEN = 22, END64_LEN = 56, LOCATOR64_LEN = 20;
export const U16_MAX = 0xffff, U32_MAX = 0xffffffff;
/** DEFLATE expands at most 1032-fold: a member claiming more lies. */
const MAX_RATIO = 1032;

// ---- CRC-32 --------------------------------------------------------------------------------------

let table: Uint32Array | null = null;
/** CRC-32 in JavaScript, for Node.js versions without zlib.crc32 (exported for the tests). */
export function crc32Js(data: Uint8Array, crc = 0): number {
  if (table === null) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** The zip CRC-32 of data, continuing from crc: zlib's (Node.js >= 20.15), else our own. */
export const crc32: (data: Uint8Array, crc?: number) => number = typeof zlib.crc32 === 'function' ? zlib.crc32 : crc32Js;

// ---- the directory -------------------------------------------------------------------------------

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated (others are refused when the member is read). */
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  /** The uncompressed size. */
  size: number;
  /** Where its local header, and its (compressed) bytes, start in the file. */
  localOffset: number;
  dataStart: number;
}

function read(src: ByteSource, position: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  src.readInto(b, position);
  return b;
}

/**
 * The members of a zip file, from its central directory. Every count, size and offset must fit in
 * the file (so nothing allocated or looped over is larger than it), the members must lie before
 * the directory without overlapping, and the local headers must agree with it. `format` names
 * what the file should be in messages ("not a valid .npz (zip) file").
 */
export function readZipDirectory(src: ByteSource, format = '.npz'): ZipEntry[] {
  const size = src.size;
  const bad = (why: string) => new FormatError(`${src.name}: not a valid ${format} (zip) file: ${why}`);
  if (size < END_LEN) throw bad(`${size} bytes, fewer than the ${END_LEN} of the end of central directory record`);
  const tailLen = Math.min(size, END_LEN + U16_MAX);
  const tail = read(src, size - tailLen, tailLen);
  let at = tailLen - END_LEN;
  while (at >= 0 && !(tail.readUInt32LE(at) === END_SIG && at + END_LEN + tail.readUInt16LE(at + 20) <= tailLen)) at--;
  if (at < 0) throw bad('it has no end of central directory record');
  const endAt = size - tailLen + at;
  /** A 64-bit count or offset from the file, which must not exceed `max`. */
  const bounded = (v: bigint | number, max: number, what: string): number => {
    if (BigInt(v) > BigInt(max)) throw bad(`${what} is ${v}, but a file of ${size} bytes can hold at most ${max}`);
    return Number(v);
  };
  let count = tail.readUInt16LE(at + 10), cdSize = tail.readUInt32LE(at + 12), cdOffset = tail.readUInt32LE(at + 16);
  let cdEnd = endAt;
  const multiDisk = tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0 || tail.readUInt16LE(at + 8) !== count;
  if (endAt >= LOCATOR64_LEN && read(src, endAt - LOCATOR64_LEN, 4).readUInt32LE(0) === LOCATOR64_SIG) {
    const loc = read(src, endAt - LOCATOR64_LEN, LOCATOR64_LEN);
    if (loc.readUInt32LE(4) !== 0 || loc.readUInt32LE(16) > 1) throw bad('it spans several disks');
    const at64 = bounded(loc.readBigUInt64LE(8), Math.max(0, endAt - LOCATOR64_LEN - END64_LEN), 'the offset of the zip64 end record');
    const end64 = read(src, at64, END64_LEN);
    if (end64.readUInt32LE(0) !== END64_SIG) throw bad(`no zip64 end record at byte ${at64}, where its locator points`);
    if (end64.readUInt32LE(16) !== 0 || end64.readUInt32LE(20) !== 0 || end64.readBigUInt64LE(24) !== end64.readBigUInt64LE(32)) {
      throw bad('it spans several disks');
    }
    count = bounded(end64.readBigUInt64LE(32), Math.floor(size / CENTRAL_LEN), 'the number of entries in the zip64 end record');
    cdSize = bounded(end64.readBigUInt64LE(40), at64, 'the size of the central directory');
    cdOffset = bounded(end64.readBigUInt64LE(48), at64, 'the offset of the central directory');
    cdEnd = at64;
  } else if (multiDisk) {
    throw bad('it spans several disks');
  }
  if (cdOffset + cdSize > cdEnd) {
    throw bad(`the central directory (bytes ${cdOffset} to ${cdOffset + cdSize}) runs past its end record at byte ${cdEnd}`);
  }
  if (count > Math.floor(cdSize / CENTRAL_LEN)) {
    throw bad(`the end record claims ${count} entries, but a central directory of ${cdSize} bytes holds at most ${Math.floor(cdSize / CENTRAL_LEN)}`);
  }
  const cd = read(src, cdOffset, cdSize);
  const entries: (ZipEntry & { nameBytes: Buffer })[] = [];
  const names = new Set<string>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_LEN > cdSize || cd.readUInt32LE(p) !== CENTRAL_SIG) throw bad(`central directory entry ${i} is not at byte ${cdOffset + p}, where it should be`);
    const flags = cd.readUInt16LE(p + 8), method = cd.readUInt16LE(p + 10), crc = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20), uncompressed = cd.readUInt32LE(p + 24), localOffset = cd.readUInt32LE(p + 42);
    const n = cd.readUInt16LE(p + 28), m = cd.readUInt16LE(p + 30), k = cd.readUInt16LE(p + 32);
    if (p + CENTRAL_LEN + n + m + k > cdSize) throw bad(`central directory entry ${i} runs past the end of the directory`);
    const nameBytes = cd.subarray(p + CENTRAL_LEN, p + CENTRAL_LEN + n);
    const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
    if (names.has(name)) throw bad(`the member '${name}' appears twice`);
    names.add(name);
    if (uncompressed === U32_MAX || compressedSize === U32_MAX || localOffset === U32_MAX) {
      const extra = zip64Extra(cd.subarray(p + CENTRAL_LEN + n, p + CENTRAL_LEN + n + m));
      let q = 0;
      const next = (what: string, max: number) => {
        if (extra === null || q + 8 > extra.length) throw bad(`'${name}': its zip64 extra field lacks the ${what}`);
        q += 8;
        return bounded(extra.readBigUInt64LE(q - 8), max, `the ${what} of '${name}'`);
      };
      if (uncompressed === U32_MAX) uncompressed = next('size', Number.MAX_SAFE_INTEGER);
      if (compressedSize === U32_MAX) compressedSize = next('compressed size', size);
      if (localOffset === U32_MAX) localOffset = next('offset', size);
    }
    entries.push({ name, nameBytes, method, flags, crc, compressedSize, size: uncompressed, localOffset, dataStart: 0 });
    p += CENTRAL_LEN + n + m + k;
  }
  if (p !== cdSize) throw bad(`the central directory holds ${cdSize - p} bytes after its ${count} entries`);
  // Each local header and its data lie before the directory, and no two members overlap.
  for (const e of entries) {
    const nameBytes = e.nameBytes;
    if (e.localOffset + LOCAL_LEN + nameBytes.length > cdOffset) throw bad(`the local header of '${e.name}' (byte ${e.localOffset}) is not before the central directory`);
    const local = read(src, e.localOffset, LOCAL_LEN + nameBytes.length);
    if (local.readUInt32LE(0) !== LOCAL_SIG) throw bad(`no local header at byte ${e.localOffset}, where the directory puts '${e.name}'`);
    if (local.readUInt16LE(26) !== nameBytes.length || !local.subarray(LOCAL_LEN).equals(nameBytes)) {
      throw bad(`the local header of '${e.name}' names another member`);
    }
    e.dataStart = e.localOffset + LOCAL_LEN + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (e.dataStart + e.compressedSize > cdOffset) {
      throw bad(`the data of '${e.name}' (bytes ${e.dataStart} to ${e.dataStart + e.compressedSize}) runs into the central directory at byte ${cdOffset}`);
    }
  }
  const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const [a, b] = [byOffset[i - 1], byOffset[i]];
    if (a.dataStart + a.compressedSize > b.localOffset) throw bad(`the members '${a.name}' and '${b.name}' overlap`);
  }
  return entries.map(({ nameBytes: _, ...e }) => e);
}

/** The zip64 extended information field (id 1) among a header's extra fields, or null. */
function zip64Extra(extra: Buffer): Buffer | null {
  for (let i = 0; i + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(i), len = extra.readUInt16LE(i + 2);
    if (i + 4 + len > extra.length) return null;
    if (id === 1) return extra.subarray(i + 4, i + 4 + len);
    i += 4 + len;
  }
  return null;
}

// ---- reading a member ----------------------------------------------------------------------------

/** A member's uncompressed bytes, read in order. */
export interface MemberReader {
  /** Fills `into` with the next bytes of the member. */
  read(into: Uint8Array): void;
  /** Checks that the member has no bytes left and that its CRC-32 matches. */
  end(): void;
}

/**
 * Checks that a member can be read and that its declared size is possible (a stored member's is
 * its bytes in the file; a deflated one's at most DEFLATE's largest ratio of them): call it before
 * allocating e.size bytes for it. openMember() checks the same.
 */
export function checkMember(e: ZipEntry, label: string): void {
  if (e.flags & 1) throw new FormatError(`${label}: the member is encrypted`);
  if (e.method !== 0 && e.method !== 8) throw new FormatError(`${label}: the member uses compression method ${e.method} (only 0, stored, and 8, deflated, are read)`);
  if (e.method === 0 && e.size !== e.compressedSize) throw new FormatError(`${label}: a stored member with inconsistent sizes (${e.compressedSize} stored, ${e.size} declared)`);
  if (e.method === 8 && e.size > e.compressedSize * MAX_RATIO + 1024) {
    throw new FormatError(`${label}: the member claims an impossible size (${e.size} bytes from ${e.compressedSize} deflated)`);
  }
}

/**
 * Reads a member of src as a stream. Stored members are read straight into `into`; deflated ones
 * are inflated a chunk at a time (see pushMore), so a member that inflates to more than it
 * declares is stopped within 16 MB of it, and a header is read without inflating much more.
 */
export function openMember(src: ByteSource, e: ZipEntry, label: string): MemberReader {
  checkMember(e, label);
  let crc = 0;
  let produced = 0;
  const checkEnd = () => {
    if (produced !== e.size) throw new FormatError(`${label}: the member ends after ${produced} of its declared ${e.size} bytes`);
    checkCrc(e, crc, label);
  };
  if (e.method === 0) {
    return {
      read(into) {
        if (produced + into.length > e.size) throw new FormatError(`${label}: needs ${produced + into.length} bytes, but the member holds ${e.size}`);
        src.readInto(into, e.dataStart + produced);
        crc = crc32(into, crc);
        produced += into.length;
      },
      end: checkEnd,
    };
  }
  const queue: Uint8Array[] = [];
  let head = 0, consumed = 0, final = false;
  const inflate = new Inflate((chunk, last) => {
    produced += chunk.length;
    if (produced > e.size) throw new FormatError(`${label}: the member inflates to more than its declared ${e.size} bytes`);
    crc = crc32(chunk, crc);
    if (chunk.length > 0) queue.push(chunk);
    final = last;
  });
  /**
   * Feeds the inflater input for `want` more bytes of output: no more input than could make more
   * than `want + slack` bytes at DEFLATE's largest ratio, nor than makes about 4 MB at the ratio
   * seen so far, nor 256 KB.
   */
  const pushMore = (want: number, slack: number) => {
    const left = e.compressedSize - consumed;
    const ratio = consumed > 0 ? Math.max(1, produced / consumed) : 1;
    const n = Math.min(left, Math.max(1024, Math.min(1 << 18, Math.ceil((want + slack) / MAX_RATIO), Math.ceil((4 << 20) / ratio))));
    const chunk = new Uint8Array(n);
    src.readInto(chunk, e.dataStart + consumed);
    consumed += n;
    try {
      inflate.push(chunk, consumed === e.compressedSize);
    } catch (err) {
      if (err instanceof FormatError) throw err;
      throw new FormatError(`${label}: invalid deflate data (${(err as Error).message})`);
    }
  };
  return {
    read(into) {
      // An array's elements may be overshot by 16 MB of output before it is refused, a header by 1 MB.
      const slack = into.length > 65536 ? 16 << 20 : 1 << 20;
      for (let filled = 0; filled < into.length; ) {
        if (queue.length === 0) {
          if (final) throw new FormatError(`${label}: the member ends after ${produced} of its declared ${e.size} bytes`);
          pushMore(into.length - filled, slack);
          continue;
        }
        const chunk = queue[0];
        const take = Math.min(chunk.length - head, into.length - filled);
        into.set(chunk.subarray(head, head + take), filled);
        filled += take;
        head += take;
        if (head === chunk.length) {
          queue.shift();
          head = 0;
        }
      }
    },
    end() {
      // The rest of the stream must add no bytes; real streams end within a few bytes of the data.
      while (!final) {
        if (e.compressedSize - consumed > 65536) {
          throw new FormatError(`${label}: ${e.compressedSize - consumed} compressed bytes follow the member's ${e.size} bytes of data`);
        }
        pushMore(0, 1 << 20);
      }
      if (queue.length > 0) throw new FormatError(`${label}: the member has bytes after its data`);
      checkEnd();
    },
  };
}

/** Checks a member's CRC-32 (of all its bytes) against the directory's. */
export function checkCrc(e: ZipEntry, crc: number, label: string): void {
  if (crc !== e.crc) throw new FormatError(`${label}: CRC-32 mismatch (the member is corrupt: computed ${hex(crc)}, the directory says ${hex(e.crc)})`);
}

const hex = (x: number) => `0x${x.toString(16).padStart(8, '0')}`;
