/**
 * What a torch.save pickle may name and call, as torch.load(weights_only=True) allows it: the
 * tensor rebuild functions (torch._utils._rebuild_tensor_v2 and its kin), the storage classes
 * (torch.FloatStorage ...), the dtypes, torch.Size, torch.device, collections.OrderedDict, and the
 * few builtins pickle uses for plain values (bytes, bytearray, set). Any other global is refused
 * when the pickle names it, before anything is called; so is every call, BUILD and NEWOBJ these
 * rules do not know. Tensors are not made here: a rebuild gives a TensorSpec (its storage, offset,
 * shape and strides, checked against the storage's declared size), made into a tensor once the
 * storages are read (torch-load.ts).
 */
import type { Stored } from './bytes';
import { describe, dictKeys, isDict, isTuple, newDict, newSet, setItem, type Copying, type Fail, type PickleHooks } from './pickle';

/** How each dtype tensorgrad loads is stored (byte order aside); the rest are refused by name. */
export const LOADABLE: Record<string, Omit<Stored, 'littleEndian'>> = {
  float32: { kind: 'f', size: 4 }, float64: { kind: 'f', size: 8 }, float16: { kind: 'f', size: 2 }, bfloat16: { kind: 'bf', size: 2 },
  int64: { kind: 'i', size: 8 }, int32: { kind: 'i', size: 4 }, int16: { kind: 'i', size: 2 }, int8: { kind: 'i', size: 1 },
  uint8: { kind: 'u', size: 1 }, bool: { kind: 'b', size: 1 },
};
export const LOADABLE_LIST = 'float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8 and bool';

/** The legacy storage classes and their dtypes. */
const STORAGES: Record<string, string> = {
  DoubleStorage: 'float64', FloatStorage: 'float32', HalfStorage: 'float16', BFloat16Storage: 'bfloat16', LongStorage: 'int64',
  IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8', BoolStorage: 'bool',
  ComplexDoubleStorage: 'complex128', ComplexFloatStorage: 'complex64', QInt8Storage: 'qint8', QInt32Storage: 'qint32',
  QUInt8Storage: 'quint8', QUInt4x2Storage: 'quint4x2', QUInt2x4Storage: 'quint2x4',
};

/** torch.<name> dtype globals (canonical names: str(torch.float) is 'torch.float32'). */
const DTYPES = new Set([
  ...Object.keys(LOADABLE), 'complex32', 'complex64', 'complex128', 'uint16', 'uint32', 'uint64', 'float8_e5m2', 'float8_e4m3fn',
  'float8_e5m2fnuz', 'float8_e4m3fnuz', 'float8_e8m0fnu', 'float4_e2m1fn_x2', 'qint8', 'qint32', 'quint8', 'quint4x2', 'quint2x4',
  'bits8', 'bits16', 'bits1x8', 'bits2x4', 'bits4x2', ...[1, 2, 3, 4, 5, 6, 7].flatMap((n) => [`int${n}`, `uint${n}`]),
]);

const TENSOR = 'torch._utils._rebuild_tensor', TENSOR_V2 = 'torch._utils._rebuild_tensor_v2', TENSOR_V3 = 'torch._utils._rebuild_tensor_v3';
const PARAMETER = 'torch._utils._rebuild_parameter', PARAMETER_STATE = 'torch._utils._rebuild_parameter_with_state';
const FROM_TYPE = 'torch._tensor._rebuild_from_type_v2';
const TENSOR_CLASS = 'torch.Tensor', PARAMETER_CLASS = 'torch.nn.parameter.Parameter';

/** Globals a pickle may name (each becomes a PyObject, called by reduce()). */
const ALLOWED = new Set([
  'collections.OrderedDict', 'collections.Counter', 'builtins.set', 'builtins.bytearray', '_codecs.encode', 'torch.Size', 'torch.device',
  TENSOR, TENSOR_V2, TENSOR_V3, PARAMETER, PARAMETER_STATE, FROM_TYPE, TENSOR_CLASS, PARAMETER_CLASS,
]);

