/**
 * Reading torch.save files, in both of PyTorch's formats:
 *
 * - zip (PyTorch >= 1.6): members `<prefix>/data.pkl` (the pickle), `<prefix>/data/<key>` (each
 *   storage's bytes, stored), `<prefix>/byteorder` ('little' or 'big'; little when missing) and
 *   version records. A storage's persistent id is `('storage', StorageType, key, location, numel)`.
 * - legacy (torch.save(..., _use_new_zipfile_serialization=False)): five pickles back to back (the
 *   magic number 0x1950a86a20f9469cfc6c, the protocol version 1001, the writer's sys_info, the
 *   object, the list of storage keys), then each storage in that order as its element count (8
 *   bytes, little-endian) and its bytes, always little-endian. Persistent ids have a sixth field,
 *   view_metadata: `(view_key, offset, numel)` for views of a storage (None since PyTorch 0.4).
 *
 * Loading has three steps. The pickle is run (pickle.ts, with torch-globals.ts's allow-list),
 * which records each storage it names and checks every tensor against its storage's declared size;
 * each storage's place in the file is checked against its declared size, and the sum of what
 * loading allocates against maxBytes. Only then are the storages read, each once into one tg
 * Storage (widened where tensorgrad lacks the dtype), straight from the file. Last, every tensor
 * the pickle rebuilt becomes a view of its storage with the file's offset, shape and strides, so
 * tensors saved over one storage share memory as they did in PyTorch.
 */
import { FormatError } from '../errors';
import { makeTensor, type Storage } from '../storage';
import type { Tensor } from '../tensor';
import { checkLimit, limitError, loadedBytes, tensorReader, type AsyncByteSource, type ByteSource, type Stored } from './bytes';
import { describe, isDict, isTuple, unpickle, type Fail, type PickleBudget } from './pickle';
import { PickleInput } from './pickle-input';
import { LOADABLE, LOADABLE_LIST, PyObject, StorageRef, StorageType, TensorSpec, torchHooks, type StorageInfo } from './torch-globals';
import { checkCrc, checkMember, crc32, openMember, readZipDirectory, type ZipEntry } from './zip';

/** What a file's first bytes say it is. */
export type FileKind = 'torch-zip' | 'torch-legacy' | 'torch-tar' | 'other';

/** The first bytes sniff() needs (the tar header's magic ends at 262). */
export const SNIFF_BYTES = 264;

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;
/** The magic number as pickle writes it: LONG1 of 10 bytes, little-endian; protocol 1's text LONG. */
const MAGIC_LONG1 = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const MAGIC_TEXT = `L${LEGACY_MAGIC}L\n`;

/** Sniffs a file's first bytes: a zip, a legacy torch.save pickle, a tar archive, or something else. */
export function sniff(head: Uint8Array): FileKind {
  const at = (i: number, bytes: ArrayLike<number>) => {
    for (let k = 0; k < bytes.length; k++) if (head[i + k] !== bytes[k]) return false;
    return true;
  };
  if (at(0, [0x50, 0x4b, 0x03, 0x04]) || at(0, [0x50, 0x4b, 0x05, 0x06])) return 'torch-zip';
  if (head[0] === 0x80) {
    const i = head[2] === 0x95 ? 11 : 2; // after PROTO, and FRAME (protocol 4 and later)
    if (at(i, MAGIC_LONG1)) return 'torch-legacy';
  }
  if (at(0, Buffer.from(MAGIC_TEXT, 'latin1'))) return 'torch-legacy';
  if (at(257, Buffer.from('ustar', 'latin1'))) return 'torch-tar';
  return 'other';
}

/** A storage to read: how its elements are stored, where they are, and (once read) its memory. */
interface Planned extends StorageInfo {
  stored: Stored;
  entry?: ZipEntry;
  position?: number;
  storage?: Storage;
}

interface Parsed {
  root: unknown;
  storages: Map<string, Planned>;
  /** What reading the pickle allocated: the zip's data.pkl (read whole) and its values (estimated). */
  pickleBytes: number;
}

/** Loads a torch.save file (sniff() said which format). */
export function loadTorch(src: ByteSource, kind: FileKind, fn: string, maxBytes: number): unknown {
  const parsed = parse(src, kind, fn, maxBytes);
  for (const p of parsed.storages.values()) {
    const r = tensorReader([p.numel], p.stored, src.name);
    if (p.entry !== undefined) readMember(src, p.entry, r.into);
    else src.readInto(r.into, p.position as number);
    p.storage = r.finish()._storage;
  }
  return build(parsed.root, src.name);
}

