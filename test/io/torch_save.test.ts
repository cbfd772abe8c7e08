// tg.save in the torch format (torch.save's zip archive): the bytes against files torch.save wrote
// (test/fixtures/io/torch_save_*.pt, from scripts/fixtures/torch_save.py), the zip layout,
// optimizer state, the errors and the files. torch_save_pickle.test.ts has the pickle's opcodes,
// torch_save_pytorch.test.ts PyTorch loading what we write.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { optimizerToTorch, PyTuple, torchOptimizerState } from '../../src/io/torch-optim';
import { readZipDirectory, type ZipEntry } from '../../src/io/zip';
import { ZipWriter, type ZipSink } from '../../src/io/zip-write';
import { opsOf, type Op } from './pickle-dis';
import { directory, f32, fixtureValues, members, pickleOf } from './torch_save_values';

const { nn, optim } = tg;
const root = join(__dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'io');
const work = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-torch-save-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const tmp = (name: string) => join(work, name);
let serial = 0;
const dir = () => fs.mkdtempSync(join(work, `d${serial++}-`));

/** The opcodes of obj's pickle (without BINPUT). */
function ops(obj: unknown): Op[] {
  const path = tmp(`ops${serial++}.pt`);
  tg.save(obj as tg.TorchSaveable, path);
  return opsOf(pickleOf(path));
}

function firstDifference(a: Buffer, b: Buffer): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

/**
 * Our file and torch.save's are the same bytes up to the serialization id, whose second half
 * (PyTorch's combination of the records' CRC-32s) is the same too, and their directories agree
 * but for that record's CRC.
 */
function expectSameAsTorch(mine: string, theirs: string): void {
  const [a, b] = [fs.readFileSync(mine), fs.readFileSync(theirs)];
  const [da, db] = [directory(mine), directory(theirs)];
  const id = db.length - 1;
  expect(db[id].name.endsWith('/.data/serialization_id')).toBe(true);
  expect(firstDifference(a.subarray(0, db[id].localOffset), b.subarray(0, db[id].localOffset)), 'the first byte that differs').toBe(-1);
  const digits = (buf: Buffer, e: ZipEntry) => buf.toString('latin1', e.dataStart, e.dataStart + 40);
  expect(digits(a, da[id])).toMatch(/^\d{40}$/);
  expect(digits(a, da[id]).slice(20)).toBe(digits(b, db[id]).slice(20));
  expect(da.map((e, i) => ({ ...e, crc: i === id ? 0 : e.crc }))).toEqual(db.map((e, i) => ({ ...e, crc: i === id ? 0 : e.crc })));
  expect(a.length).toBe(b.length);
}

// ---- the objects of the fixtures -----------------------------------------------------------------
/** torch_save_state.pt's module: an int64 0-d buffer and a Linear. */
class Small extends nn.Module {
  lin = new nn.Linear(3, 2);
  constructor() {
    super();
    this.registerBuffer('count', tg.tensor(7n));
  }
}

describe('the bytes torch.save writes', () => {
  it('a module: as torch.save writes its state dict, byte for byte up to the serialization id', () => {
    const m = new Small();
    m.loadStateDict({ count: tg.tensor(7n), 'lin.weight': tg.arange(6, f32).reshape(2, 3), 'lin.bias': tg.tensor([0.5, -1]) });
    const path = join(dir(), 'torch_save_state.pt');
    tg.save(m, path);
    expectSameAsTorch(path, join(fixtures, 'torch_save_state.pt'));
  });

  it('every kind of value, every dtype, views of one storage, expanded, empty and 0-d tensors', () => {
    const path = join(dir(), 'torch_save_values.pt');
    tg.save(fixtureValues(), path);
    expectSameAsTorch(path, join(fixtures, 'torch_save_values.pt'));
  });

  it('saveAsync writes the same bytes', async () => {
    const d = dir();
    fs.mkdirSync(join(d, 'other'));
    tg.save(fixtureValues(), join(d, 'a.pt'));
    await tg.saveAsync(fixtureValues(), join(d, 'other', 'a.pt'));
    expect(fs.readFileSync(join(d, 'other', 'a.pt')).equals(fs.readFileSync(join(d, 'a.pt')))).toBe(true);
  });
});

