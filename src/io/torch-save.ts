/**
 * tg.save in PyTorch's format: the zip archive torch.save writes (PyTorch >= 1.6), which
 * `torch.load(path, weights_only=True)` reads. Its members, all under one folder named after the
 * file (`model.pt` -> `model/`, as PyTorch names it; torch.load does not care):
 *
 * - `data.pkl`: the object, pickled with protocol 2 (pickle-write.ts); each tensor is
 *   `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, False, OrderedDict())`,
 *   its storage a persistent id `('storage', torch.FloatStorage, '0', 'cpu', numel)`;
 * - `.format_version` ('1'), `.storage_alignment` ('64'), `byteorder` ('little');
 * - `data/0`, `data/1`, ...: each storage's elements, all of them (a view saves its whole storage,
 *   as in PyTorch), little-endian, in the order the pickle first names them;
 * - `version` ('3\n') and `.data/serialization_id`;
 *
 * laid out as PyTorch's writer lays them out (zip-write.ts), so that the bytes match what
 * torch.save writes for the same state dict up to the serialization id.
 *
 * JavaScript values become these Python values: a plain object -> dict; a Map -> dict (its keys
 * strings, numbers or bigints); the stateDict() of a module given to save() -> collections.OrderedDict,
 * as PyTorch's state_dict; an optimizer, or its stateDict() anywhere, -> PyTorch's optimizer layout
 * (torch-optim.ts); an array -> list; null and undefined -> None; a boolean -> bool; a number ->
 * int when it is an integer (except -0), else float (NaN and infinities too); a bigint -> int; a
 * string -> str; a Uint8Array (a Buffer too) -> bytes; a Tensor -> a tensor, detached
 * (requires_grad=False). Tensors sharing a tg storage (views) share one storage record and keep
 * their offsets and strides, so PyTorch loads them sharing memory; a tensor, array or object saved
 * twice loads as one Python object, as with pickle. Anything else (functions, symbols, class
 * instances, cycles) is a TypeError naming where it is.
 */
import type { DType } from '../dtype';
import { Optimizer, type OptimizerStateDict } from '../optim/optimizer';
import { describeValue, isPlainObject } from '../options';
import { isTensor, type Storage } from '../storage';
import type { Tensor } from '../tensor';
import { storageBytes } from './bytes';
import { PickleWriter, type Batching } from './pickle-write';
import { isOptimizerStateDict, optimizerToTorch, PyTuple, torchOptimizerState } from './torch-optim';
import { writeAtomic, writeAtomicAsync } from './write';
import { ChunkSink, ZipWriter, type ZipSink } from './zip-write';

/** A value save() can write in the torch format (see the list above for what each becomes). */
export type TorchSaveable =
  | Tensor
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | readonly TorchSaveable[]
  | ReadonlyMap<string | number | bigint, TorchSaveable>
  | { readonly [key: string]: TorchSaveable }
  | OptimizerStateDict<object>
  | { stateDict(): TorchSaveable };

const STORAGE_TYPE: Record<DType, string> = { float32: 'FloatStorage', float64: 'DoubleStorage', int32: 'IntStorage', int64: 'LongStorage', bool: 'BoolStorage' };
const KINDS = 'only tensors, numbers, strings, booleans, null, bigints, Uint8Array, arrays, Maps and plain objects can be saved in the torch format';
/** Deeper nesting is refused (Python's own pickler stops far sooner, at its recursion limit). */
const MAX_DEPTH = 1000;

/** A collections.OrderedDict of these entries. */
class PyOrderedDict {
  constructor(readonly entries: readonly [string, unknown][]) {}
}