/** loadTorch(), reading the storages without blocking the event loop (the pickle and zip directory are read synchronously). */
export async function loadTorchAsync(src: AsyncByteSource, kind: FileKind, fn: string, maxBytes: number): Promise<unknown> {
  const parsed = parse(src.sync, kind, fn, maxBytes);
  for (const p of parsed.storages.values()) {
    const r = tensorReader([p.numel], p.stored, src.name);
    const e = p.entry;
    if (e === undefined) {
      await src.readInto(r.into, p.position as number);
    } else if (e.method === 0) {
      // stored (checkMember has checked its sizes): read without blocking
      await src.readInto(r.into, e.dataStart);
      checkCrc(e, crc32(r.into), `${src.name}: ${e.name}`);
    } else {
      readMember(src.sync, e, r.into);
    }
    p.storage = r.finish()._storage;
  }
  return build(parsed.root, src.name);
}

function readMember(src: ByteSource, e: ZipEntry, into: Uint8Array): void {
  const m = openMember(src, e, `${src.name}: ${e.name}`);
  m.read(into);
  m.end();
}

/** Runs the pickle and checks every storage against the file and what loading allocates against maxBytes. */
function parse(src: ByteSource, kind: FileKind, fn: string, maxBytes: number): Parsed {
  if (kind === 'torch-tar') {
    throw new FormatError(`${src.name}: a torch.save file in PyTorch's oldest (tar) format, which tensorgrad does not read (nor does torch.load(weights_only=True))`);
  }
  const parsed = kind === 'torch-zip' ? parseZip(src, fn, maxBytes) : parseLegacy(src, fn, maxBytes);
  let total = parsed.pickleBytes;
  for (const p of parsed.storages.values()) total += loadedBytes([p.numel], p.stored);
  checkLimit(fn, src.name, total, maxBytes);
  return parsed;
}

/**
 * The storages a pickle names, by key, with the persistent_load that records them: each key has one
 * dtype and size, and `locate` finds (and checks) its bytes in the file, if it can yet.
 */
function storageRegistry(littleEndian: boolean, fields: 5 | 6, locate: (p: Planned, fail: Fail) => void) {
  const storages = new Map<string, Planned>();
  const persistent = (pid: unknown, fail: Fail): StorageRef => {
    if (!isTuple(pid) || pid.length === 0) throw fail(`a persistent id that is ${describe(pid)} (torch.save writes tuples)`);
    const kind = pid[0] instanceof Uint8Array ? Buffer.from(pid[0]).toString('latin1') : pid[0];
    if (kind === 'module') {
      throw fail('the file holds a whole nn.Module (torch.save(model)), which only its Python class can rebuild; save model.state_dict() instead');
    }
    if (kind !== 'storage') throw fail(`a persistent id of kind ${describe(kind)} (only storages are read)`);
    if (pid.length !== fields) throw fail(`a storage id of ${pid.length} fields (this format's have ${fields})`);
    const [, type, keyArg, , numelArg, view = null] = pid;
    if (!(type instanceof StorageType)) throw fail(`a storage whose type is ${describe(type)}`);
    if (typeof keyArg !== 'string' && !(typeof keyArg === 'number' && Number.isSafeInteger(keyArg))) throw fail(`a storage key that is ${describe(keyArg)}`);
    const key = String(keyArg);
    if (typeof numelArg !== 'number' || !Number.isSafeInteger(numelArg) || numelArg < 0) throw fail(`storage '${key}' has a size of ${describe(numelArg)}`);
    if (!Object.hasOwn(LOADABLE, type.dtype)) throw fail(`storage '${key}' holds ${type.dtype} elements, a dtype tensorgrad cannot load (it loads ${LOADABLE_LIST})`);
    let p = storages.get(key);
    if (p === undefined) {
      p = { key, dtype: type.dtype, numel: numelArg, stored: { ...LOADABLE[type.dtype], littleEndian } };
      locate(p, fail);
      storages.set(key, p);
    } else if (p.dtype !== type.dtype || p.numel !== numelArg) {
      throw fail(`storage '${key}' is named as ${p.numel} ${p.dtype} elements and as ${numelArg} ${type.dtype} elements`);
    }
    if (view === null) return new StorageRef(p, 0, p.numel);
    const [, offset, size] = isTuple(view) && view.length === 3 ? view : [];
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || (offset as number) < 0 || (size as number) < 0 || (offset as number) + (size as number) > p.numel) {
      throw fail(`a view of storage '${key}' (${p.numel} elements) described by ${describe(view)}`);
    }
    return new StorageRef(p, offset as number, size as number);
  };
  return { storages, persistent };
}