// ---- the zip layout ------------------------------------------------------------------------------

describe('the archive', () => {
  it("holds PyTorch's records, in its order, each one's data 64-byte aligned, under a folder named after the file", () => {
    tg.manualSeed(0);
    const lin = new nn.Linear(3, 2);
    const path = tmp('model.pt');
    tg.save(lin, path);
    const m = members(path);
    expect([...m.keys()]).toEqual(['data.pkl', '.format_version', '.storage_alignment', 'byteorder', 'data/0', 'data/1', 'version', '.data/serialization_id']);
    for (const { entry } of m.values()) {
      expect(entry.name.startsWith('model/')).toBe(true);
      expect(entry.dataStart % 64, entry.name).toBe(0);
      expect(entry.method, entry.name).toBe(0);
      expect(entry.flags, entry.name).toBe(0x808); // UTF-8 names, sizes in a data descriptor
    }
    const text = (name: string) => m.get(name)?.bytes.toString('latin1');
    expect([text('.format_version'), text('.storage_alignment'), text('byteorder'), text('version')]).toEqual(['1', '64', 'little', '3\n']);
    expect(text('.data/serialization_id')).toMatch(/^\d{40}$/);
    expect(new Float32Array(new Uint8Array(m.get('data/0')?.bytes as Buffer).buffer)).toEqual(lin.weight.toTypedArray());
    expect(new Float32Array(new Uint8Array(m.get('data/1')?.bytes as Buffer).buffer)).toEqual(lin.bias?.toTypedArray());
    // the same object saves to the same bytes
    const again = tmp('again');
    fs.mkdirSync(again);
    tg.save(lin, join(again, 'model.pt'));
    expect(fs.readFileSync(join(again, 'model.pt')).equals(fs.readFileSync(path))).toBe(true);
  });

  it('names the folder as PyTorch does: the file name without its last extension', () => {
    const d = dir();
    const t = { t: tg.ones(2) };
    for (const [file, folder] of [['x.tar.pth', 'x.tar'], ['.pt', 'archive'], ['weights', 'weights'], ['h\u00e9.pt', 'h\u00e9']] as const) {
      tg.save(t, join(d, file), { format: 'torch' });
      expect(new Set(directory(join(d, file)).map((e) => e.name.split('/')[0]))).toEqual(new Set([folder]));
    }
  });

  it('writes the whole storage of a view, once for all the views of it, and an empty record for an empty storage', () => {
    const big = tg.arange(1000);
    const path = tmp('views.pt');
    tg.save({ a: big.narrow(0, 10, 5), b: big.narrow(0, 500, 2), e: tg.zeros(0) }, path);
    const m = members(path);
    expect([...m.keys()].filter((k) => k.startsWith('data/'))).toEqual(['data/0', 'data/1']);
    expect(m.get('data/0')?.bytes.equals(Buffer.from(big.toTypedArray().buffer))).toBe(true);
    expect(m.get('data/1')?.entry).toMatchObject({ size: 0, flags: 0x800 }); // no data descriptor, as miniz
  });

  /** A sink keeping what it is given at its positions, without the (zero) bytes of large chunks. */
  class SparseSink implements ZipSink {
    readonly kept: [number, Uint8Array][] = [];
    constructor(public position = 0) {}
    write(chunk: Uint8Array): void {
      if (chunk.length < 1 << 20) this.kept.push([this.position, chunk.slice()]);
      this.position += chunk.length;
    }
    patch(): void {
      throw new Error('unused');
    }
    source() {
      return {
        name: 'sparse', size: this.position,
        readInto: (into: Uint8Array, at: number) => {
          into.fill(0);
          for (const [p, c] of this.kept) {
            const from = Math.max(p, at), to = Math.min(p + c.length, at + into.length);
            if (from < to) into.set(c.subarray(from - p, to - p), from - at);
          }
        },
      };
    }
  }

  it('uses zip64 as miniz does for a member of 4 GiB or more, or one that starts past 4 GiB', () => {
    const sink = new SparseSink();
    const zip = new ZipWriter(sink, 'pytorch');
    const chunk = new Uint8Array(1 << 26);
    const size = 2 ** 32 + 100;
    const parts = [...Array(64).fill(chunk), chunk.subarray(0, 100)];
    zip.add('a/data/0', size, parts);
    zip.add('a/version', 2, [Buffer.from('3\n')]);
    zip.finish();
    const [first, second] = readZipDirectory(sink.source());
    expect(first).toMatchObject({ name: 'a/data/0', size, compressedSize: size, localOffset: 0 });
    expect(second).toMatchObject({ name: 'a/version', size: 2, localOffset: first.dataStart + size + 24 }); // a 64-bit data descriptor
    for (const e of [first, second]) expect(e.dataStart % 64).toBe(0);
    // the local header's extra fields: zip64 (sizes, then offset), then the padding 'FB'
    const header = (e: ZipEntry) => {
      const b = Buffer.alloc(e.dataStart - e.localOffset);
      sink.source().readInto(b, e.localOffset);
      return b.subarray(30 + e.name.length);
    };
    const [h1, h2] = [header(first), header(second)];
    expect([h1.readUInt16LE(0), h1.readUInt16LE(2), h1.readBigUInt64LE(4), h1.toString('latin1', 20, 22)]).toEqual([1, 16, BigInt(size), 'FB']);
    expect([h2.readUInt16LE(0), h2.readUInt16LE(2), h2.readBigUInt64LE(4), h2.toString('latin1', 12, 14)]).toEqual([1, 8, BigInt(second.localOffset), 'FB']);
  });

  it('starts each member 64-byte aligned wherever it starts', () => {
    for (const start of [0, 1, 63, 64, 2 ** 32 - 40, 2 ** 32 + 7]) {
      const sink = new SparseSink(start);
      const zip = new ZipWriter(sink, 'pytorch');
      zip.add('a/x', 3, [Buffer.from('abc')]);
      const [, local] = sink.kept[0];
      const dataStart = start + local.length;
      expect(dataStart % 64, `${start}`).toBe(0);
    }
  });
});