/** Globals weights_only=True allows, for values tensorgrad does not have. */
const UNSUPPORTED: Record<string, string> = {
  'builtins.complex': 'a complex number', 'torch._utils._rebuild_qtensor': 'a quantized tensor',
  'torch._utils._rebuild_sparse_tensor': 'a sparse tensor', 'torch._utils._rebuild_nested_tensor': 'a nested tensor',
  'torch._utils._rebuild_meta_tensor_no_storage': 'a tensor on the meta device', 'torch._utils._rebuild_wrapper_subclass': 'a tensor subclass',
  'torch._utils._rebuild_device_tensor_from_numpy': 'a tensor of another device', 'torch._utils._rebuild_device_tensor_from_cpu_tensor': 'a tensor of another device',
  'torch.serialization._get_layout': 'a sparse tensor layout',
};

/** Python 2's module names, and torch's old module for _rebuild_from_type_v2. */
const MODULES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg', 'torch.tensor': 'torch._tensor' };

/** An allowed Python global that is not a value of its own (a function or class). */
export class PyObject {
  constructor(readonly path: string) {}
  describe(): string {
    return `the Python object ${this.path}`;
  }
}

/** A storage class (torch.FloatStorage ...): the dtype of the storages a persistent id names. */
export class StorageType {
  constructor(readonly path: string, readonly dtype: string) {}
  describe(): string {
    return `the storage class ${this.path}`;
  }
}

/** A storage of the file, as the pickle declares it. */
export interface StorageInfo {
  key: string;
  /** PyTorch's name of its dtype. */
  dtype: string;
  numel: number;
}

/** A storage a persistent id names: all of it, or (legacy files) a view of numel elements from base. */
export class StorageRef {
  constructor(readonly info: StorageInfo, readonly base: number, readonly numel: number) {}
  describe(): string {
    return `storage '${this.info.key}'`;
  }
}

/** A tensor the pickle rebuilds: made once its storage is read. */
export class TensorSpec {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly strides: number[],
    readonly requiresGrad: boolean,
  ) {}
  describe(): string {
    return 'a tensor';
  }
}

/** The dicts made by collections.OrderedDict() and Counter(), which BUILD may give attributes. */
const madeByCall = new WeakSet<object>();

const NOT_ALLOWED = 'which is not allowed (only tensors, storages, state_dict containers and torch.Size/dtype are: as torch.load(weights_only=True))';

/** The hooks for a torch.save pickle; `persistent` resolves storage ids (the two file formats differ). */
export function torchHooks(persistent: (pid: unknown, fail: Fail) => StorageRef): PickleHooks {
  return {
    global(module, name, fail) {
      if (Object.hasOwn(MODULES, module)) module = MODULES[module];
      const path = `${module}.${name}`;
      if ((module === 'torch' || module === 'torch.cuda') && Object.hasOwn(STORAGES, name)) return new StorageType(path, STORAGES[name]);
      if (path === 'torch.UntypedStorage' || path === 'torch.storage.UntypedStorage') return new StorageType(path, 'uint8'); // raw bytes
      if (module === 'torch' && DTYPES.has(name)) return name;
      if (ALLOWED.has(path)) return new PyObject(path);
      if (Object.hasOwn(UNSUPPORTED, path)) throw fail(`the pickle calls ${path} (${UNSUPPORTED[path]}), which tensorgrad cannot load`);
      throw fail(`the pickle calls ${path}, ${NOT_ALLOWED}`);
    },
    reduce: (fn, args, fail, copying) => call(fn, args, fail, copying),
    build(inst, state, fail) {
      // only an OrderedDict's (or Counter's) attributes are set, as weights_only sets them; they (a
      // state_dict's _metadata: module versions) have no JavaScript value and are left out
      if (!isDict(inst) || !madeByCall.has(inst)) throw fail(`BUILD on ${describe(inst)}, ${NOT_ALLOWED}`);
      if (!isDict(state)) throw fail(`BUILD on an OrderedDict with ${describe(state)} as its attributes (a dict)`);
    },
    persistent,
  };
}

/** How many arguments each allowed callable takes, at least and at most (as Python's signatures say). */
const ARITY: Record<string, [number, number]> = {
  'collections.OrderedDict': [0, 1], 'collections.Counter': [0, 1], 'builtins.set': [0, 1], 'builtins.bytearray': [0, 3],
  '_codecs.encode': [1, 3], 'torch.Size': [0, 1], 'torch.device': [1, 2],
  [TENSOR]: [4, 4], [TENSOR_V2]: [6, 7], [TENSOR_V3]: [7, 8], [PARAMETER]: [3, 3], [PARAMETER_STATE]: [4, 4], [FROM_TYPE]: [4, 4],
};

