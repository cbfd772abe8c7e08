// tg.loadNpz against lying zip directories and members (issue 18, items 2 and 3): every count,
// size and offset is checked against the file, members are streamed (header first, then straight
// into the tensor), their sizes and CRC-32s checked; and saveNpz's streamed writing.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { crc32Js } from '../../src/io/zip';
import { asZip64, crc32, endRecord, npy, zerosDeflated, zip, zip64End } from './craft';

const work = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-npz-hostile-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let serial = 0;
const write = (bytes: Uint8Array) => {
  const path = join(work, `f${serial++}.npz`);
  fs.writeFileSync(path, bytes);
  return path;
};

/** The error loadNpz throws for these bytes. */
function loadError(bytes: Uint8Array, opts?: { maxBytes?: number }): Error {
  try {
    tg.loadNpz(write(bytes), opts);
  } catch (e) {
    return e as Error;
  }
  throw new Error('loadNpz did not throw');
}

const f4 = (n: number, fill = 1) => npy('<f4', [n], Buffer.from(new Float32Array(n).fill(fill).buffer));

describe('.npz: the zip directory must fit in the file (item 2)', () => {
  const good = () => zip([{ name: 'a.npy', data: f4(4) }, { name: 'b.npy', data: f4(2) }]);
  const cdAt = (z: Buffer) => z.readUInt32LE(z.length - 22 + 16);

  it('a 98-byte file whose zip64 end record claims 2^32-1 entries: a FormatError at once', () => {
    // (fflate's unzipSync looped over the 2^32-1 entries, reading zeros past the end, for about 30 minutes)
    const bytes = Buffer.concat([zip64End(0, 0xffffffffn, 0n, 98n), Buffer.alloc(22)]);
    endRecord(0xffff, 0xffffffff, 0xffffffff).copy(bytes, 76);
    expect(bytes.length).toBe(98);
    const e = loadError(bytes);
    expect(e).toBeInstanceOf(tg.FormatError);
    expect(e.message).toMatch(/the number of entries in the zip64 end record is 4294967295, but a file of 98 bytes can hold at most 2/);
  });

  const cases: [string, (z: Buffer) => void, RegExp][] = [
    ['an end record claiming more entries than its directory holds', (z) => {
      z.writeUInt16LE(1000, z.length - 22 + 8);
      z.writeUInt16LE(1000, z.length - 22 + 10);
    }, /claims 1000 entries, but a central directory of 102 bytes holds at most 2/],
    ['a central directory beyond the file', (z) => z.writeUInt32LE(1_000_000, z.length - 22 + 16), /the central directory \(bytes 1000000 to 1000102\) runs past its end record at byte \d+/],
    ['a directory larger than the file', (z) => z.writeUInt32LE(0xfffffff0, z.length - 22 + 12), /runs past its end record/],
    ['a local header offset inside the directory', (z) => z.writeUInt32LE(cdAt(z) + 10, cdAt(z) + 42), /the local header of 'a.npy' \(byte \d+\) is not before the central directory/],
    ['a local header offset pointing at data', (z) => z.writeUInt32LE(40, cdAt(z) + 42), /no local header at byte 40, where the directory puts 'a.npy'/],
    ['members that overlap', (z) => {
      z.writeUInt32LE(z.readUInt32LE(cdAt(z) + 20) + 8, cdAt(z) + 20); // a.npy's sizes run into b.npy
      z.writeUInt32LE(z.readUInt32LE(cdAt(z) + 24) + 8, cdAt(z) + 24);
    }, /the members 'a.npy' and 'b.npy' overlap/],
    ['two members of one name', (z) => z.write('a', cdAt(z) + 46 + 5 + 46), /the member 'a.npy' appears twice/],
    ['a local header naming another member', (z) => z.write('c', 30), /the local header of 'a.npy' names another member/],
    ['a directory entry cut short', (z) => z.writeUInt16LE(200, cdAt(z) + 28), /central directory entry 0 runs past the end of the directory/],
    ['a spanned (multi-disk) archive', (z) => z.writeUInt16LE(1, z.length - 22 + 4), /spans several disks/],
  ];
  for (const [what, patch, message] of cases) {
    it(`${what}: a FormatError that names it`, () => {
      const z = good();
      patch(z);
      const e = loadError(z);
      expect(e).toBeInstanceOf(tg.FormatError);
      expect(e.message).toMatch(message);
    });
  }

  it('reads zip64 end records (as Python writes them for many members)', () => {
    const got = tg.loadNpz(write(asZip64(good())));
    expect(Object.keys(got)).toEqual(['a', 'b']);
    expect(got.a.tolist()).toEqual([1, 1, 1, 1]);
  });
});

