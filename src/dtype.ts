/**
 * Element types, their storage, and PyTorch's type promotion.
 *
 * A dtype is its name: `tg.float32 === 'float32'`, so either spelling works everywhere.
 */
import { DTypeError } from './errors';

export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

export const float32 = 'float32' as const;
export const float64 = 'float64' as const;
export const int32 = 'int32' as const;
export const int64 = 'int64' as const;
export const bool = 'bool' as const;

/** A dtype or one of PyTorch's aliases for it ('float', 'double', 'int', 'long'). */
export type DTypeLike = DType | 'float' | 'double' | 'int' | 'long';

export type TypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

type TypedArrayCtor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | BigInt64ArrayConstructor | Uint8ArrayConstructor;

interface DTypeInfo {
  readonly ctor: TypedArrayCtor;
  readonly itemsize: number;
  /** 0 bool, 1 integer, 2 floating point: PyTorch's promotion categories. */
  readonly category: 0 | 1 | 2;
  /** Order within the promotion lattice. */
  readonly rank: number;
  /** How PyTorch prints it (in a tensor's repr: dtype=torch.int64). Messages use the dtype's own name. */
  readonly torchName: string;
}

const INFO: Record<DType, DTypeInfo> = {
  bool: { ctor: Uint8Array, itemsize: 1, category: 0, rank: 0, torchName: 'torch.bool' },
  int32: { ctor: Int32Array, itemsize: 4, category: 1, rank: 1, torchName: 'torch.int32' },
  int64: { ctor: BigInt64Array, itemsize: 8, category: 1, rank: 2, torchName: 'torch.int64' },
  float32: { ctor: Float32Array, itemsize: 4, category: 2, rank: 3, torchName: 'torch.float32' },
  float64: { ctor: Float64Array, itemsize: 8, category: 2, rank: 4, torchName: 'torch.float64' },
};

const ALIASES: Record<string, DType> = {
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64',
  int32: 'int32', int: 'int32', int64: 'int64', long: 'int64', bool: 'bool',
};

/** Validates a dtype given by name; throws a TypeError naming the accepted ones. */
export function toDType(d: unknown): DType {
  const name = typeof d === 'string' ? (d.startsWith('torch.') ? d.slice(6) : d) : undefined;
  const found = name !== undefined && Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined; // not 'toString'
  if (found === undefined) {
    throw new TypeError(`invalid dtype ${JSON.stringify(d)}: expected one of float32, float64, int32, int64, bool`);
  }
  return found;
}

export function itemsize(d: DType): number {
  return INFO[d].itemsize;
}

export function typedArrayCtor(d: DType): TypedArrayCtor {
  return INFO[d].ctor;
}

export function isFloatingPoint(d: DType): boolean {
  return INFO[d].category === 2;
}

export function torchName(d: DType): string {
  return INFO[d].torchName;
}

/** The dtype whose storage a typed array is, or undefined for other arrays. */
export function dtypeOfArray(a: ArrayBufferView): DType | undefined {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array) return 'bool';
  return undefined;
}

/** torch.promote_types: the smallest dtype both can be converted to without losing their category. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ia = INFO[a], ib = INFO[b];
  if (ia.category !== ib.category) return ia.category > ib.category ? a : b;
  return ia.rank > ib.rank ? a : b;
}

export function category(d: DType): 0 | 1 | 2 {
  return INFO[d].category;
}

let defaultDtype: DType = 'float32';

/** The dtype of floating-point tensors created without one (float32 unless changed). */
export function getDefaultDtype(): DType {
  return defaultDtype;
}

/**
 * Sets the default floating-point dtype, as torch.set_default_dtype.
 * @example tg.setDefaultDtype('float64'); tg.randn(2).dtype // 'float64'
 */
export function setDefaultDtype(d: DTypeLike): void {
  const t = toDType(d);
  if (!isFloatingPoint(t)) {
    throw new DTypeError(`only floating-point types are supported as the default type, got ${t}`);
  }
  defaultDtype = t;
}

/** A JavaScript scalar taking part in an op: its dtype as PyTorch types a Python scalar. */
export function scalarDType(v: number | boolean | bigint): DType {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int64';
  return Number.isInteger(v) ? 'int64' : defaultDtype;
}

// PyTorch's combine_categories: a lower-priority group only matters when it is of a higher category.
function combine(higher: DType | undefined, lower: DType | undefined): DType | undefined {
  if (higher === undefined) return lower;
  if (lower === undefined || isFloatingPoint(higher)) return higher;
  if (higher === 'bool' || isFloatingPoint(lower)) return promoteTypes(higher, lower);
  return higher;
}

/**
 * torch.result_type over operands given as (dtype, kind) pairs: tensors with dimensions take
 * precedence over zero-dimensional tensors, which take precedence over plain numbers, unless a
 * lower group is of a higher category (an int tensor times 2.5 is a float tensor).
 */
export function resultType(operands: ReadonlyArray<{ dtype: DType; kind: 'dim' | 'zero' | 'scalar' }>): DType {
  let dim: DType | undefined, zero: DType | undefined, scalar: DType | undefined;
  for (const o of operands) {
    if (o.kind === 'dim') dim = dim === undefined ? o.dtype : promoteTypes(dim, o.dtype);
    else if (o.kind === 'zero') zero = zero === undefined ? o.dtype : promoteTypes(zero, o.dtype);
    else scalar = scalar === undefined ? o.dtype : promoteTypes(scalar, o.dtype);
  }
  const r = combine(dim, combine(zero, scalar));
  if (r === undefined) throw new TypeError('resultType needs at least one operand');
  return r;
}

/** Whether a value of dtype `from` may be written into a tensor of dtype `to` by an in-place op. */
export function canCast(from: DType, to: DType): boolean {
  return category(from) <= category(to);
}
