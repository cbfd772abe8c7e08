// tg.load against hostile torch.save files: pickles that would run code under
// torch.load(weights_only=False) (written by PyTorch, scripts/fixtures/torch_files.py), and files
// crafted byte by byte (craft_torch.ts): malformed and truncated pickles, lying storage references
// and sizes, deep nesting, lying zips. Each is a FormatError naming the problem, and nothing runs.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { loadFixture } from '../helpers';
import { zerosDeflated, zip } from './craft';
import { dictPickle, f32, global, int, legacyFile, legacyTensor, pk, str, tensor, torchZip, tuple, valuePickle } from './craft_torch';

const DIR = join(__dirname, '..', 'fixtures', 'torch');
const { marker } = loadFixture<{ marker: string }>('torch.json');
const work = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-torch-hostile-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let serial = 0;
const write = (bytes: Uint8Array) => {
  const path = join(work, `f${serial++}.pt`);
  fs.writeFileSync(path, bytes);
  return path;
};

/** The error tg.load throws for a file. */
function loadError(path: string, opts?: { maxBytes?: number }): Error {
  try {
    tg.load(path, opts);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`tg.load(${path}) did not throw`);
}

function expectRefused(bytesOrPath: Uint8Array | string, message: RegExp): void {
  const e = loadError(typeof bytesOrPath === 'string' ? bytesOrPath : write(bytesOrPath));
  expect(e.name).toBe('FormatError');
  expect(e).toBeInstanceOf(tg.FormatError);
  expect(e.message).toMatch(message);
}

const floats = (n: number) => f32(...Array.from({ length: n }, (_, i) => i));
/** A state_dict pickle of one tensor 'w' over storage '0'. */
const oneTensor = (numel: number, size: number[], stride: number[], offset = 0) => dictPickle([['w', tensor({ numel, size, stride, offset })]]);
const netPickle = Buffer.from(unzipSync(fs.readFileSync(join(DIR, 'net.pt')))['net/data.pkl']);

describe('pickles that run code under weights_only=False are refused, and nothing runs', () => {
  beforeEach(() => fs.rmSync(marker, { force: true }));
  const files: [string, RegExp][] = [
    ['hostile_os_system.pt', /hostile_os_system\.pt \(hostile_os_system\/data\.pkl\): the pickle calls posix\.system, which is not allowed \(only tensors, storages, state_dict containers and torch\.Size\/dtype are: as torch\.load\(weights_only=True\)\)/],
    ['hostile_eval.pt', /the pickle calls builtins\.eval, which is not allowed/],
    ['hostile_torch_fn.pt', /the pickle calls torch\.serialization\.save, which is not allowed/],
    ['hostile_legacy.pt', /hostile_legacy\.pt: the pickle calls posix\.system, which is not allowed/],
  ];
  for (const [name, message] of files) {
    it(`${name} (written by PyTorch; it runs its payload under weights_only=False)`, async () => {
      expectRefused(join(DIR, name), message);
      await expect(tg.loadAsync(join(DIR, name))).rejects.toThrow(message);
      expect(fs.existsSync(marker)).toBe(false);
    });
  }

  const crafted: [string, Buffer, RegExp][] = [
    ['os.system by GLOBAL and REDUCE', pk([0x80, 2], global('posix', 'system'), tuple(str(`touch ${marker}`)), 'R.'), /the pickle calls posix\.system/],
    ['nt.system by STACK_GLOBAL (protocol 4)', pk([0x80, 4], str('nt'), str('system'), [0x93], tuple(str('x')), 'R.'), /the pickle calls nt\.system/],
    ["Python 2's __builtin__.eval", pk(global('__builtin__', 'eval'), tuple(str('1')), 'R.'), /the pickle calls builtins\.eval/],
    ['an unknown torch function', dictPickle([['w', pk(global('torch.nn.functional', 'relu'), tuple(), 'R')]]), /the pickle calls torch\.nn\.functional\.relu, which is not allowed/],
    ['getattr, to reach anything', pk(global('builtins', 'getattr'), '.'), /the pickle calls builtins\.getattr/],
    ['a module named __proto__', pk(global('__proto__', 'x'), '.'), /the pickle calls __proto__\.x, which is not allowed/],
    ['a module named constructor', pk(global('constructor', 'x'), '.'), /the pickle calls constructor\.x, which is not allowed/],
    ['INST, which creates an instance', pk('(', str('x'), 'iposix\nsystem\n.'), /uses INST \(creating an instance of a class\), which is not allowed/],
    ['OBJ', pk('(', global('posix', 'system'), 'o.'), /the pickle calls posix\.system/],
    ['REDUCE of a dtype', pk(global('torch', 'float32'), ')R.'), /the pickle calls the string "float32", which is not allowed/],
    ['a call of torch.Tensor itself', pk(global('torch', 'Tensor'), ')R.'), /the pickle calls torch\.Tensor directly/],
    ['BUILD on a list', pk(']', '}', 'b.'), /BUILD on a list of 0, which is not allowed/],
    ['BUILD on a plain dict (weights_only sets attributes of OrderedDicts only)', pk('}', '}', 'b.'), /BUILD on a dict, which is not allowed/],
    ['BUILD on an OrderedDict with a list of attributes', pk(global('collections', 'OrderedDict'), ')R', ']', 'b.'), /BUILD on an OrderedDict with a list of 0 as its attributes \(a dict\)/],
    ['a sparse tensor rebuild', pk(global('torch._utils', '_rebuild_sparse_tensor'), '.'), /torch\._utils\._rebuild_sparse_tensor \(a sparse tensor\), which tensorgrad cannot load/],
    ['the copyreg extension registry', pk([0x80, 2, 0x82, 1], '.'), /EXT1 \(the copyreg extension registry\)/],
  ];
  for (const [what, pkl, message] of crafted) {
    it(`${what}: refused`, () => {
      expectRefused(torchZip(pkl), message);
      expect(fs.existsSync(marker)).toBe(false);
    });
  }
});