/** How a property of the value at `path` is named in messages: `obj.weight`, `obj["a b"]`, `obj[2]`. */
function member(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Walks a value, pickling it and collecting the storages of its tensors. */
class Walker {
  readonly p = new PickleWriter();
  /** Storages by key (the key is the index). */
  readonly storages: Storage[] = [];
  private readonly keys = new Map<Storage, string>();
  /** The containers being written, with their paths: meeting one again is a cycle. */
  private readonly open = new Map<object, string>();
  private readonly translated = new Map<object, Map<string, unknown>>();

  constructor(private readonly fn: string) {}

  value(v: unknown, path: string, depth: number): void {
    const p = this.p;
    switch (typeof v) {
      case 'undefined': return p.none();
      case 'boolean': return p.bool(v);
      case 'number': return Number.isInteger(v) && !Object.is(v, -0) ? p.int(v) : p.float(v);
      case 'bigint': return p.int(v);
      case 'string': return p.str(v);
      case 'object': return v === null ? p.none() : this.object(v, path, depth);
      default: throw this.unsupported(v, path);
    }
  }

  private object(v: object, path: string, depth: number): void {
    const ancestor = this.open.get(v);
    if (ancestor !== undefined) {
      throw new TypeError(`${this.fn}: ${path} is ${ancestor}, which contains it (a cycle); the torch format cannot hold cycles`);
    }
    if (this.p.recall(v)) return;
    if (depth >= MAX_DEPTH) throw new RangeError(`${this.fn}: ${path} is nested more than ${MAX_DEPTH} levels deep`);
    if (isTensor(v)) return this.tensor(v, path);
    if (v instanceof Uint8Array) return this.p.pyBytes(v);
    if (isOptimizerStateDict(v)) {
      const t = this.translated.get(v) ?? torchOptimizerState(v);
      this.translated.set(v, t);
      return this.value(t, path, depth);
    }
    this.open.set(v, path);
    try {
      this.container(v, path, depth + 1);
    } finally {
      this.open.delete(v);
    }
  }

  private container(v: object, path: string, depth: number): void {
    const p = this.p;
    if (Array.isArray(v)) {
      p.emptyList(v);
      for (let i = 0; i < v.length; i++) {
        p.beforeItem(i, v.length, 'list');
        this.value(v[i], member(path, i), depth);
        p.afterItem(i, v.length, 'list');
      }
      return;
    }
    if (v instanceof PyTuple) return p.tuple(v.items.length, () => v.items.forEach((x, i) => this.value(x, member(path, i), depth)));
    if (v instanceof Map) return this.map(v, path, depth);
    if (v instanceof PyOrderedDict) {
      p.global('collections', 'OrderedDict');
      p.tuple(0, () => {});
      p.reduce();
      p.remember(v);
      return this.entries(v.entries, path, depth, 'items');
    }
    if (!isPlainObject(v)) throw this.unsupported(v, path);
    p.emptyDict(v);
    this.entries(Object.entries(v), path, depth, 'dict');
  }

  /** Sets string-keyed entries of the dict on top of the stack. */
  private entries(entries: readonly [string, unknown][], path: string, depth: number, batching: Batching): void {
    const p = this.p;
    for (let i = 0; i < entries.length; i++) {
      const [k, x] = entries[i];
      p.beforeItem(i, entries.length, batching);
      p.str(k);
      this.value(x, member(path, k), depth);
      p.afterItem(i, entries.length, batching);
    }
  }

  private map(m: Map<unknown, unknown>, path: string, depth: number): void {
    const entries = [...m.entries()];
    for (const [k] of entries) {
      if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'bigint') {
        throw new TypeError(`${this.fn}: ${path} has a key that is ${describeValue(k)}; the keys of a Map saved in the torch format must be strings, numbers or bigints`);
      }
    }
    const p = this.p;
    p.emptyDict(m);
    for (let i = 0; i < entries.length; i++) {
      const [k, x] = entries[i];
      p.beforeItem(i, entries.length, 'dict');
      this.value(k, path, depth);
      this.value(x, `${path}.get(${typeof k === 'bigint' ? `${k}n` : JSON.stringify(k)})`, depth);
      p.afterItem(i, entries.length, 'dict');
    }
  }

  private tensor(t: Tensor, path: string): void {
    if (t._storage.released) throw new Error(`${this.fn}: ${path}'s memory was released by dispose(), so it cannot be saved`);
    const p = this.p;
    const ints = (values: readonly number[]) => p.tuple(values.length, () => values.forEach((x) => p.int(x)));
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.tuple(6, () => {
      this.storage(t);
      p.int(t._offset);
      ints(t.shape);
      ints(t._strides);
      p.bool(false);
      p.global('collections', 'OrderedDict'); // backward hooks: none
      p.tuple(0, () => {});
      p.reduce();
      p.put();
    });
    p.reduce();
    p.remember(t);
  }

  /** The persistent id of t's storage, which names its record. */
  private storage(t: Tensor): void {
    const s = t._storage;
    let key = this.keys.get(s);
    if (key === undefined) {
      key = String(this.storages.length);
      this.keys.set(s, key);
      this.storages.push(s);
    }
    const p = this.p;
    p.tuple(5, () => {
      p.str('storage');
      p.global('torch', STORAGE_TYPE[t.dtype]);
      p.str(key);
      p.str('cpu');
      p.int(s.length);
    });
    p.persistentId();
  }

  private unsupported(v: unknown, path: string): TypeError {
    const hint =
      hasStateDict(v) ? ` (save ${path}.stateDict() instead)`
      : ArrayBuffer.isView(v) ? ' (make it a tensor with tg.tensor())'
      : '';
    return new TypeError(`${this.fn}: ${path} is ${describeValue(v)}${hint}; ${KINDS}`);
  }
}