// ---- optimizer state -----------------------------------------------------------------------------

describe("optimizer state in PyTorch's layout", () => {
  const run = (make: (params: Iterable<tg.Tensor>) => tg.optim.Optimizer<object>) => {
    tg.manualSeed(3);
    const model = new nn.Linear(2, 2);
    const opt = make(model.parameters());
    for (let i = 0; i < 2; i++) {
      opt.zeroGrad();
      model.forward(tg.ones(1, 2)).sum().backward();
      opt.step();
    }
    return opt;
  };

  it('Adam: snake_case names, step a float32 0-d tensor, betas a tuple, PyTorch-only options after maximize, params last', () => {
    const opt = run((p) => new optim.Adam(p, { lr: 0.01 }));
    const sd = optimizerToTorch(opt);
    const group = (sd.get('param_groups') as Map<string, unknown>[])[0];
    expect([...group.keys()]).toEqual(['lr', 'betas', 'eps', 'weight_decay', 'amsgrad', 'maximize', 'foreach', 'capturable', 'differentiable', 'fused', 'decoupled_weight_decay', 'params']);
    expect(group.get('betas')).toEqual(new PyTuple([0.9, 0.999]));
    expect([group.get('foreach'), group.get('fused'), group.get('decoupled_weight_decay'), group.get('params')]).toEqual([null, null, false, [0, 1]]);
    const state = sd.get('state') as Map<number, Map<string, unknown>>;
    expect([...state.keys()]).toEqual([0, 1]);
    const s0 = state.get(0) as Map<string, tg.Tensor>;
    expect([...s0.keys()]).toEqual(['step', 'exp_avg', 'exp_avg_sq']); // no max_exp_avg_sq without amsgrad
    expect([s0.get('step')?.dtype, s0.get('step')?.shape, s0.get('step')?.item()]).toEqual(['float32', [], 2]);
  });

  it('AdamW says its weight decay is decoupled; a bare state dict leaves that to the loading optimizer', () => {
    const opt = run((p) => new optim.AdamW(p));
    expect((optimizerToTorch(opt).get('param_groups') as Map<string, unknown>[])[0].get('decoupled_weight_decay')).toBe(true);
    expect((torchOptimizerState(opt.stateDict()).get('param_groups') as Map<string, unknown>[])[0].has('decoupled_weight_decay')).toBe(false);
  });

  it('SGD: momentum_buffer, its own flags; no state without momentum, as in PyTorch', () => {
    const sgd = optimizerToTorch(run((p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 })));
    const group = (sgd.get('param_groups') as Map<string, unknown>[])[0];
    expect([...group.keys()]).toEqual(['lr', 'momentum', 'dampening', 'weight_decay', 'nesterov', 'maximize', 'foreach', 'differentiable', 'fused', 'params']);
    expect([...((sgd.get('state') as Map<number, Map<string, unknown>>).get(0) as Map<string, unknown>).keys()]).toEqual(['momentum_buffer']);
    const plain = optimizerToTorch(run((p) => new optim.SGD(p, { lr: 0.1 })));
    expect((plain.get('state') as Map<number, unknown>).size).toBe(0);
  });

  it('translates an optimizer state dict wherever it is, and keeps initialLr of a scheduler as initial_lr', () => {
    const opt = run((p) => new optim.Adam(p));
    new optim.lrScheduler.StepLR(opt, { stepSize: 1 });
    const o = ops({ optimizer: opt.stateDict(), epoch: 1 });
    expect(o).toContainEqual(['BINUNICODE', 'param_groups']);
    expect(o).toContainEqual(['BINUNICODE', 'initial_lr']);
    expect(o).not.toContainEqual(['BINUNICODE', 'paramGroups']);
  });
});

