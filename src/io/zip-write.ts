/**
 * Writing zip files a member at a time, in one of two layouts:
 *
 * - 'npz' (np.savez's): stored or deflated members, their sizes written into the local header once
 *   known, zip64 fields and end records only where sizes need them.
 * - 'pytorch' (torch.save's, as its miniz-based writer lays them out): stored members whose data
 *   starts at a multiple of 64 bytes (padding in an extra field 'FB' of 'Z's in the local header),
 *   CRC and sizes in a data descriptor after each non-empty member, no timestamps, zip64 end
 *   records always. PyTorch computes where each storage starts from these rules when it maps a file
 *   (torch.load with mmap=True and calculate_storage_offsets), so they are kept exactly.
 */
import { Deflate } from 'fflate';
import { CENTRAL_LEN, CENTRAL_SIG, crc32, END64_LEN, END64_SIG, END_LEN, END_SIG, LOCAL_LEN, LOCAL_SIG, LOCATOR64_LEN, LOCATOR64_SIG, U16_MAX, U32_MAX } from './zip';

/** Where a ZipWriter's bytes go: a file (write.ts's FileWriter), or chunks kept in memory (ChunkSink). */
export interface ZipSink {
  readonly position: number;
  write(chunk: Uint8Array): void;
  /** Rewrites bytes already written (only the 'npz' layout does). */
  patch(chunk: Uint8Array, at: number): void;
}

/** A ZipSink that keeps the chunks, for writing them later (saveAsync). */
export class ChunkSink implements ZipSink {
  readonly chunks: Uint8Array[] = [];
  position = 0;

  write(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.position += chunk.length;
  }

  patch(): void {
    throw new Error('internal error: a ChunkSink cannot rewrite bytes already written');
  }
}

export type ZipLayout = 'npz' | 'pytorch';

/** Members at least this large get zip64 sizes in their local header (room for deflate's overhead). */
const ZIP64_SIZE = U32_MAX - 2 ** 24;
const PUSH = 1 << 16;
/** Where the 'pytorch' layout starts each member's data: a multiple of this. */
const ALIGN = 64;
const DESCRIPTOR_SIG = 0x08074b50;
const UTF8_NAMES = 0x800, HAS_DESCRIPTOR = 0x8;

/** The date and time in the format of zip headers (MS-DOS, local time). */
function dosDateTime(d: Date): [number, number] {
  const year = Math.max(1980, d.getFullYear());
  return [(d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1), ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate()];
}

/** A zip64 extended information field (id 1) holding `values`, or nothing when there are none. */
function zip64Field(values: number[]): Buffer {
  if (values.length === 0) return Buffer.alloc(0);
  const b = Buffer.alloc(4 + 8 * values.length);
  b.writeUInt16LE(1, 0);
  b.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return b;
}

interface Central {
  made: number;
  needed: number;
  /** The local header's flags, method, time and date (its bytes 6 to 14). */
  local: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
  nameBytes: Buffer;
  extra: Buffer;
}

function centralEntry(c: Central): Buffer {
  const entry = Buffer.alloc(CENTRAL_LEN + c.nameBytes.length + c.extra.length);
  entry.writeUInt32LE(CENTRAL_SIG, 0);
  entry.writeUInt16LE(c.made, 4);
  entry.writeUInt16LE(c.needed, 6);
  c.local.copy(entry, 8, 6, 14); // flags, method, time, date
  entry.writeUInt32LE(c.crc, 16);
  entry.writeUInt32LE(Math.min(c.compressed, U32_MAX), 20);
  entry.writeUInt32LE(Math.min(c.size, U32_MAX), 24);
  entry.writeUInt16LE(c.nameBytes.length, 28);
  entry.writeUInt16LE(c.extra.length, 30);
  entry.writeUInt32LE(Math.min(c.offset, U32_MAX), 42);
  c.nameBytes.copy(entry, CENTRAL_LEN);
  c.extra.copy(entry, CENTRAL_LEN + c.nameBytes.length);
  return entry;
}