describe('malformed pickles: a FormatError naming the problem', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['a huge BINUNICODE length', pk([0x80, 2], 'X', [0xff, 0xff, 0xff, 0xff], 'ab.'), /truncated pickle at byte 7: a string \(BINUNICODE\) needs 4294967295 bytes, but 3 remain/],
    ['a huge BINBYTES8 length', pk([0x80, 4, 0x8e], [0, 0, 0, 0, 0, 0, 0, 0x10], '.'), /truncated pickle at byte 11: BINBYTES8 needs 1152921504606846976 bytes, but 1 remain/],
    ['a huge LONG4', pk([0x80, 2, 0x8b], [0, 0, 0, 0x40], '.'), /an integer of 1073741824 bytes \(LONG4; tensorgrad reads at most 65536\)/],
    ['a memo reference that does not exist', pk([0x80, 2], ']h', [5], '.'), /a memo reference to 5, which was never stored \(at byte 3 of the pickle\)/],
    ['a LONG_BINGET far away', pk([0x80, 2], 'j', [0xff, 0xff, 0xff, 0xff], '.'), /a memo reference to 4294967295, which was never stored/],
    ['APPEND on an empty stack', pk([0x80, 2], 'a.'), /APPEND finds the stack empty/],
    ['SETITEMS without a MARK', pk([0x80, 2], '}', str('a'), 'Nu.'), /SETITEMS without a MARK/],
    ['APPEND to a tuple', pk([0x80, 2], ')Na.'), /APPEND on a tuple of 0 \(only lists can be appended to\)/],
    ['a tuple as a dict key', pk([0x80, 2], '}', int(1), int(2), [0x86], 'Ns.'), /a dict key that is a tuple of 2 \(only str and int keys are read\)/],
    ['a float as a dict key', pk([0x80, 2], '}', 'G', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], 'Ns.'), /a dict key that is the float 1\.5 \(only str and int keys are read\)/],
    ['a bool as a dict key', pk([0x80, 2], '}', [0x88], 'Ns.'), /a dict key that is True \(only str and int keys are read\)/],
    ['the int key 1 and the str key "1"', pk([0x80, 2], '}(', int(1), 'N', str('1'), [0x88], 'u.'), /a dict with both the int key 1 and the str key "1", which would be one property/],
    ['the str key "7" and the int key 7', pk([0x80, 2], '}(', str('7'), 'N', int(7), [0x88], 'u.'), /a dict with both the str key "7" and the int key 7, which would be one property/],
    ['an unknown opcode', pk([0x80, 2, 0xff], '.'), /unknown opcode 0xff \(at byte 2 of the pickle\)/],
    ['pickle protocol 6', pk([0x80, 6], 'N.'), /pickle protocol 6 \(protocols 0 to 5 are read\)/],
    ['no STOP', pk([0x80, 2], ']]'), /truncated pickle at byte 4: an opcode needs 1 bytes, but 0 remain/],
    ['invalid UTF-8', pk([0x80, 2], 'X', [2, 0, 0, 0], [0xc3, 0x28], '.'), /a string that is not valid UTF-8/],
    ['invalid UTF-8 after an encoded lone surrogate', pk([0x80, 2], 'X', [5, 0, 0, 0], [0xed, 0xa0, 0x80, 0xc3, 0x28], '.'), /a string that is not valid UTF-8/],
    ["an encoded surrogate in a Python 2 str (decoded strictly, as torch.load does)", pk([0x80, 2], 'U', [3, 0xed, 0xa0, 0x80], '.'), /a string that is not valid UTF-8/],
    ['_codecs.encode of a lone surrogate to UTF-8 (strict, as in Python)', pk([0x80, 2], global('_codecs', 'encode'), 'X', [3, 0, 0, 0], [0xed, 0xa0, 0x80], str('utf-8'), [0x86], 'R.'), /_codecs\.encode of a string with a lone surrogate, which UTF-8 cannot encode/],
    ['a text INT that is not a number', pk('Ix1\n.'), /"x1" is not an integer/],
    ['a 5000-digit text LONG', pk(`L${'9'.repeat(5000)}L\n.`), /an integer of 5000 digits \(Python reads at most 4300\)/],
    ['a text line without its end', pk('I1234'), /truncated pickle at byte 1: INT \(a line\) needs 5 bytes, but 4 remain/],
    ['a bare torch.Size class', dictPickle([['s', global('torch', 'Size')]]), /the file holds the Python object torch\.Size itself, which has no JavaScript value/],
    ['a persistent id for a whole module', pk([0x80, 2], '(', str('module'), 'NNNt', 'Q.'), /a whole nn\.Module \(torch\.save\(model\)\).*save model\.state_dict\(\) instead/],
    ['a persistent id that is not a tuple', pk([0x80, 2], int(0), 'Q.'), /a persistent id that is the int 0 \(torch\.save writes tuples\)/],
  ];
  for (const [what, pkl, message] of cases) it(what, () => expectRefused(torchZip(pkl), message));

  it("every truncation of a real data.pkl (net.pt's): a FormatError, never another error", () => {
    for (let n = 0; n < netPickle.length; n++) {
      const e = loadError(write(torchZip(netPickle.subarray(0, n), { 0: floats(12), 1: floats(3), 2: floats(6), 3: floats(2) }, { prefix: 'net' })));
      expect(e, `cut at ${n}`).toBeInstanceOf(tg.FormatError);
      expect(e.message, `cut at ${n}`).toMatch(/truncated pickle at byte \d+|finds the stack empty|without a MARK|has no record|holds \d+ bytes/);
    }
  });

  it('every truncation of a legacy file: a FormatError', () => {
    const bytes = fs.readFileSync(join(DIR, 'legacy.pt'));
    for (let n = 0; n < bytes.length; n++) {
      const e = loadError(write(bytes.subarray(0, n)));
      expect(e, `cut at ${n}`).toBeInstanceOf(tg.FormatError);
    }
  });

  it('random corruption of a real data.pkl: a value or a FormatError, never another error or a hang', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const storages = { 0: floats(12), 1: floats(3), 2: floats(6), 3: floats(2) };
    for (let k = 0; k < 400; k++) {
      const pkl = Buffer.from(netPickle);
      for (let j = 0; j < 3; j++) pkl[Math.floor(rand() * pkl.length)] = Math.floor(rand() * 256);
      try {
        tg.load(write(torchZip(pkl, storages, { prefix: 'net' })));
      } catch (e) {
        expect(e, `mutation ${k}`).toBeInstanceOf(tg.FormatError);
      }
    }
  });

  it('1e5 nested lists (and MARKs, and dicts) do not overflow the stack', () => {
    const n = 100_000;
    const check = (v: unknown, next: (x: unknown) => unknown) => {
      let depth = 0;
      for (let x = v; x !== undefined; x = next(x)) depth++;
      expect(depth).toBe(n + 1);
    };
    const lists = tg.load<unknown[]>(write(torchZip(pk([0x80, 2], ']'.repeat(n + 1), 'a'.repeat(n), '.'))));
    check(lists, (x) => (x as unknown[])[0]);
    const marks = tg.load<unknown[]>(write(torchZip(pk([0x80, 2], '('.repeat(n + 1), 'l'.repeat(n + 1), '.'))));
    check(marks, (x) => (x as unknown[])[0]);
    const dicts = tg.load<Record<string, unknown>>(write(torchZip(pk([0x80, 2], `}${str('k').toString('latin1')}`.repeat(n), '}', 's'.repeat(n), '.'))));
    check(dicts, (x) => (x as Record<string, unknown>).k);
  });

  it('maxBytes bounds the memory a pickle\'s values take (estimated), before they take it', () => {
    const path = write(torchZip(pk([0x80, 2], ']'.repeat(50_000), 'a'.repeat(49_999), '.')));
    expect(tg.load<unknown[]>(path, { maxBytes: 20e6 }).length).toBe(1);
    const e = loadError(path, { maxBytes: 1e6 });
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/\(archive\/data\.pkl\)'s pickle \(the values it makes, estimated\) asks for \d+ bytes, more than maxBytes \(1000000\)/);
  });

  it('calls with too few or too many arguments: a FormatError naming the callable', () => {
    const arities: [string, string, string][] = [
      ['torch._utils', '_rebuild_tensor', '4'], ['torch._utils', '_rebuild_tensor_v2', '6 to 7'], ['torch._utils', '_rebuild_tensor_v3', '7 to 8'],
      ['torch._utils', '_rebuild_parameter', '3'], ['torch._utils', '_rebuild_parameter_with_state', '4'], ['torch._tensor', '_rebuild_from_type_v2', '4'],
      ['torch', 'device', '1 to 2'], ['_codecs', 'encode', '1 to 3'],
    ];
    for (const [module, name, takes] of arities) {
      expectRefused(torchZip(pk([0x80, 2], global(module, name), ')R.')), new RegExp(`${module}\\.${name} takes ${takes} arguments, but the pickle gives it 0`));
    }
    const nine = tuple(...Array<number>(9).fill(0));
    for (const [module, name] of [['torch', 'Size'], ['collections', 'OrderedDict'], ['builtins', 'set'], ['builtins', 'bytearray']]) {
      expectRefused(torchZip(pk([0x80, 2], global(module, name), nine, 'R.')), new RegExp(`${module}\\.${name} takes 0 to \\d arguments, but the pickle gives it 9`));
    }
    // as in Python, torch.Size() is empty and _codecs.encode's encoding is UTF-8 by default
    expect(tg.load(write(torchZip(pk([0x80, 2], global('torch', 'Size'), ')R.'))))).toEqual([]);
    expect(tg.load(write(torchZip(pk([0x80, 2], global('_codecs', 'encode'), '(', str('h\u00e9'), 'tR.'))))).toEqual(new Uint8Array([0x68, 0xc3, 0xa9]));
  });

  it('calls that copy their arguments copy at most what the pickle holds, however often it passes them', () => {
    const n = 3000;
    /** callable(*args) n times over one memoized args tuple: 7 bytes a call, each copying the whole argument. */
    const calls = (callable: Buffer, args: Buffer) => pk([0x80, 2], args, 'q', [0], '0', callable, 'q', [1], '0', ']', '(', 'h\x01h\x00R'.repeat(n), 'e.');
    const items = pk('(', 'K\x00'.repeat(n), 'l');
    const pairs = pk('(', pk('K\x00N', [0x86]).toString('latin1').repeat(n), 'l');
    const dict = pk('}', '(', Array.from({ length: n }, (_, i) => pk(int(i), 'N').toString('latin1')).join(''), 'u');
    const text = str('a'.repeat(n));
    const bytes = pk('B', [n & 0xff, n >> 8, 0, 0], Buffer.alloc(n));
    const dims = tuple(...Array<number>(64).fill(1));
    const storage = pk('(', str('storage'), global('torch', 'FloatStorage'), str('0'), str('cpu'), int(1), 't', 'Q');
    const cases: [string, Buffer][] = [
      ['set(list)', calls(global('builtins', 'set'), pk(items, [0x85]))],
      ['torch.Size(list)', calls(global('torch', 'Size'), pk(items, [0x85]))],
      ['OrderedDict(dict)', calls(global('collections', 'OrderedDict'), pk(dict, [0x85]))],
      ['OrderedDict(list of pairs)', calls(global('collections', 'OrderedDict'), pk(pairs, [0x85]))],
      ['bytearray(bytes)', calls(global('builtins', 'bytearray'), pk(bytes, [0x85]))],
      ['_codecs.encode(str, "latin1")', calls(global('_codecs', 'encode'), pk(text, str('latin1'), [0x86]))],
      ['_codecs.encode(str, "utf-8")', calls(global('_codecs', 'encode'), pk(text, str('utf-8'), [0x86]))],
      ['a 64-d tensor rebuilt', calls(global('torch._utils', '_rebuild_tensor_v2'), pk('(', storage, int(0), dims, dims, [0x89], '}', 't'))],
    ];
    for (const [what, pkl] of cases) {
      const start = Date.now();
      const e = loadError(write(torchZip(pkl, { 0: floats(1) })));
      expect(e, what).toBeInstanceOf(tg.FormatError);
      expect(e.message, what).toMatch(/the pickle's calls copy \d+ elements out of their arguments, more than the pickle's \d+ bytes hold \(it passes the same values to call after call\)/);
      expect(Date.now() - start, what).toBeLessThan(1000);
    }
    // each container passed once, as torch.save writes them: read
    const once = pk([0x80, 2], '(', global('builtins', 'set'), items, [0x85], 'R', global('collections', 'OrderedDict'), dict, [0x85], 'R', global('_codecs', 'encode'), text, str('latin1'), [0x86], 'R', 't.');
    const [set, od, encoded] = tg.load<[unknown[], Record<string, unknown>, Uint8Array]>(write(torchZip(once)));
    expect([set.length, Object.keys(od).length, encoded.length]).toEqual([n, n, n]);
  });

  it("a key set twice keeps its last value, as in Python; int keys keep their type through set() and OrderedDict()", () => {
    expect(tg.load(write(torchZip(pk([0x80, 2], '}(', int(1), 'N', int(1), [0x88], str('a'), 'N', str('a'), [0x89], 'u.'))))).toEqual({ 1: true, a: false });
    const dict = pk('}', '(', int(3), 'N', str('b'), 'N', 'u');
    const [keys, od] = tg.load<[unknown[], Record<string, unknown>]>(write(torchZip(pk([0x80, 2], '(', global('builtins', 'set'), dict, [0x85], 'R',
      global('collections', 'OrderedDict'), dict, [0x85], 'R', int(3), [0x88], 's', 't.'))));
    expect(keys).toEqual([3, 'b']);
    expect(od).toEqual({ 3: true, b: null });
  });

  it("lone surrogates in a str, as Python pickles them ('surrogatepass'), load as they are", () => {
    // pickle.dumps(['a\ud800b', '\ud83d\ude00', '\udfff'], 2), the second as two lone surrogates (Python does not pair them)
    const pkl = pk([0x80, 2], ']', '(', 'X', [5, 0, 0, 0], 'a', [0xed, 0xa0, 0x80], 'b', 'X', [6, 0, 0, 0], [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], [0x8c, 3, 0xed, 0xbf, 0xbf], 'e.');
    expect(tg.load(write(torchZip(pkl)))).toEqual(['a\ud800b', '\u{1f600}', '\udfff']);
  });

  it('maxBytes counts what a rebuilt tensor takes, however few bytes its call takes', () => {
    // 20000 tensors rebuilt from one memoized argument tuple, 5 bytes each: about 9 MB of specs and Tensors from a 100 KB file
    const storage = pk('(', str('storage'), global('torch', 'FloatStorage'), str('0'), str('cpu'), int(1), 't', 'Q');
    const args = pk('(', storage, int(0), tuple(1), tuple(1), [0x89], '}', 't');
    const pkl = pk([0x80, 2], global('torch._utils', '_rebuild_tensor_v2'), 'q', [0], '0', args, 'q', [1], '0', ']', '(', 'h\x00h\x01R'.repeat(20000), 'e.');
    const path = write(torchZip(pkl, { 0: floats(1) }));
    expect(tg.load<unknown[]>(path, { maxBytes: 12e6 }).length).toBe(20000);
    const e = loadError(path, { maxBytes: 8e6 });
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/'s pickle \(the values it makes, estimated\) asks for \d+ bytes, more than maxBytes \(8000000\)/);
  });

  it('a list that contains itself loads (as torch.load does) without looping', () => {
    const l = tg.load<unknown[]>(write(torchZip(pk([0x80, 2], ']q', [0], 'h', [0], 'a.'))));
    expect(l[0]).toBe(l);
  });
});

