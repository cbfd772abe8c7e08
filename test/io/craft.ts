// Crafting .npy, .npz (zip) and safetensors files with any field a lie, for the hostile-file tests.
import * as zlib from 'node:zlib';
import { crc32 } from '../../src/io/zip';

/** An .npy file (version 1.0): the header for descr and shape, padded as np.save pads it, then data. */
export function npy(descr: string, shape: number[], data: Uint8Array): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = (64 - ((10 + dict.length + 1) % 64)) % 64;
  const header = Buffer.from(`${dict}${' '.repeat(pad)}\n`, 'latin1');
  const len = Buffer.alloc(2);
  len.writeUInt16LE(header.length);
  return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), len, header, data]);
}

export interface Member {
  name: string;
  /** The bytes as stored (deflated already for method 8). */
  data: Uint8Array;
  method?: number;
  /** The uncompressed size and CRC-32 the directory gives (default: those of data). */
  size?: number;
  crc?: number;
}

export { crc32 };

/** A zip file of `members`, then its central directory and end record. */
export function zip(members: Member[]): Buffer {
  const parts: Buffer[] = [], central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const size = m.size ?? m.data.length, crc = m.crc ?? crc32(m.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(m.method ?? 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(m.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(m.method ?? 0, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(m.data.length, 20);
    c.writeUInt32LE(size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    parts.push(local, name, Buffer.from(m.data));
    offset += 30 + name.length + m.data.length;
  }
  const cd = Buffer.concat(central);
  return Buffer.concat([...parts, cd, endRecord(members.length, cd.length, offset)]);
}

export function endRecord(count: number, cdSize: number, cdOffset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(cdOffset, 16);
  return end;
}

/** The zip64 end record and its locator (at `at`), for `count` entries and the given directory. */
export function zip64End(at: number, count: bigint, cdSize: bigint, cdOffset: bigint): Buffer {
  const b = Buffer.alloc(56 + 20);
  b.writeUInt32LE(0x06064b50, 0);
  b.writeBigUInt64LE(44n, 4);
  b.writeUInt16LE(45, 12);
  b.writeUInt16LE(45, 14);
  b.writeBigUInt64LE(count, 24);
  b.writeBigUInt64LE(count, 32);
  b.writeBigUInt64LE(cdSize, 40);
  b.writeBigUInt64LE(cdOffset, 48);
  b.writeUInt32LE(0x07064b50, 56);
  b.writeBigUInt64LE(BigInt(at), 64);
  b.writeUInt32LE(1, 72);
  return b;
}

/** Rewrites a zip's end record as zip64 (its 16- and 32-bit fields all 0xff..., the values in the zip64 record). */
export function asZip64(z: Buffer): Buffer {
  const endAt = z.length - 22;
  const count = z.readUInt16LE(endAt + 10), cdSize = z.readUInt32LE(endAt + 12), cdOffset = z.readUInt32LE(endAt + 16);
  const end = Buffer.alloc(22, 0xff);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt32LE(0, 4); // disk numbers
  end.writeUInt16LE(0, 20); // no comment
  return Buffer.concat([z.subarray(0, endAt), zip64End(endAt, BigInt(count), BigInt(cdSize), BigInt(cdOffset)), end]);
}

/** Raw DEFLATE data that inflates to n MB of zeros in about n KB (one flushed block, repeated). */
export function zerosDeflated(n: number, final = true): Buffer {
  const block = zlib.deflateRawSync(Buffer.alloc(1 << 20), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array<Buffer>(n).fill(block), final ? Buffer.from([3, 0]) : Buffer.alloc(0)]);
}

/** A safetensors file: the 8-byte length, the header text, then n data bytes. */
export function safetensors(header: string | object, n = 0): Buffer {
  const h = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, Buffer.alloc(n)]);
}