/** Writes a zip file a member at a time: each member's bytes go to the sink as they are produced. */
export class ZipWriter {
  private readonly central: Buffer[] = [];
  private readonly when: [number, number];

  constructor(
    private readonly out: ZipSink,
    private readonly layout: ZipLayout = 'npz',
  ) {
    this.when = layout === 'pytorch' ? [0, 0] : dosDateTime(new Date());
  }

  /**
   * Adds the member `name` of `size` bytes, the concatenation of `parts`, stored or deflated
   * (the 'pytorch' layout stores every member). Returns the member's CRC-32.
   */
  add(name: string, size: number, parts: Iterable<Uint8Array>, deflate = false): number {
    if (this.layout === 'pytorch') {
      if (deflate) throw new Error("internal error: the 'pytorch' zip layout stores members");
      return this.addAligned(name, size, parts);
    }
    const nameBytes = Buffer.from(name, 'utf8');
    const flags = nameBytes.length !== name.length ? UTF8_NAMES : 0;
    const offset = this.out.position;
    const zip64 = size >= ZIP64_SIZE;
    const local = this.localHeader(nameBytes, flags, deflate ? 8 : 0, zip64 ? 45 : 20, zip64 ? 20 : 0);
    if (zip64) local.writeUInt32LE(0x00100001, LOCAL_LEN + nameBytes.length); // id 1, 16 bytes: the sizes
    this.out.write(local);
    let crc = 0, seen = 0, written = 0;
    const emit = (chunk: Uint8Array) => {
      this.out.write(chunk);
      written += chunk.length;
    };
    const deflater = deflate ? new Deflate({ level: 6 }, emit) : null;
    for (const part of parts) {
      crc = crc32(part, crc);
      seen += part.length;
      if (deflater === null) emit(part);
      else for (let i = 0; i < part.length; i += PUSH) deflater.push(part.subarray(i, i + PUSH));
    }
    deflater?.push(new Uint8Array(0), true);
    if (seen !== size) throw new Error(`ZipWriter: '${name}' has ${seen} bytes, not the ${size} announced`);
    if (!zip64 && written >= U32_MAX) throw new RangeError(`'${name}': ${written} compressed bytes do not fit a zip header`);
    const sizes = Buffer.alloc(zip64 ? 28 : 12);
    sizes.writeUInt32LE(crc, 0);
    if (zip64) {
      sizes.writeUInt32LE(U32_MAX, 4);
      sizes.writeUInt32LE(U32_MAX, 8);
      sizes.writeBigUInt64LE(BigInt(size), 12);
      sizes.writeBigUInt64LE(BigInt(written), 20);
      this.out.patch(sizes.subarray(0, 12), offset + 14);
      this.out.patch(sizes.subarray(12), offset + LOCAL_LEN + nameBytes.length + 4);
    } else {
      sizes.writeUInt32LE(written, 4);
      sizes.writeUInt32LE(size, 8);
      this.out.patch(sizes, offset + 14);
    }
    // The central directory entry, with zip64 values for whatever does not fit in 32 bits.
    const extra = zip64Field([size, written, offset].filter((v) => v >= U32_MAX));
    const version = extra.length > 0 ? 45 : 20;
    this.central.push(centralEntry({ made: version, needed: version, local, crc, compressed: written, size, offset, nameBytes, extra }));
    return crc;
  }