describe('storages: references, sizes, strides and records checked before anything is read', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['a reference to a missing data/N record', torchZip(dictPickle([['w', tensor({ key: '7', numel: 4, size: [4], stride: [1] })]]), { 0: floats(4) }), /storage '7' has no record archive\/data\/7 in the archive/],
    ['a storage shorter than its tensor', torchZip(oneTensor(4, [6], [1]), { 0: floats(4) }), /storage '0' holds 4 elements but a tensor needs 6 \(offset 0, size \[6\], stride \[1\]\)/],
    ['an offset past the storage', torchZip(oneTensor(4, [2], [1], 3), { 0: floats(4) }), /storage '0' holds 4 elements but a tensor needs 5/],
    ['strides reaching past the storage', torchZip(oneTensor(4, [2, 2], [2, 2]), { 0: floats(4) }), /holds 4 elements but a tensor needs 5/],
    ['a record smaller than the declared storage', torchZip(oneTensor(100, [4], [1]), { 0: floats(4) }), /storage '0' is declared as 100 float32 elements \(400 bytes\), but its record archive\/data\/0 holds 16 bytes/],
    ['a storage of 2^50 elements', torchZip(oneTensor(2 ** 50, [4], [1]), { 0: floats(4) }), /declared as 1125899906842624 float32 elements \(4503599627370496 bytes\)/],
    ['a negative size', torchZip(oneTensor(4, [-3], [1]), { 0: floats(4) }), /a tensor's size 0 is negative \(-3\)/],
    ['a negative stride', torchZip(oneTensor(4, [2], [-1]), { 0: floats(4) }), /a tensor's stride 0 is negative \(-1\)/],
    ['a huge size', torchZip(oneTensor(4, [2 ** 30, 2 ** 30, 2 ** 30], [0, 0, 0]), { 0: floats(4) }), /a tensor of 1237940039285380274899124224 elements \(more than 2\^53\)/],
    ['a huge stride', torchZip(oneTensor(4, [2], [2 ** 31 - 1]), { 0: floats(4) }), /holds 4 elements but a tensor needs 2147483648/],
    ['sizes and strides of different lengths', torchZip(oneTensor(4, [2, 2], [1]), { 0: floats(4) }), /a tensor of 2 dimensions with 1 strides/],
    ['one key as two dtypes', torchZip(dictPickle([['a', tensor({ numel: 4, size: [4], stride: [1] })], ['b', tensor({ numel: 4, storage: 'LongStorage', size: [4], stride: [1] })]]), { 0: floats(4) }), /storage '0' is named as 4 float32 elements and as 4 int64 elements/],
    ['an int tensor that requires grad', torchZip(dictPickle([['w', tensor({ numel: 4, storage: 'IntStorage', size: [4], stride: [1], requiresGrad: true })]]), { 0: floats(4) }), /an int32 tensor that requires grad/],
    ['a byteorder that is neither', torchZip(oneTensor(4, [4], [1]), { 0: floats(4) }, { byteorder: 'middle' }), /unknown byte order "middle" in archive\/byteorder/],
  ];
  for (const [what, bytes, message] of cases) it(what, () => expectRefused(bytes, message));

  it('a storage record that is corrupt (CRC-32), sync and async', async () => {
    const z = torchZip(oneTensor(4, [4], [1]), { 0: floats(4) });
    z[z.indexOf(Buffer.from(floats(4)))] ^= 1;
    expectRefused(z, /archive\/data\/0: CRC-32 mismatch/);
    await expect(tg.loadAsync(write(z))).rejects.toThrow(/archive\/data\/0: CRC-32 mismatch/);
  });

  it('legacy files: storage counts, truncated storages, storages the pickle does not name', () => {
    const pkl = valuePickle(legacyTensor('0', 4, [4], [1]));
    expect(tg.load<tg.Tensor>(write(legacyFile(pkl, [['0', 4, floats(4)]]))).tolist()).toEqual([0, 1, 2, 3]);
    expectRefused(legacyFile(pkl, [['0', 5, floats(5)]]), /storage '0' holds 5 elements in the file, but the pickle declares 4/);
    expectRefused(legacyFile(pkl, [['0', 4, floats(3)]]), /truncated file: storage '0' needs bytes \d+ to \d+, but the file has \d+/);
    expectRefused(legacyFile(pkl, [['0', 4, floats(4)], ['9', 1, floats(1)]]), /the list of storages names the string "9", which the pickle does not use/);
    expectRefused(legacyFile(pkl, []), /storage '0' is used by the pickle but has no data in the file/);
    expectRefused(legacyFile(valuePickle(legacyTensor('0', 4, [8], [1])), [['0', 4, floats(4)]]), /storage '0' holds 4 elements but a tensor needs 8/);
    // storage views (PyTorch before 0.4): a tensor over elements [1, 3) of the storage
    const view = tg.load<tg.Tensor[]>(write(legacyFile(valuePickle(pk(']', '(', pkl.subarray(2, -1), legacyTensor('0', 4, [2], [1], ['v', 1, 2]), 'e')), [['0', 4, floats(4)]])));
    expect(view[1].tolist()).toEqual([1, 2]);
    expect(view[1]._storage).toBe(view[0]._storage);
    expectRefused(legacyFile(valuePickle(legacyTensor('0', 4, [3], [1], ['v', 1, 2])), [['0', 4, floats(4)]]), /storage '0' holds 2 elements \(a view of 2 elements of it\) but a tensor needs 3/);
    expectRefused(legacyFile(valuePickle(legacyTensor('0', 4, [1], [1], ['v', 3, 2])), [['0', 4, floats(4)]]), /a view of storage '0' \(4 elements\) described by a tuple of 3/);
  });
});

