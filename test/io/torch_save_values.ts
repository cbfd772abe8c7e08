/**
 * What the torch-format tests share: reading an archive tg.save wrote (its zip directory, its
 * members), and the object of the fixture torch_save_values.pt (scripts/fixtures/torch_save.py) in
 * JavaScript.
 */
import * as tg from '../../src/index';
import { withFile } from '../../src/io/bytes';
import { openMember, readZipDirectory, type ZipEntry } from '../../src/io/zip';

/** The zip directory of the archive at path. */
export function directory(path: string): ZipEntry[] {
  return withFile(path, (src) => readZipDirectory(src));
}

/** The archive's members by name (the folder left out), with their bytes. */
export function members(path: string): Map<string, { entry: ZipEntry; bytes: Buffer }> {
  return withFile(path, (src) => {
    const out = new Map<string, { entry: ZipEntry; bytes: Buffer }>();
    for (const entry of readZipDirectory(src)) {
      const bytes = Buffer.alloc(entry.size);
      const m = openMember(src, entry, entry.name);
      m.read(bytes);
      m.end();
      out.set(entry.name.slice(entry.name.indexOf('/') + 1), { entry, bytes });
    }
    return out;
  });
}

export const pickleOf = (path: string) => (members(path).get('data.pkl') as { bytes: Buffer }).bytes;

export const f32 = { dtype: 'float32' } as const;

/** The dict of scripts/fixtures/torch_save.py's torch_save_values.pt, in JavaScript. */
export function fixtureValues() {
  const w = tg.arange(6, f32).reshape(2, 3);
  return {
    small: 1, neg: -5, u16: 300, i32: 70000, i64: 2 ** 40, big: 2n ** 70n, negbig: -(2n ** 70n), m128: -128, trim: -(2 ** 47),
    huge: 2n ** 2100n,
    float: 1.5, negzero: -0, nan: NaN, inf: Infinity,
    str: 'h\u00e9llo', sur: 'a\ud800b', bytes: new Uint8Array([0, 255, 65]), bytes2: Buffer.from('xyz'),
    none: null, yes: true, no: false,
    list: [1, 'two', [3.25]], intkeys: new Map([[1, 'one'], [2, 'two']]),
    w, wt: w.t(), row: w.narrow(0, 1, 1), col: w.narrow(1, 1, 1), again: w,
    f64: tg.arange(3, { dtype: 'float64' }), i32t: tg.tensor([-1, 2 ** 31 - 1], { dtype: 'int32' }),
    i64t: tg.tensor([-(2n ** 63n), 2n ** 62n]), bool: tg.tensor([true, false, true]),
    expanded: tg.arange(3, f32).expand(2, 3), empty: tg.zeros(0, 3), scalar: tg.tensor(7.5),
  };
}