describe('.npz: members are streamed and checked (item 3)', () => {
  it('a member whose declared size is not its header plus shape x itemsize: a FormatError before any allocation', () => {
    const e = loadError(zip([{ name: 'a.npy', data: Buffer.concat([f4(1), Buffer.alloc(4)]) }]));
    expect(e).toBeInstanceOf(tg.FormatError);
    expect(e.message).toMatch(/a\.npy: an array of shape \(1,\) needs 4 bytes of data after its 128-byte header, but the member's declared size is 136/);
  });

  it('a 1 MB member claiming 1 GB uncompressed for a 1-element array: a FormatError, nothing allocated from the claim', () => {
    const data = zlib.deflateRawSync(Buffer.concat([f4(1), randomBytes(1 << 20)]));
    const e = loadError(zip([{ name: 'a.npy', data, method: 8, size: 1 << 30 }]));
    expect(e).toBeInstanceOf(tg.FormatError);
    expect(e.message).toMatch(/needs 4 bytes of data after its 128-byte header, but the member's declared size is 1073741824/);
  });

  it('a deflate stream that goes on past the declared size (a bomb): stopped, a FormatError', () => {
    const head = f4(1);
    const data = Buffer.concat([zlib.deflateRawSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH }), zerosDeflated(256)]);
    const e = loadError(zip([{ name: 'a.npy', data, method: 8, size: head.length, crc: crc32(head) }]));
    expect(e).toBeInstanceOf(tg.FormatError);
    expect(e.message).toMatch(/a\.npy: the member inflates to more than its declared 132 bytes/);
  });

  it('a member that is not .npy is refused from its first bytes (1 GB of deflated zeros)', () => {
    const e = loadError(zip([{ name: 'a.npy', data: zerosDeflated(1024), method: 8, size: 1 << 30, crc: 0 }]));
    expect(e).toBeInstanceOf(tg.FormatError);
    expect(e.message).toMatch(/a\.npy: not an \.npy file: it does not start with the magic string/);
  });

  it('a deflate stream that ends early, or is not deflate: a FormatError', () => {
    const full = zlib.deflateRawSync(f4(1000, 2));
    const cut = loadError(zip([{ name: 'a.npy', data: full.subarray(0, full.length - 20), method: 8, size: f4(1000).length, crc: crc32(f4(1000, 2)) }]));
    expect(cut).toBeInstanceOf(tg.FormatError);
    expect(cut.message).toMatch(/a\.npy: (invalid deflate data|the member ends after)/);
    const junk = loadError(zip([{ name: 'a.npy', data: Buffer.alloc(100, 0xff), method: 8, size: 132 }]));
    expect(junk).toBeInstanceOf(tg.FormatError);
  });

  it('checks each member\'s CRC-32, as NumPy does: one flipped byte is a FormatError', () => {
    const z = zip([{ name: 'a.npy', data: f4(1024, 7) }]);
    z[30 + 5 + 128 + 100] ^= 1; // a byte of the elements
    const e = loadError(z);
    expect(e).toBeInstanceOf(tg.FormatError);
    expect(e.message).toMatch(/a\.npy: CRC-32 mismatch/);
    const deflated = loadError(zip([{ name: 'a.npy', data: zlib.deflateRawSync(f4(8)), method: 8, size: f4(8).length, crc: 1234 }]));
    expect(deflated.message).toMatch(/a\.npy: CRC-32 mismatch \(the member is corrupt: computed 0x[0-9a-f]{8}, the directory says 0x000004d2\)/);
  });

  it('computes CRC-32 as zlib does, also without zlib.crc32 (Node.js before 20.15)', () => {
    const data = randomBytes(100_000);
    if (typeof zlib.crc32 === 'function') expect(crc32Js(data)).toBe(zlib.crc32(data));
    expect(crc32Js(data.subarray(5000), crc32Js(data.subarray(0, 5000)))).toBe(crc32Js(data));
    expect(crc32Js(Buffer.from('123456789'))).toBe(0xcbf43926); // the standard check value
  });

  it('loads the same arrays from stored, deflated and zip64 members, and skips members that are not .npy', () => {
    const a = f4(300, 1.5), b = npy('<i8', [2, 3], Buffer.from(new BigInt64Array([1n, -2n, 3n, -4n, 5n, 2n ** 60n]).buffer));
    const z = zip([
      { name: 'a.npy', data: zlib.deflateRawSync(a), method: 8, size: a.length, crc: crc32(a) },
      { name: 'notes.txt', data: Buffer.from('hello') },
      { name: 'b.npy', data: b },
    ]);
    for (const bytes of [z, asZip64(z)]) {
      const got = tg.loadNpz(write(bytes));
      expect(Object.keys(got)).toEqual(['a', 'b']);
      expect(got.a.sum().item()).toBe(450);
      expect([...got.b.shape]).toEqual([2, 3]);
      expect(Array.from(got.b.toTypedArray() as BigInt64Array)).toEqual([1n, -2n, 3n, -4n, 5n, 2n ** 60n]);
    }
  });
});

describe('.npz: saveNpz streams its members', () => {
  it('round trips stored and deflated members of every dtype, and many small members (zip64 end record past 65535)', () => {
    const tensors = { f: tg.randn(50, 40), d: tg.randn(7, { dtype: 'float64' }), i: tg.arange(9, { dtype: 'int32' }), l: tg.tensor([2n ** 62n]), b: tg.tensor([true, false]), e: tg.zeros(0, 3) };
    for (const compressed of [false, true]) {
      const path = join(work, `rt-${compressed}.npz`);
      tg.saveNpz(tensors, path, { compressed });
      const back = tg.loadNpz(path);
      for (const [k, t] of Object.entries(tensors)) expect(back[k].tolist(), k).toEqual(t.tolist());
    }
    const many = new Map(Array.from({ length: 70000 }, (_, i) => [`t${i}`, tg.tensor([i], { dtype: 'int32' })]));
    const path = join(work, 'many.npz');
    tg.saveNpz(many, path);
    const bytes = fs.readFileSync(path);
    expect(bytes.readUInt16LE(bytes.length - 22 + 10)).toBe(0xffff); // the count is in the zip64 record
    const back = tg.loadNpz(path);
    expect(Object.keys(back).length).toBe(70000);
    expect(back.t69999.item()).toBe(69999);
    if (spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0) {
      const r = spawnSync('python3', ['-c', `import numpy as np; z = np.load(${JSON.stringify(path)}); print(len(z.files), z['t69999'][0])`], { encoding: 'utf8' });
      expect(r.stdout.trim(), 'NumPy reads it').toBe('70000 69999');
    }
  });
});