function call(fn: unknown, args: unknown[], fail: Fail, copying: Copying): unknown {
  if (!(fn instanceof PyObject)) throw fail(`the pickle calls ${describe(fn)}, ${NOT_ALLOWED}`);
  if (Object.hasOwn(ARITY, fn.path)) {
    const [min, max] = ARITY[fn.path];
    if (args.length < min || args.length > max) {
      throw fail(`${fn.path} takes ${min === max ? min : `${min} to ${max}`} arguments, but the pickle gives it ${args.length}`);
    }
  }
  switch (fn.path) {
    case 'collections.OrderedDict':
    case 'collections.Counter': {
      const d = dictOf(args, fail, copying);
      madeByCall.add(d);
      return d;
    }
    case 'builtins.set':
      return newSet(args.length === 0 ? [] : copied(iterable(args[0], fail), copying));
    case 'builtins.bytearray':
      if (args.length === 0) return new Uint8Array(0);
      if (!(args[0] instanceof Uint8Array)) return encode(args, fail, copying);
      copying(args[0].length, 1);
      return args[0].slice();
    case '_codecs.encode':
      return encode(args, fail, copying);
    case 'torch.Size':
      return args.length === 0 ? [] : copied(iterable(args[0], fail), copying).map((v, i) => integer(v, `torch.Size's element ${i}`, fail, false));
    case 'torch.device':
      return device(args, fail);
    case TENSOR:
    case TENSOR_V2:
      return rebuildTensor(args, fail, copying);
    case PARAMETER:
    case PARAMETER_STATE: {
      const data = args[0];
      if (!(data instanceof TensorSpec)) throw fail(`${fn.path} of ${describe(data)} (it takes a tensor)`);
      const rg = args[1];
      if (typeof rg !== 'boolean') throw fail(`${fn.path}: requires_grad is ${describe(rg)}`);
      return new TensorSpec(data.storage, data.offset, data.shape, data.strides, rg);
    }
    case TENSOR_V3:
      throw fail(`a tensor of dtype ${typeof args[6] === 'string' ? args[6] : describe(args[6])}, which tensorgrad cannot load (it loads ${LOADABLE_LIST})`);
    case FROM_TYPE: {
      // a tensor with Python attributes: rebuilt by its function, the attributes left out
      const [inner, type, innerArgs] = args;
      if (!(type instanceof PyObject) || (type.path !== TENSOR_CLASS && type.path !== PARAMETER_CLASS)) {
        throw fail(`${FROM_TYPE} of the type ${describe(type)} (tensor subclasses are not loaded)`);
      }
      if (!(inner instanceof PyObject) || ![TENSOR, TENSOR_V2, TENSOR_V3, PARAMETER, PARAMETER_STATE].includes(inner.path) || !isTuple(innerArgs)) {
        throw fail(`${FROM_TYPE} calls ${describe(inner)}, ${NOT_ALLOWED}`);
      }
      return call(inner, innerArgs, fail, copying);
    }
    default:
      throw fail(`the pickle calls ${fn.path} directly, ${NOT_ALLOWED}`);
  }
}

/** A copy of items, said to `copying` first. */
function copied(items: unknown[], copying: Copying): unknown[] {
  copying(items.length);
  return [...items];
}

function iterable(v: unknown, fail: Fail): unknown[] {
  if (Array.isArray(v)) return v;
  if (isDict(v)) return dictKeys(v);
  throw fail(`expected a list or tuple, got ${describe(v)}`);
}

function dictOf(args: unknown[], fail: Fail, copying: Copying): Record<string, unknown> {
  const d = newDict();
  if (args.length === 0) return d;
  const from = args[0];
  if (isDict(from)) {
    const keys = dictKeys(from);
    copying(keys.length, 2 * 8);
    for (const k of keys) setItem(d, k, from[String(k)], fail);
    return d;
  }
  const pairs = iterable(from, fail);
  copying(pairs.length, 2 * 8);
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) throw fail(`OrderedDict's items must be pairs, but one is ${describe(pair)}`);
    setItem(d, pair[0], pair[1], fail);
  }
  return d;
}