describe('lying zips and other files', () => {
  it('member sizes that lie', () => {
    const pkl = oneTensor(4, [4], [1]);
    expectRefused(torchZipWith(pkl, { size: 1e9 }), /a stored member with inconsistent sizes \(\d+ stored, 1000000000 declared\)/);
    expectRefused(torchZipWith(pkl, { data: zerosDeflated(1).subarray(0, 100), method: 8, size: 2 ** 31 }), /the member claims an impossible size \(2147483648 bytes from 100 deflated\)/);
  });

  it('a member claiming an impossible size is refused before memory for it is allocated', () => {
    const lie = { data: zerosDeflated(1).subarray(0, 1000), method: 8 };
    const before = process.memoryUsage().arrayBuffers;
    expectRefused(torchZipWith(pk([0x80, 2]), { ...lie, size: 3e9 }), /lie\/data\.pkl: the member claims an impossible size \(3000000000 bytes from 1000 deflated\)/);
    const storage = zip([{ name: 'lie/data.pkl', data: oneTensor(2 ** 29, [1], [1]) }, { name: 'lie/data/0', ...lie, size: 2 ** 31 }]);
    expectRefused(storage, /lie\/data\/0: the member claims an impossible size \(2147483648 bytes from 1000 deflated\)/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(100e6);
  });

  it('a deflated data.pkl that would inflate past maxBytes is refused before it is inflated', () => {
    const path = write(torchZipWith(pk([0x80, 2]), { data: zerosDeflated(8), method: 8, size: 8 << 20 }));
    const e = loadError(path, { maxBytes: 1 << 20 });
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/data\.pkl asks for 8388608 bytes, more than maxBytes \(1048576\)/);
  });

  it('zips torch.save did not write, and the old tar format, say what they are', () => {
    expectRefused(torchZip(pk([0x80, 2], 'N.'), {}, { prefix: 'model', extra: [{ name: 'model/constants.pkl', data: pk([0x80, 2], ').') }] }), /a TorchScript archive \(torch\.jit\.save\)/);
    const two = torchZip(pk([0x80, 2], 'N.'), {}, { extra: [{ name: 'other/data.pkl', data: pk([0x80, 2], 'N.') }] });
    expectRefused(two, /it has 2 data\.pkl members, where torch\.save writes one/);
    const tar = Buffer.alloc(1024);
    tar.write('ustar', 257);
    expectRefused(tar, /PyTorch's oldest \(tar\) format/);
    expectRefused(torchZip(pk([0x80, 2], 'N.'), {}, { prefix: 'a/b' }), /not one torch\.save wrote: it has no <name>\/data\.pkl member/);
  });
});

/** A torch zip whose data.pkl member is given as is (its stored bytes, method and declared size may lie). */
function torchZipWith(pkl: Buffer, member: { data?: Uint8Array; method?: number; size?: number }): Buffer {
  return zip([{ name: 'lie/data.pkl', data: member.data ?? pkl, method: member.method, size: member.size }, { name: 'lie/data/0', data: floats(4) }]);
}