/** Whether v has a stateDict() method: a module (a callable object) or an optimizer. */
function hasStateDict(v: unknown): v is { stateDict(): unknown } {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { stateDict?: unknown }).stateDict === 'function';
}

/** What save() pickles for obj: for a module its state dict (an OrderedDict), for an optimizer its state in PyTorch's layout, else obj. */
function topLevel(obj: unknown): unknown {
  if (isTensor(obj)) return obj;
  if (obj instanceof Optimizer) return optimizerToTorch(obj);
  if (!hasStateDict(obj)) return obj;
  const sd = (obj as { stateDict(): unknown }).stateDict();
  return isPlainObject(sd) && !isOptimizerStateDict(sd) ? new PyOrderedDict(Object.entries(sd)) : sd;
}

/** The archive's folder, as PyTorch names it: the file's name without its last extension ('archive' if that is empty). */
function archiveName(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  const stem = dot >= 0 ? base.slice(0, dot) : base;
  return stem === '' ? 'archive' : stem;
}

const U64 = (1n << 64n) - 1n;
/** c10::hash_combine on 64-bit values. */
const hashCombine = (seed: bigint, v: bigint) => seed ^ ((v + 0x9e3779b9n + ((seed << 6n) & U64) + (seed >> 2n)) & U64);

function fnv1a64(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(s, 'utf8')) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & U64;
  return h;
}

/**
 * `.data/serialization_id`: 20 digits hashing the record names, then 20 combining the CRC-32s of
 * the non-empty records as PyTorch does. (PyTorch hashes the names with std::hash, in the order of
 * an unordered set, both of which differ between platforms; ours is FNV-1a in record order.)
 */
function serializationId(names: readonly string[], crcs: readonly number[]): string {
  const digits = (x: bigint) => x.toString().padStart(20, '0');
  return digits(names.reduce((h, n) => hashCombine(h, fnv1a64(n)), 0n)) + digits(crcs.reduce((h, c) => hashCombine(h, BigInt(c)), 0n));
}

interface Plan {
  folder: string;
  pickle: Buffer;
  storages: Storage[];
}

/** Pickles obj (every check is made here, before the file is touched). */
function plan(obj: unknown, path: string, fn: string): Plan {
  const w = new Walker(fn);
  w.value(topLevel(obj), 'obj', 0);
  return { folder: archiveName(path), pickle: w.p.finish(), storages: w.storages };
}

function writeArchive(sink: ZipSink, plan: Plan, copy: boolean): void {
  const zip = new ZipWriter(sink, 'pytorch');
  const names: string[] = [];
  const crcs: number[] = [];
  const addRecord = (name: string, data: Uint8Array) => {
    names.push(name);
    const crc = zip.add(`${plan.folder}/${name}`, data.length, [data]);
    if (data.length > 0) crcs.push(crc); // as PyTorch, which leaves out empty records
  };
  const text = (s: string) => Buffer.from(s, 'latin1');
  addRecord('data.pkl', plan.pickle);
  addRecord('.format_version', text('1'));
  addRecord('.storage_alignment', text('64'));
  addRecord('byteorder', text('little'));
  plan.storages.forEach((s, i) => addRecord(`data/${i}`, storageBytes(s, copy)));
  addRecord('version', text('3\n'));
  addRecord('.data/serialization_id', text(serializationId(names, crcs)));
  zip.finish();
}

/** save() in the torch format (the file is replaced whole: see write.ts). */
export function saveTorch(obj: unknown, path: string, fn: string): void {
  const p = plan(obj, path, fn);
  writeAtomic(path, (out) => writeArchive(out, p, false));
}

/** saveAsync() in the torch format: the storages' bytes are copied before it returns. */
export async function saveTorchAsync(obj: unknown, path: string, fn: string): Promise<void> {
  const p = plan(obj, path, fn);
  const sink = new ChunkSink();
  writeArchive(sink, p, true);
  await writeAtomicAsync(path, sink.chunks);
}
