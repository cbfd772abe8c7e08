// tg.saveNpy / loadNpy / saveNpz / loadNpz: against files NumPy wrote, byte for byte, NumPy itself
// (when python3 with numpy is there), and hostile files.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, loadFixture, type EncodedTensor } from '../helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'io');
const fixture = loadFixture<{ npy: Record<string, EncodedTensor>; npz: Record<string, Record<string, EncodedTensor>> }>('io.json');
const work = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-npy-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const tmp = (name: string) => join(work, name);

function expectSame(t: tg.Tensor, want: tg.Tensor, label: string): void {
  expect(t.dtype, label).toBe(want.dtype);
  expect([...t.shape], label).toEqual([...want.shape]);
  expect(Array.from(t.toTypedArray() as ArrayLike<number | bigint>), label).toEqual(Array.from(want.toTypedArray() as ArrayLike<number | bigint>));
}

describe('.npy and .npz', () => {
  it('reads what NumPy wrote: every dtype, both byte orders, Fortran order, 0-d, empty, format versions 1.0 to 3.0', () => {
    for (const [file, want] of Object.entries(fixture.npy)) expectSame(tg.loadNpy(join(FIXTURES, file)), decode(want), file);
  });

  it('writes byte for byte what np.save writes', () => {
    for (const file of ['f4.npy', 'f8.npy', 'i8.npy', 'b1.npy', 'scalar.npy', 'empty.npy', 'v1.npy']) {
      tg.saveNpy(tg.loadNpy(join(FIXTURES, file)), tmp(file));
      expect(fs.readFileSync(tmp(file)).equals(fs.readFileSync(join(FIXTURES, file))), file).toBe(true);
    }
  });

  it('writes non-contiguous tensors in C order', () => {
    const t = tg.arange(24, { dtype: 'float64' }).reshape(2, 3, 4).permute(2, 0, 1);
    tg.saveNpy(t, tmp('permuted.npy'));
    expectSame(tg.loadNpy(tmp('permuted.npy')), t.contiguous(), 'permuted');
    expectSame(tg.loadNpy(join(FIXTURES, 'f8_fortran.npy')), decode(fixture.npy['f8_fortran.npy']), 'fortran');
  });

  it('reads .npz files np.savez and np.savez_compressed wrote, and writes both kinds', () => {
    for (const [file, want] of Object.entries(fixture.npz)) {
      const got = tg.loadNpz(join(FIXTURES, file));
      expect(Object.keys(got)).toEqual(Object.keys(want));
      for (const [k, t] of Object.entries(want)) expectSame(got[k], decode(t), `${file} ${k}`);
    }
    const tensors = { w: tg.randn(30, 20), b: tg.arange(5, { dtype: 'int64' }), m: tg.tensor([true, false]), s: tg.tensor(2.5) };
    for (const compressed of [false, true]) {
      tg.saveNpz(tensors, tmp('out.npz'), { compressed });
      const back = tg.loadNpz(tmp('out.npz'));
      for (const [k, t] of Object.entries(tensors)) expectSame(back[k], t, k);
    }
    tg.saveNpz(new Map([['zeros', tg.zeros(1000)]]), tmp('small.npz'), { compressed: true });
    expect(fs.statSync(tmp('small.npz')).size).toBeLessThan(500); // deflated
  });
});

// ---- NumPy itself --------------------------------------------------------------------------------