  /** A local header with no CRC or sizes yet, followed by the name and `extraLength` bytes of room. */
  private localHeader(nameBytes: Buffer, flags: number, method: number, needed: number, extraLength: number): Buffer {
    const local = Buffer.alloc(LOCAL_LEN + nameBytes.length + extraLength);
    local.writeUInt32LE(LOCAL_SIG, 0);
    local.writeUInt16LE(needed, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(this.when[0], 10);
    local.writeUInt16LE(this.when[1], 12);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(extraLength, 28);
    nameBytes.copy(local, LOCAL_LEN);
    return local;
  }

  /** add() in the 'pytorch' layout (see the top of this file). */
  private addAligned(name: string, size: number, parts: Iterable<Uint8Array>): number {
    const nameBytes = Buffer.from(name, 'utf8');
    const offset = this.out.position;
    const big = size >= U32_MAX || offset >= U32_MAX;
    // zip64 values, in the local header and the directory alike: the sizes if large, the offset if large
    const zip64 = zip64Field([...(size >= U32_MAX ? [size, size] : []), ...(offset >= U32_MAX ? [offset] : [])]);
    const before = offset + LOCAL_LEN + nameBytes.length + zip64.length + 4;
    const pad = (ALIGN - (before % ALIGN)) % ALIGN;
    const flags = UTF8_NAMES | (size > 0 ? HAS_DESCRIPTOR : 0);
    const local = this.localHeader(nameBytes, flags, 0, 0, zip64.length + 4 + pad);
    let at = LOCAL_LEN + nameBytes.length;
    zip64.copy(local, at);
    at += zip64.length;
    local.write('FB', at, 'latin1');
    local.writeUInt16LE(pad, at + 2);
    local.fill('Z', at + 4);
    this.out.write(local);
    let crc = 0, seen = 0;
    for (const part of parts) {
      crc = crc32(part, crc);
      seen += part.length;
      this.out.write(part);
    }
    if (seen !== size) throw new Error(`ZipWriter: '${name}' has ${seen} bytes, not the ${size} announced`);
    if (size > 0) {
      const descriptor = Buffer.alloc(big ? 24 : 16);
      descriptor.writeUInt32LE(DESCRIPTOR_SIG, 0);
      descriptor.writeUInt32LE(crc, 4);
      if (big) {
        descriptor.writeBigUInt64LE(BigInt(size), 8);
        descriptor.writeBigUInt64LE(BigInt(size), 16);
      } else {
        descriptor.writeUInt32LE(size, 8);
        descriptor.writeUInt32LE(size, 12);
      }
      this.out.write(descriptor);
    }
    this.central.push(centralEntry({ made: 0, needed: 0, local, crc, compressed: size, size, offset, nameBytes, extra: zip64 }));
    return crc;
  }

  /** Writes the central directory and the end records. */
  finish(): void {
    const cdOffset = this.out.position;
    for (const entry of this.central) this.out.write(entry);
    const cdSize = this.out.position - cdOffset;
    const count = this.central.length;
    const pytorch = this.layout === 'pytorch';
    if (pytorch || count >= U16_MAX || cdSize >= U32_MAX || cdOffset >= U32_MAX) {
      const end64 = Buffer.alloc(END64_LEN + LOCATOR64_LEN);
      end64.writeUInt32LE(END64_SIG, 0);
      end64.writeBigUInt64LE(BigInt(END64_LEN - 12), 4);
      end64.writeUInt16LE(pytorch ? 0x031e : 45, 12); // miniz says: made by Unix, version 3.0
      end64.writeUInt16LE(45, 14);
      end64.writeBigUInt64LE(BigInt(count), 24);
      end64.writeBigUInt64LE(BigInt(count), 32);
      end64.writeBigUInt64LE(BigInt(cdSize), 40);
      end64.writeBigUInt64LE(BigInt(cdOffset), 48);
      end64.writeUInt32LE(LOCATOR64_SIG, END64_LEN);
      end64.writeBigUInt64LE(BigInt(cdOffset + cdSize), END64_LEN + 8);
      end64.writeUInt32LE(1, END64_LEN + 16);
      this.out.write(end64);
    }
    const end = Buffer.alloc(END_LEN);
    end.writeUInt32LE(END_SIG, 0);
    end.writeUInt16LE(Math.min(count, U16_MAX), 8);
    end.writeUInt16LE(Math.min(count, U16_MAX), 10);
    end.writeUInt32LE(Math.min(cdSize, U32_MAX), 12);
    end.writeUInt32LE(Math.min(cdOffset, U32_MAX), 16);
    this.out.write(end);
  }
}