// ---- errors --------------------------------------------------------------------------------------

describe('what cannot be saved', () => {
  const KINDS = 'only tensors, numbers, strings, booleans, null, bigints, Uint8Array, arrays, Maps and plain objects can be saved in the torch format';
  const fails = (obj: unknown) => () => tg.save(obj as tg.TorchSaveable, tmp('bad.pt'));

  it('is a TypeError naming where it is', () => {
    expect(fails({ layers: [1, 2, { fn: () => 1 }] })).toThrow(new TypeError(`save: obj.layers[2].fn is a function; ${KINDS}`));
    expect(fails({ 'a b': Symbol('s') })).toThrow(new TypeError(`save: obj["a b"] is a symbol; ${KINDS}`));
    expect(fails([new Date(0)])).toThrow(new TypeError(`save: obj[0] is a Date; ${KINDS}`));
    expect(fails({ s: new Set([1]) })).toThrow(new TypeError(`save: obj.s is a Set; ${KINDS}`));
    expect(fails(new Map([['k', { x: new Float32Array(2) }]]))).toThrow(new TypeError(`save: obj.get("k").x is a Float32Array (make it a tensor with tg.tensor()); ${KINDS}`));
    expect(fails({ model: new nn.Linear(1, 1) })).toThrow(new TypeError(`save: obj.model is a Linear (save obj.model.stateDict() instead); ${KINDS}`));
    expect(fails(new Map([[{}, 1]]))).toThrow(/save: obj has a key that is an Object; the keys of a Map saved in the torch format must be strings, numbers or bigints/);
  });

  it('finds cycles instead of overflowing the stack, and refuses nesting deeper than 1000', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    expect(fails(a)).toThrow(new TypeError('save: obj.self is obj, which contains it (a cycle); the torch format cannot hold cycles'));
    const list: unknown[] = [1];
    list.push({ back: list });
    expect(fails({ list })).toThrow(new TypeError('save: obj.list[1].back is obj.list, which contains it (a cycle); the torch format cannot hold cycles'));
    const m = new Map<string, unknown>();
    m.set('m', [m]);
    expect(fails(m)).toThrow(/obj.get\("m"\)\[0\] is obj, which contains it \(a cycle\)/);
    let deep: unknown = 1;
    for (let i = 0; i < 100000; i++) deep = [deep];
    expect(fails(deep)).toThrow(new RangeError(`save: obj${'[0]'.repeat(1000)} is nested more than 1000 levels deep`));
    const shared = { x: 1 };
    expect(fails({ a: shared, b: [shared] })).not.toThrow(); // met twice, but no cycle
  });

  it('refuses a disposed tensor', () => {
    const t = tg.ones(3);
    t.dispose();
    expect(fails({ t })).toThrow('save: obj.t\'s memory was released by dispose(), so it cannot be saved');
  });

  it('checks the options: the format, and no safetensors-only options with the torch format', () => {
    const t = { t: tg.ones(1) };
    expect(() => tg.save(t, tmp('o.pt'), { compress: true } as never)).toThrow(TypeError);
    expect(() => tg.save(t, tmp('o.pt'), { format: 'pickle' } as never)).toThrow(new TypeError('save(): option \'format\' must be "torch" or "safetensors", but got "pickle"'));
    expect(() => tg.save(t, tmp('o.pt'), { metadata: { a: 'b' } })).toThrow(new TypeError("save(): option 'metadata' is for the safetensors format; the torch format does not take it"));
    expect(() => tg.save(t, tmp('o.bin'), { format: 'torch', dtypes: {} })).toThrow(new TypeError("save(): option 'dtypes' is for the safetensors format; the torch format does not take it"));
    expect(fs.existsSync(tmp('o.pt')) || fs.existsSync(tmp('o.bin'))).toBe(false);
  });

  it('saveAsync rejects with the same errors', async () => {
    await expect(tg.saveAsync({ f: () => 1 } as never, tmp('bad.pt'))).rejects.toThrow(new TypeError(`saveAsync: obj.f is a function; ${KINDS}`));
    await expect(tg.saveAsync({ t: tg.ones(1) }, tmp('o.pt'), { metadata: {} })).rejects.toThrow(/'metadata' is for the safetensors format/);
  });
});