function parseZip(src: ByteSource, fn: string, maxBytes: number): Parsed {
  const entries = readZipDirectory(src, 'torch.save');
  const byName = new Map(entries.map((e) => [e.name, e]));
  const pkl = entries.filter((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (pkl.length !== 1 || entries.some((e) => /^[^/]+\/constants\.pkl$/.test(e.name))) throw notTorchZip(src.name, entries, pkl.length);
  const e = pkl[0];
  const prefix = e.name.slice(0, -'data.pkl'.length);
  const littleEndian = byteOrder(src, byName.get(`${prefix}byteorder`));
  checkMember(e, `${src.name}: ${e.name}`);
  checkLimit(fn, `${src.name}'s ${e.name}`, e.size, maxBytes);
  const bytes = new Uint8Array(e.size);
  readMember(src, e, bytes);
  const { storages, persistent } = storageRegistry(littleEndian, 5, (p, fail) => {
    const name = `${prefix}data/${p.key}`;
    const entry = byName.get(name);
    if (entry === undefined) throw fail(`storage '${p.key}' has no record ${name} in the archive`);
    const nbytes = p.numel * p.stored.size;
    if (entry.size !== nbytes) throw fail(`storage '${p.key}' is declared as ${p.numel} ${p.dtype} elements (${nbytes} bytes), but its record ${name} holds ${entry.size} bytes`);
    checkMember(entry, `${src.name}: ${name}`);
    p.entry = entry;
  });
  const label = `${src.name} (${e.name})`;
  const budget = pickleBudget(fn, label, maxBytes, e.size);
  const root = unpickle(new PickleInput(label, bytes, 0, bytes.length), torchHooks(persistent), budget);
  return { root, storages, pickleBytes: e.size + budget.used };
}

/** The memory a pickle's values may take (see PickleBudget): maxBytes less what is already allocated. */
function pickleBudget(fn: string, label: string, maxBytes: number, allocated: number): PickleBudget {
  return {
    maxBytes: maxBytes - allocated,
    used: 0,
    refuse: (bytes) => limitError(fn, `${label}'s pickle (the values it makes, estimated)`, allocated + bytes, maxBytes),
  };
}

function notTorchZip(name: string, entries: ZipEntry[], pickles: number): FormatError {
  const why = entries.some((e) => /^[^/]+\/constants\.pkl$/.test(e.name))
    ? 'it is a TorchScript archive (torch.jit.save), which holds code as well as tensors: load it in Python and save its state_dict()'
    : pickles > 1
      ? `it has ${pickles} data.pkl members, where torch.save writes one`
      : entries.length > 0 && entries.every((e) => e.name.endsWith('.npy'))
        ? 'it is a zip of .npy files (an .npz file: read it with tg.loadNpz)'
        : 'it has no <name>/data.pkl member';
  return new FormatError(`${name}: a zip file, but not one torch.save wrote: ${why}`);
}

/** The byteorder record: little-endian unless it says 'big'. */
function byteOrder(src: ByteSource, e: ZipEntry | undefined): boolean {
  if (e === undefined) return true;
  if (e.size > 16) throw new FormatError(`${src.name}: its ${e.name} record has ${e.size} bytes (it should say 'little' or 'big')`);
  const b = new Uint8Array(e.size);
  readMember(src, e, b);
  const text = Buffer.from(b).toString('latin1');
  if (text !== 'little' && text !== 'big') throw new FormatError(`${src.name}: unknown byte order ${JSON.stringify(text)} in ${e.name} (it should say 'little' or 'big')`);
  return text === 'little';
}

function parseLegacy(src: ByteSource, fn: string, maxBytes: number): Parsed {
  const input = new PickleInput(src.name, src, 0, src.size);
  const budget = pickleBudget(fn, src.name, maxBytes, 0);
  const plain = torchHooks((_pid, fail) => {
    throw fail('a persistent id outside the main pickle');
  });
  const magic = unpickle(input, plain, budget);
  if (magic !== LEGACY_MAGIC) throw new FormatError(`${src.name}: not a torch.save file: it starts with ${describe(magic)}, not the magic number`);
  const version = unpickle(input, plain, budget);
  if (version !== LEGACY_PROTOCOL) throw new FormatError(`${src.name}: legacy torch.save protocol version ${describe(version)} (${LEGACY_PROTOCOL} is read)`);
  unpickle(input, plain, budget); // sys_info: the writer's byte order and C type sizes; the storages are little-endian whatever it says
  const { storages, persistent } = storageRegistry(true, 6, () => {});
  const root = unpickle(input, torchHooks(persistent), budget);
  const keys = unpickle(input, plain, budget);
  if (!Array.isArray(keys)) throw new FormatError(`${src.name}: the list of storage keys is ${describe(keys)}`);
  let pos = input.pos;
  const fail = (why: string) => new FormatError(`${src.name}: ${why}`);
  for (const k of keys) {
    const p = storages.get(String(k));
    if (p === undefined || (typeof k !== 'string' && typeof k !== 'number')) throw fail(`the list of storages names ${describe(k)}, which the pickle does not use`);
    if (p.position !== undefined) throw fail(`the list of storages names '${p.key}' twice`);
    if (pos + 8 > src.size) throw fail(`truncated file: storage '${p.key}' should start at byte ${pos}, but the file has ${src.size}`);
    const head = Buffer.alloc(8);
    src.readInto(head, pos);
    const count = head.readBigInt64LE(0);
    if (count !== BigInt(p.numel)) throw fail(`storage '${p.key}' holds ${count} elements in the file, but the pickle declares ${p.numel}`);
    const nbytes = p.numel * p.stored.size;
    if (pos + 8 + nbytes > src.size) throw fail(`truncated file: storage '${p.key}' needs bytes ${pos + 8} to ${pos + 8 + nbytes}, but the file has ${src.size}`);
    p.position = pos + 8;
    pos += 8 + nbytes;
  }
  for (const p of storages.values()) {
    if (p.position === undefined) throw fail(`storage '${p.key}' is used by the pickle but has no data in the file`);
  }
  return { root, storages, pickleBytes: budget.used };
}

/** The pickle's value with each rebuilt tensor (and bare storage) made a view of its storage, in place. */
function build(root: unknown, name: string): unknown {
  const made = new Map<TensorSpec | StorageRef, Tensor>();
  const value = (v: unknown): unknown => {
    if (v instanceof TensorSpec || v instanceof StorageRef) {
      let t = made.get(v);
      if (t === undefined) made.set(v, (t = tensorOf(v, name)));
      return t;
    }
    if (v instanceof PyObject || v instanceof StorageType) throw new FormatError(`${name}: the file holds ${v.describe()} itself, which has no JavaScript value`);
    return v;
  };
  const seen = new Set<object>();
  const todo: (unknown[] | Record<string, unknown>)[] = [];
  const visit = (v: unknown) => {
    if ((Array.isArray(v) || isDict(v)) && !seen.has(v)) {
      seen.add(v);
      todo.push(v);
    }
  };
  const out = value(root);
  visit(out);
  // no recursion: a pickle may nest lists 100000 deep
  for (let c = todo.pop(); c !== undefined; c = todo.pop()) {
    if (Array.isArray(c)) {
      for (let i = 0; i < c.length; i++) visit((c[i] = value(c[i])));
      continue;
    }
    for (const k of Object.keys(c)) {
      const v = value(c[k]);
      if (v !== c[k]) Object.defineProperty(c, k, { value: v, enumerable: true, writable: true, configurable: true });
      visit(v);
    }
  }
  return out;
}

/** A view of the storage read for the spec (a bare storage: all of it, 1-d). */
function tensorOf(spec: TensorSpec | StorageRef, name: string): Tensor {
  const ref = spec instanceof TensorSpec ? spec.storage : spec;
  const p = ref.info as Planned;
  const t = spec instanceof TensorSpec
    ? makeTensor(p.storage as Storage, spec.shape, spec.strides, ref.base + spec.offset)
    : makeTensor(p.storage as Storage, [ref.numel], [1], ref.base);
  if (spec instanceof TensorSpec && spec.requiresGrad) {
    if (t.dtype !== 'float32' && t.dtype !== 'float64') {
      throw new FormatError(`${name}: ${/^[aeio]/.test(p.dtype) ? 'an' : 'a'} ${p.dtype} tensor that requires grad (only floating-point tensors can)`);
    }
    t.requiresGrad_(true);
  }
  return t;
}
