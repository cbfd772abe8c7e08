// tg.save in the torch format: the pickle it writes, opcode by opcode, as Python's C pickler
// (torch.save's) writes the same values. torch_save.test.ts has the archive around it.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { encodeLong, utf8SurrogatePass } from '../../src/io/pickle-write';
import { opsOf, type Op } from './pickle-dis';
import { pickleOf } from './torch_save_values';

const { nn } = tg;
const work = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-torch-pickle-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let serial = 0;

/** The opcodes of obj's pickle (without BINPUT). */
function ops(obj: unknown): Op[] {
  const path = join(work, `ops${serial++}.pt`);
  tg.save(obj as tg.TorchSaveable, path);
  return opsOf(pickleOf(path));
}

describe('the pickle', () => {
  it("encodes ints as Python's pickle.encode_long", () => {
    const hex = (x: bigint) => encodeLong(x).toString('hex');
    expect([0n, 1n, 127n, 128n, 255n, -1n, -128n, -129n, -256n, 2n ** 63n, -(2n ** 63n), -(2n ** 47n)].map(hex)).toEqual(
      ['', '01', '7f', '8000', 'ff00', 'ff', '80', '7fff', '00ff', '000000000000008000', '0000000000000080', '000000000080'],
    );
  });

  it("encodes strings as UTF-8, lone surrogates as Python's 'surrogatepass'", () => {
    expect(utf8SurrogatePass('h\u00e9\u{1f600}').toString('hex')).toBe(Buffer.from('h\u00e9\u{1f600}').toString('hex'));
    expect(utf8SurrogatePass('a\ud800b\udfff').toString('hex')).toBe('61eda080' + '62' + 'edbfbf');
  });

  const has = (list: Op[], op: Op) => list.some((o) => o[0] === op[0] && o[1] === op[1]);

  it('writes numbers as Python would: integers as ints (-0 and fractions as floats), big ones with LONG1 and LONG4', () => {
    const o = ops([0, -0, 2 ** 53, 2 ** 1000, 2n ** 2100n, 0.5, undefined]);
    expect(o.slice(3, -2)).toEqual([
      ['BININT1', 0], ['BINFLOAT', -0], ['LONG1', 2n ** 53n], ['LONG1', 2n ** 1000n], ['LONG4', 2n ** 2100n], ['BINFLOAT', 0.5], ['NONE'],
    ]);
  });

  it('writes bytes, the empty ones too, as _codecs.encode(text, "latin1")', () => {
    const o = ops([new Uint8Array(0), Buffer.from([0xe9])]);
    expect(o).toContainEqual(['GLOBAL', '_codecs encode']);
    expect(has(o, ['BINUNICODE', '']) && has(o, ['BINUNICODE', '\u00e9']) && has(o, ['BINUNICODE', 'latin1'])).toBe(true);
  });

  it('writes a tensor, array or object met twice once, as pickle does (Python loads one object)', () => {
    const shared = [1, 2];
    const t = tg.ones(2);
    const o = ops({ a: shared, b: shared, t, u: t });
    expect(o.filter(([n]) => n === 'EMPTY_LIST')).toHaveLength(1);
    expect(o.filter(([n, a]) => n === 'GLOBAL' && a === 'torch._utils _rebuild_tensor_v2')).toHaveLength(1);
    expect(o.filter(([n]) => n === 'BINGET').length).toBeGreaterThanOrEqual(2);
  });

  it("batches a list's, dict's and OrderedDict's items as Python's C pickler (torch.save's) does", () => {
    const batches = (v: unknown) => ops(v).filter(([n]) => ['MARK', 'APPEND', 'APPENDS', 'SETITEM', 'SETITEMS'].includes(n)).map(([n]) => n);
    const list = (n: number) => Array.from({ length: n }, (_, i) => i);
    const dict = (n: number) => Object.fromEntries(list(n).map((i) => [`k${i}`, i]));
    const od = (n: number) => ({ stateDict: () => dict(n) }); // saved as a collections.OrderedDict
    // batch_list_exact: APPEND for a list of one item only
    expect(batches(list(1))).toEqual(['APPEND']);
    expect(batches(list(1000))).toEqual(['MARK', 'APPENDS']);
    expect(batches(list(1001))).toEqual(['MARK', 'APPENDS', 'MARK', 'APPENDS']);
    // batch_dict_exact: SETITEM for a dict of one item only; a last full batch is followed by an empty one
    expect(batches(dict(1))).toEqual(['SETITEM']);
    expect(batches(dict(1000))).toEqual(['MARK', 'SETITEMS', 'MARK', 'SETITEMS']);
    expect(batches(dict(1001))).toEqual(['MARK', 'SETITEMS', 'MARK', 'SETITEMS']);
    expect(batches(new Map(list(2000).map((i) => [i, i])))).toEqual(['MARK', 'SETITEMS', 'MARK', 'SETITEMS', 'MARK', 'SETITEMS']);
    // batch_dict (an OrderedDict's items): SETITEM for a batch of one; nothing after a last full batch
    expect(batches(od(1000))).toEqual(['MARK', 'SETITEMS']);
    expect(batches(od(1001))).toEqual(['MARK', 'SETITEMS', 'SETITEM']);
  });

  it('saves a module as a collections.OrderedDict, a plain object as a dict', () => {
    expect(ops(new nn.Linear(2, 2)).slice(0, 5)).toEqual([['PROTO', 2], ['GLOBAL', 'collections OrderedDict'], ['EMPTY_TUPLE'], ['REDUCE'], ['MARK']]);
    expect(ops(new nn.Linear(2, 2).stateDict()).slice(0, 3)).toEqual([['PROTO', 2], ['EMPTY_DICT'], ['MARK']]);
  });
});