// ---- files ---------------------------------------------------------------------------------------

describe('files', () => {
  const isZip = (path: string) => fs.readFileSync(path).subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'));
  const isSafetensors = (path: string) => {
    const b = fs.readFileSync(path);
    return b.length > 9 && b[8] === 0x7b && Number(b.readBigUInt64LE(0)) + 8 <= b.length; // '{' after the header length
  };

  it('picks the format: .pt and .pth mean torch, other paths safetensors, unless format says', () => {
    const d = dir();
    const t = { t: tg.ones(2) };
    for (const name of ['a.pt', 'b.pth', 'c.PT']) {
      tg.save(t, join(d, name));
      expect(isZip(join(d, name)), name).toBe(true);
    }
    tg.save(t, join(d, 'd.safetensors'));
    tg.save(t, join(d, 'e.pt'), { format: 'safetensors' });
    tg.save(t, join(d, 'f.bin'), { format: 'torch' });
    expect([isSafetensors(join(d, 'd.safetensors')), isSafetensors(join(d, 'e.pt')), isZip(join(d, 'f.bin'))]).toEqual([true, true, true]);
  });

  it('replaces a file whole: a save that fails leaves the old file, and no temporary file', async () => {
    const d = dir();
    const path = join(d, 'keep.pt');
    tg.save({ t: tg.ones(3) }, path);
    const before = fs.readFileSync(path);
    expect(() => tg.save({ t: tg.zeros(3), bad: () => 0 } as never, path)).toThrow(TypeError);
    await expect(tg.saveAsync({ t: tg.zeros(3), bad: Symbol('x') } as never, path)).rejects.toThrow(TypeError);
    expect(fs.readFileSync(path).equals(before)).toBe(true);
    expect(fs.readdirSync(d)).toEqual(['keep.pt']);
    tg.save({ t: tg.zeros(3) }, path);
    expect(fs.readFileSync(path).equals(before)).toBe(false);
    expect(fs.readdirSync(d)).toEqual(['keep.pt']);
  });

  it('saveAsync saves the values of its call (bytes copied before it returns)', async () => {
    const t = tg.zeros(2000);
    const path = tmp('async.pt');
    const pending = tg.saveAsync({ t, view: t.narrow(0, 5, 3) }, path);
    t.fill_(5);
    await pending;
    const data = members(path).get('data/0')?.bytes as Buffer;
    expect(data.length).toBe(8000);
    expect(new Float32Array(new Uint8Array(data).buffer).every((v) => v === 0)).toBe(true);
  });
});
