// tg.save / tg.load (safetensors): against files the reference implementation wrote, byte for
// byte, round trips, and hostile files.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, loadFixture, type EncodedTensor } from '../helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'io');
const fixture = loadFixture<{ safetensors: Record<string, { metadata: Record<string, string> | null; tensors: Record<string, EncodedTensor> }> }>('io.json');
const work = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-safetensors-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const tmp = (name: string) => join(work, name);

/** Exact equality of dtype, shape and values (NaN matching NaN). */
function expectSame(t: tg.Tensor, want: tg.Tensor, label: string): void {
  expect(t.dtype, label).toBe(want.dtype);
  expect([...t.shape], label).toEqual([...want.shape]);
  expect(Array.from(t.toTypedArray() as ArrayLike<number | bigint>), label).toEqual(Array.from(want.toTypedArray() as ArrayLike<number | bigint>));
}

class Net extends tg.nn.Module {
  hidden = new tg.nn.Linear(4, 3);
  predict = new tg.nn.Linear(3, 2);
  override forward(x: tg.Tensor): tg.Tensor {
    return this.predict.forward(this.hidden.forward(x).relu());
  }
}

describe('safetensors', () => {
  it('reads the files the reference implementation wrote from PyTorch tensors', () => {
    for (const [file, want] of Object.entries(fixture.safetensors)) {
      const got = tg.load(join(FIXTURES, file));
      expect(Object.keys(got).sort(), file).toEqual(Object.keys(want.tensors).sort());
      for (const [name, t] of Object.entries(want.tensors)) expectSame(got[name], decode(t), `${file} ${name}`);
      expect(tg.loadMetadata(join(FIXTURES, file))).toEqual(want.metadata);
    }
  });

  it('writes byte for byte what the reference implementation writes', () => {
    const net = tg.load(join(FIXTURES, 'net.safetensors'));
    tg.save(net, tmp('net.safetensors'), { metadata: { format: 'pt' } });
    expect(fs.readFileSync(tmp('net.safetensors')).equals(fs.readFileSync(join(FIXTURES, 'net.safetensors')))).toBe(true);
    // U8 and I8 are written from integer tensors on request
    const narrow = tg.load(join(FIXTURES, 'narrow.safetensors'));
    expect(narrow.img.dtype).toBe('int32');
    tg.save(narrow, tmp('narrow.safetensors'), { dtypes: { img: 'U8', label: 'I8' } });
    expect(fs.readFileSync(tmp('narrow.safetensors')).equals(fs.readFileSync(join(FIXTURES, 'narrow.safetensors')))).toBe(true);
  });

  it('round trips every dtype, 0-d, empty and non-contiguous tensors', () => {
    const tensors: Record<string, tg.Tensor> = {
      f32: tg.randn(3, 4), f64: tg.randn(2, { dtype: 'float64' }), i32: tg.tensor([-5, 7], { dtype: 'int32' }),
      i64: tg.tensor([2n ** 62n, -3n]), b: tg.tensor([true, false, true]), scalar: tg.tensor(1.25), empty: tg.zeros(0, 3),
      transposed: tg.arange(6).reshape(2, 3).T, sliced: tg.arange(10, { dtype: 'float64' }).narrow(0, 2, 5),
      expanded: tg.tensor([1, 2]).expand(3, 2), 'unicode 名前 \u{1F600}': tg.ones(1), __proto__: tg.zeros(2),
    };
    tg.save(tensors, tmp('all.safetensors'));
    const back = tg.load(tmp('all.safetensors'));
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const [k, t] of Object.entries(tensors)) expectSame(back[k], t.contiguous(), k);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype); // a tensor named __proto__ is just a key
    const m = new Map([['a', tg.ones(2)]]);
    tg.save(m, tmp('map.safetensors'));
    expectSame(tg.load(tmp('map.safetensors')).a, tg.ones(2), 'map');
  });

  it('module.loadStateDict(tg.load(path)) restores a model saved with tg.save', () => {
    tg.manualSeed(3);
    const net = new Net();
    tg.save(net.stateDict(), tmp('model.safetensors'), { metadata: { epoch: '3' } });
    tg.save(net, tmp('module.safetensors')); // a module saves its stateDict
    expect(fs.readFileSync(tmp('module.safetensors')).length).toBeGreaterThan(0);
    const fresh = new Net();
    const x = tg.randn(5, 4);
    expect(fresh.forward(x).tolist()).not.toEqual(net.forward(x).tolist());
    fresh.loadStateDict(tg.load(tmp('model.safetensors')));
    expect(fresh.forward(x).tolist()).toEqual(net.forward(x).tolist());
    expect(tg.loadMetadata(tmp('model.safetensors'))).toEqual({ epoch: '3' });
    expect(tg.loadMetadata(tmp('module.safetensors'))).toBeNull();
  });

  it('has Promise variants that give the same files and tensors', async () => {
    const tensors = { a: tg.randn(20, 30), b: tg.tensor([1, 2, 3], { dtype: 'int64' }) };
    tg.save(tensors, tmp('sync.safetensors'), { metadata: { k: 'v' } });
    await tg.saveAsync(tensors, tmp('async.safetensors'), { metadata: { k: 'v' } });
    expect(fs.readFileSync(tmp('async.safetensors')).equals(fs.readFileSync(tmp('sync.safetensors')))).toBe(true);
    const back = await tg.loadAsync(tmp('async.safetensors'));
    expectSame(back.a, tensors.a, 'a');
    expectSame(back.b, tensors.b, 'b');
    await expect(tg.loadAsync(tmp('missing.safetensors'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses what it cannot write faithfully', () => {
    expect(() => tg.save({ a: tg.ones(1) }, tmp('x'), { metadata: { n: 3 as unknown as string } })).toThrow("metadata values must be strings, but 'n' is number");
    expect(() => tg.save({ __metadata__: tg.ones(1) }, tmp('x'))).toThrow("'__metadata__' is reserved");
    expect(() => tg.save({ a: 3 as unknown as tg.Tensor }, tmp('x'))).toThrow("'a' is not a Tensor");
    expect(() => tg.save({ a: tg.tensor([256], { dtype: 'int32' }) }, tmp('x'), { dtypes: { a: 'U8' } })).toThrow(RangeError);
    expect(() => tg.save({ a: tg.ones(2) }, tmp('x'), { dtypes: { a: 'U8' } })).toThrow('only integer tensors can be stored as U8');
    expect(() => tg.save({ a: tg.ones(2) }, tmp('x'), { dtypes: { b: 'U8' } })).toThrow("dtypes names 'b'");
  });
});

// ---- hostile files ------------------------------------------------------------------------------

/** A file: the 8-byte length (of the header unless given), the header text, then data bytes. */
function craft(header: string | Uint8Array, data = 0, length?: bigint): Buffer {
  const h = typeof header === 'string' ? Buffer.from(header) : Buffer.from(header);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(length ?? BigInt(h.length));
  return Buffer.concat([prefix, h, Buffer.alloc(data)]);
}

const f32 = (name: string, shape: number[], begin: number, end: number) =>
  `"${name}":{"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":[${begin},${end}]}`;

const HOSTILE: [string, Buffer, RegExp][] = [
  ['an empty file', Buffer.alloc(0), /HeaderTooSmall/],
  ['a file shorter than the header length', Buffer.alloc(7), /HeaderTooSmall/],
  ['a header longer than allowed', craft('{}', 0, 2n ** 40n), /claims 1099511627776 bytes, more than the 100000000 allowed \(HeaderTooLarge\)/],
  ['a header length beyond the file (truncated)', craft('{}', 0, 100n), /claims 100 bytes, but the file has only 2 .*InvalidHeaderLength/],
  ['a header that is not JSON', craft('not json'), /InvalidHeaderStart/],
  ['a header that is broken JSON', craft('{"a": '), /not valid JSON.*InvalidHeaderDeserialization/],
  ['a header that is not UTF-8', craft(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8 \(InvalidHeader\)/],
  ['a JSON array for a header', craft('[1]'), /InvalidHeaderStart/],
  ['an unknown dtype', craft('{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}', 16), /unknown dtype "F128"/],
  ['a dtype tensorgrad cannot load', craft('{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', 1), /cannot load F8_E4M3/],
  ['a negative size', craft('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', 4), /shape must be an array of non-negative integers/],
  ['offsets that are not integers', craft('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,1e300]}}', 4), /data_offsets must be two integers/],
  ['offsets beyond the file', craft(`{${f32('a', [2], 0, 8)}}`, 4), /ends at byte 8 of the data, but the file holds 4 data bytes/],
  ['a gap between tensors', craft(`{${f32('a', [1], 0, 4)},${f32('b', [1], 8, 12)}}`, 12), /'b' starts at byte 8 of the data and leaves bytes 4 to 8 unused \(InvalidOffset\)/],
  ['overlapping tensors', craft(`{${f32('a', [2], 0, 8)},${f32('b', [2], 4, 12)}}`, 12), /'b' starts at byte 4 .* overlaps the tensor before it/],
  ['a shape needing terabytes', craft(`{${f32('a', [1000000, 1000000], 0, 4)}}`, 4), /needs 4000000000000 bytes, but its data_offsets \[0, 4\] hold 4 \(TensorInvalidInfo\)/],
  ['bytes after the last tensor', craft(`{${f32('a', [1], 0, 4)}}`, 12), /ends at byte 4, but the file holds 12 data bytes \(MetadataIncompleteBuffer\)/],
  ['metadata that is not strings', craft('{"__metadata__":{"a":1}}'), /__metadata__ must map strings to strings/],
  ['an entry that is not an object', craft('{"a":3}'), /'a': its entry is not an object/],
];

describe('safetensors: hostile files', () => {
  for (const [what, bytes, message] of HOSTILE) {
    it(`${what}: a FormatError that names the problem`, async () => {
      const path = tmp(`hostile-${what.replace(/\W+/g, '-')}.safetensors`);
      fs.writeFileSync(path, bytes);
      const error = (() => {
        try {
          tg.load(path);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(tg.FormatError); // not a RangeError from an allocation: checked first
      expect(error!.message).toMatch(message);
      expect(error!.message).toContain(path);
      await expect(tg.loadAsync(path)).rejects.toThrow(message);
    });
  }
});