const python = ['python3', process.env.TENSORGRAD_BENCH_PYTHON].find(
  (p) => p !== undefined && spawnSync(p, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0,
);

describe.runIf(python !== undefined)('NumPy itself (python3 with numpy)', () => {
  const py = (code: string) => {
    const r = spawnSync(python!, ['-c', code], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout;
  };

  it('loads what tensorgrad writes', () => {
    tg.manualSeed(0);
    const t = { f32: tg.randn(3, 4), f64: tg.randn(5, { dtype: 'float64' }), i32: tg.tensor([-1, 2], { dtype: 'int32' }), i64: tg.tensor([2n ** 60n]), b: tg.tensor([true, false]), s: tg.tensor(7.5), e: tg.zeros(0, 2) };
    for (const [k, v] of Object.entries(t)) tg.saveNpy(v, tmp(`${k}.npy`));
    tg.saveNpz(t, tmp('t.npz'));
    tg.saveNpz(t, tmp('tc.npz'), { compressed: true });
    const out = JSON.parse(py(`
import json, numpy as np
d = {}
for k in ${JSON.stringify(Object.keys(t))}:
    a = np.load(${JSON.stringify(work)} + '/' + k + '.npy')
    d[k] = [str(a.dtype), list(a.shape), [str(v) if a.dtype == np.int64 else v for v in a.ravel().tolist()]]
for f in ['t.npz', 'tc.npz']:
    z = np.load(${JSON.stringify(work)} + '/' + f)
    d[f] = all(np.array_equal(z[k], np.load(${JSON.stringify(work)} + '/' + k + '.npy')) for k in z.files) and sorted(z.files)
print(json.dumps(d))`)) as Record<string, unknown>;
    const names: Record<string, string> = { float32: 'float32', float64: 'float64', int32: 'int32', int64: 'int64', bool: 'bool' };
    for (const [k, v] of Object.entries(t)) {
      const [dtype, shape, values] = out[k] as [string, number[], unknown[]];
      expect([dtype, shape], k).toEqual([names[v.dtype], [...v.shape]]);
      const mine = Array.from(v.toTypedArray() as ArrayLike<number | bigint>).map((x) => (typeof x === 'bigint' ? String(x) : v.dtype === 'bool' ? x === 1 : x));
      expect(values, k).toEqual(mine);
    }
    expect(out['t.npz']).toEqual(Object.keys(t).sort());
    expect(out['tc.npz']).toEqual(Object.keys(t).sort());
  });

  it('tensorgrad loads what NumPy writes', () => {
    const dump = JSON.parse(py(`
import json, numpy as np
rng = np.random.default_rng(5)
arrays = {'a': rng.standard_normal((4, 3)).astype('>f4'), 'b': np.asfortranarray(rng.integers(-9, 9, (2, 3, 2))), 'c': rng.random(6) > 0.5, 'd': np.float64(-0.0)}
for k, a in arrays.items(): np.save(${JSON.stringify(work)} + '/np_' + k + '.npy', a)
np.savez_compressed(${JSON.stringify(work)} + '/np.npz', **arrays)
print(json.dumps({k: [list(np.shape(a)), np.asarray(a).astype(float).ravel().tolist()] for k, a in arrays.items()}))`)) as Record<string, [number[], number[]]>;
    const npz = tg.loadNpz(tmp('np.npz'));
    for (const [k, [shape, values]] of Object.entries(dump)) {
      for (const t of [tg.loadNpy(tmp(`np_${k}.npy`)), npz[k]]) {
        expect([...t.shape], k).toEqual(shape);
        expect(Array.from(t.toTypedArray() as ArrayLike<number | bigint>, Number), k).toEqual(values);
      }
    }
  });
});

// ---- hostile files ------------------------------------------------------------------------------

/** An .npy file: magic, version, header length, header text (padded as given), data bytes. */
function npy(header: string, data = 0, version = [1, 0], magic = '\x93NUMPY'): Buffer {
  const h = Buffer.from(header, 'latin1');
  const len = Buffer.alloc(version[0] === 1 ? 2 : 4);
  if (version[0] === 1) len.writeUInt16LE(Math.min(h.length, 0xffff));
  else len.writeUInt32LE(h.length);
  return Buffer.concat([Buffer.from(magic, 'latin1'), Buffer.from(version), len, h, Buffer.alloc(data)]);
}
const dict = (descr: string, shape: string, fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;

const HOSTILE_NPY: [string, Buffer, RegExp][] = [
  ['an empty file', Buffer.alloc(0), /not an .npy file: 0 bytes/],
  ['a wrong magic string', npy(dict('<f4', '(1,)'), 4, [1, 0], 'NUMPY!'), /does not start with the magic string/],
  ['an unknown format version', npy(dict('<f4', '(1,)'), 4, [4, 0]), /format version 4.0 is not one tensorgrad reads/],
  ['a header length beyond the file (truncated)', npy(dict('<f4', '(1,)')).subarray(0, 30), /claims \d+ bytes, but the file ends first/],
  ['a header longer than NumPy allows', npy(`${dict('<f4', '(1,)').trimEnd()}${' '.repeat(20000)}\n`, 4, [2, 0]), /header info length \(\d+\) is large and may not be safe/],
  ['a header that is not a dict', npy('[1, 2]\n'), /the header is not a dictionary/],
  ['code in the header', npy("__import__('os').system('echo pwned')\n"), /cannot parse the .npy header/],
  ['missing keys', npy("{'descr': '<f4', 'shape': (1,), }\n", 4), /must have the keys descr, fortran_order and shape/],
  ['a negative size', npy(dict('<f4', '(-1,)'), 4), /shape is not a tuple of non-negative integers/],
  ['an unsupported dtype', npy(dict('<c16', '(1,)'), 16), /dtype "<c16" are not supported/],
  ['Python objects', npy(dict('|O', '(1,)'), 8), /dtype "\|O" are not supported/],
  ['a structured dtype', npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }\n", 4), /structured arrays/],
  ['truncated data', npy(dict('<f8', '(1000,)'), 16), /shape \(1000,\) needs 8000 bytes of data, but the file has 16/],
  ['a shape needing terabytes', npy(dict('<f4', '(1000000, 1000000)'), 4), /needs 4000000000000 bytes of data, but the file has 4/],
];

describe('.npy: hostile files', () => {
  for (const [what, bytes, message] of HOSTILE_NPY) {
    it(`${what}: a FormatError that names the problem`, () => {
      const path = tmp(`hostile-${what.replace(/\W+/g, '-')}.npy`);
      fs.writeFileSync(path, bytes);
      expect(() => tg.loadNpy(path)).toThrow(tg.FormatError);
      expect(() => tg.loadNpy(path)).toThrow(message);
    });
  }
});

describe('.npz: hostile files', () => {
  const member = (name: string, bytes: Uint8Array, level: 0 | 6) => zipSync({ [name]: [bytes, { level }] });
  /** Sets the uncompressed size (and the compression method) of the first entry of the central directory. */
  const patch = (zip: Uint8Array, size: number, method?: number) => {
    const b = Buffer.from(zip);
    const cd = b.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    b.writeUInt32LE(size, cd + 24);
    if (method !== undefined) b.writeUInt16LE(method, cd + 10);
    return b;
  };
  const good = fs.readFileSync(join(FIXTURES, 'f4.npy'));
  const cases: [string, Uint8Array, RegExp][] = [
    ['not a zip file', Buffer.from('hello'), /not a valid .npz \(zip\) file/],
    ['a deflated member claiming an impossible size', patch(member('a.npy', good, 6), 0xfffffff0), /claims an impossible size/],
    ['a stored member whose sizes disagree', patch(member('a.npy', good, 0), good.length + 100), /inconsistent sizes/],
    ['an unknown compression method', patch(member('a.npy', good, 6), good.length, 12), /compression method 12/],
    ['a corrupt deflate stream', (() => { const z = Buffer.from(member('a.npy', good, 6)); z.fill(0xff, 40, 60); return z; })(), /not a valid .npz|FormatError|\.npy/],
    ['a hostile .npy inside', member('a.npy', npy(dict('<f4', '(1000000, 1000000)'), 4), 0), /a\.npy: an array of shape \(1000000, 1000000\) needs/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`${what}: a FormatError`, () => {
      const path = tmp(`hostile-${what.replace(/\W+/g, '-')}.npz`);
      fs.writeFileSync(path, bytes);
      expect(() => tg.loadNpz(path)).toThrow(tg.FormatError);
      expect(() => tg.loadNpz(path)).toThrow(message);
    });
  }
});