/** _codecs.encode(str, encoding='utf-8', errors='strict'): how protocols 0 to 2 write bytes. */
function encode(args: unknown[], fail: Fail, copying: Copying): Uint8Array {
  const [s, encoding = 'utf-8', errors = 'strict'] = args;
  if (typeof s !== 'string') throw fail(`_codecs.encode of ${describe(s)}`);
  if (typeof errors !== 'string') throw fail(`_codecs.encode with the error handler ${describe(errors)}`);
  const enc = typeof encoding === 'string' ? encoding.toLowerCase() : encoding;
  if (enc === 'utf-8' || enc === 'utf8') {
    // (\p{Cs} matches lone surrogates only: a pair is one code point)
    if (/\p{Cs}/u.test(s)) throw fail('_codecs.encode of a string with a lone surrogate, which UTF-8 cannot encode');
    copying(Buffer.byteLength(s, 'utf8'), 1);
    return new TextEncoder().encode(s);
  }
  if (enc !== 'latin1' && enc !== 'latin-1' && enc !== 'iso-8859-1') throw fail(`_codecs.encode with the encoding ${describe(encoding)} (latin1 and utf-8 are read)`);
  copying(s.length, 1);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw fail('_codecs.encode: a character beyond latin1');
    out[i] = c;
  }
  return out;
}

function device(args: unknown[], fail: Fail): string {
  const [type, index] = args;
  if (typeof type !== 'string') throw fail(`torch.device of ${describe(type)}`);
  if (index === undefined || index === null) return type;
  return `${type}:${integer(index, 'the device index', fail)}`;
}

/** A non-negative integer below 2^53 (`nonNegative: false` allows negatives). */
function integer(v: unknown, what: string, fail: Fail, nonNegative = true): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw fail(`${what} is ${describe(v)}, not an integer below 2^53`);
  if (nonNegative && v < 0) throw fail(`${what} is negative (${v})`);
  return v;
}

const MAX_DIMS = 64;

/** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata?) and _rebuild_tensor (the first four). */
function rebuildTensor(args: unknown[], fail: Fail, copying: Copying): TensorSpec {
  const [storage, offsetArg, sizeArg, strideArg, rg, , metadata] = args;
  if (!(storage instanceof StorageRef)) throw fail(`a tensor rebuilt from ${describe(storage)}, not a storage`);
  const offset = integer(offsetArg, 'a tensor\'s storage offset', fail);
  if (!Array.isArray(sizeArg) || !Array.isArray(strideArg)) throw fail(`a tensor whose size and stride are ${describe(sizeArg)} and ${describe(strideArg)}`);
  if (sizeArg.length > MAX_DIMS) throw fail(`a tensor of ${sizeArg.length} dimensions (at most ${MAX_DIMS})`);
  if (strideArg.length !== sizeArg.length) throw fail(`a tensor of ${sizeArg.length} dimensions with ${strideArg.length} strides`);
  copying(2 * sizeArg.length);
  const shape = sizeArg.map((v, i) => integer(v, `a tensor's size ${i}`, fail));
  const strides = strideArg.map((v, i) => integer(v, `a tensor's stride ${i}`, fail));
  if (typeof rg !== 'boolean') throw fail(`a tensor whose requires_grad is ${describe(rg)}`);
  if (isDict(metadata) && Object.values(metadata).some((v) => v !== false && v !== null && v !== 0)) {
    throw fail(`a tensor with its conj or neg bit set (${Object.keys(metadata).join(', ')}), which tensorgrad cannot load`);
  }
  // the elements it reaches must lie in the storage (BigInt: a hostile size times stride can pass 2^53)
  let count = 1n, last = BigInt(offset);
  shape.forEach((s, i) => {
    count *= BigInt(s);
    if (s > 0) last += BigInt(s - 1) * BigInt(strides[i]);
  });
  if (count > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`a tensor of ${count} elements (more than 2^53)`);
  const needs = count === 0n ? BigInt(offset) : last + 1n;
  if (needs > BigInt(storage.numel)) {
    const where = storage.base > 0 || storage.numel !== storage.info.numel ? ` (a view of ${storage.numel} elements of it)` : '';
    throw fail(`storage '${storage.info.key}' holds ${storage.numel} elements${where} but a tensor needs ${needs} (offset ${offset}, size [${shape.join(', ')}], stride [${strides.join(', ')}])`);
  }
  return new TensorSpec(storage, offset, shape, strides, rg);
}
