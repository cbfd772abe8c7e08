/**
 * Tensor: a view (shape, strides, offset) of a Storage, plus its autograd state. Methods are thin:
 * each calls the op of the same name in src/ops/.
 */
import * as autograd from './autograd/api';
import { noGrad } from './autograd/grad_mode';
import { refreshView, registerHook, registerPostAccumulateGradHook, type AccumulateGrad, type GradHook, type Node, type PostAccumulateGradHook, type RemovableHandle } from './autograd/graph';
import { toDType, type DType, type DTypeLike, type TypedArray } from './dtype';
import { AutogradError, ShapeError, shapeStr } from './errors';
import { formatTensor } from './format';
import { isContiguous, movedDims, normalizeDim, numel as shapeNumel, sameShape } from './shape';
import { isTensor, keep, registerTensorFactory, type Storage } from './storage';
import './autograd/rules'; // installs the backward rules into the engine
import * as binary from './ops/binary';
import { checkTensor, checkTensorLike, type Scalar, type TensorLike } from './ops/common';
import * as convert from './ops/convert';
import * as copy from './ops/copy';
import { CPU, type Device } from './device';
import * as creation from './ops/creation';
import * as indexing from './ops/indexing';
import * as linalg from './ops/linalg';
import * as linalgExt from './ops/linalg_ext';
import * as reduce from './ops/reduce';
import * as softmaxOps from './ops/softmax';
import * as unary from './ops/unary';
import * as views from './ops/view';
import * as random from './ops/random';
import * as sampling from './ops/sampling';
import * as rearrange from './ops/rearrange';
import * as scan from './ops/scan';
import * as diagonals from './ops/diagonal';
import * as subscript from './ops/subscript';
import * as scatterReduceOps from './ops/scatter_reduce';
import * as histogram from './ops/histogram';
import * as sorting from './ops/sort';
import * as uniqueOps from './ops/unique';
import * as pointwise from './ops/pointwise';
import type { MinMax, ValuesIndices } from './ops/named';
import { checkArg, checkOptions, describeValue, isOptionsObject, kinds, positionalOrNamed, typeName, type OptionKind } from './options';

/** Sizes given as one array or as separate numbers. @inline */
type Sizes = [readonly number[]] | number[];

function sizesOf(args: Sizes): number[] {
  return (Array.isArray(args[0]) ? args[0] : args) as number[];
}

/** What tolist() gives: nested arrays of numbers (booleans for bool tensors). */
export type NestedList = number | boolean | NestedList[];

/** Options of var / std: PyTorch's correction (or the legacy unbiased flag) and keepdim. */
export interface VarOptions {
  correction?: number;
  unbiased?: boolean;
  keepdim?: boolean;
}

/** keepdim by name after a positional dim: `x.sum(1, { keepdim: true })`, as `x.sum(1, keepdim=True)`. */
export interface KeepdimOptions {
  keepdim?: boolean;
}

/** A reduction's dim and keepdim as one options object: `x.sum({ dim: 1, keepdim: true })`. */
export interface DimOptions<D = reduce.Dims> {
  dim?: D;
  keepdim?: boolean;
}

const ALPHA = { alpha: 'number' } as const;
const NORM_P = { test: (v: unknown) => typeof v === 'number' || v === 'fro', what: "a number or 'fro'" };

/**
 * A reduction's (dim, keepdim), given positionally or as { dim, keepdim }, checked; dimKind: what
 * dim may be (several dims, or one dim or null for all, or exactly one).
 */
function reduceArgs(fn: string, dim: unknown, keepdim: unknown, dimKind: OptionKind = kinds.dims): [reduce.Dims, boolean] {
  const o = positionalOrNamed<{ dim?: unknown; keepdim?: boolean }>(fn, [dim, keepdim], { dim: dimKind, keepdim: 'boolean' });
  return [o.dim as reduce.Dims, o.keepdim ?? false];
}

/**
 * An n-dimensional array of one dtype (float32, float64, int32, int64 or bool), as torch.Tensor.
 * Ops on tensors that require grad are recorded, and backward() computes gradients into the
 * leaves' .grad. Methods are torch.Tensor's in camelCase; those ending in _ work in place.
 * @example
 * const x = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * x.grad?.tolist(); // [[2, 4], [6, 8]]
 */
export class Tensor {
  /** @internal */ readonly _storage: Storage;
  /** @internal Strides in elements. */ readonly _strides: readonly number[];
  /** @internal Offset of the first element in the storage, in elements. */ readonly _offset: number;
  /** The size of each dimension. */
  readonly shape: readonly number[];
  /** @internal */ _requiresGrad = false;
  /** @internal The node that computed this tensor (null for leaves). */ _gradFn: Node | null = null;
  /** @internal A leaf's node that accumulates into .grad. */ _accumulator: AccumulateGrad | null = null;
  /** @internal The tensor this one is a view of. */ _base: Tensor | null = null;
  /**
   * @internal A view's storage version when its gradFn was made: when the storage has changed
   * since (an in-place op on the base or another view), the gradFn is made again from the base's.
   */
  _viewVersion = 0;
  /** @internal A view made while grad mode was off: it carries no history and is never given one. */
  _noGradView = false;
  /** @internal For one of several views one call made (unbind, split): 'Output i of Unbind'. */
  _multiOutput: string | null = null;
  /** @internal The gradient; reading it here, unlike reading .grad, does not hand it out. */
  _grad: Tensor | null = null;
  /**
   * @internal The gradient zeroGrad() set to null while nothing outside tensorgrad held it (see
   * _clearGrad): the next backward writes the new gradient into its memory, which is still warm.
   */
  _spareGrad: Tensor | null = null;
  /** @internal Whether this tensor has been handed out as some tensor's .grad. */
  _handedOut = false;

  /** The gradient accumulated by backward() (leaves and tensors that retainGrad()). */
  get grad(): Tensor | null {
    const g = this._grad;
    if (g !== null) g._handedOut = true;
    return g;
  }

  set grad(g: Tensor | null) {
    if (g !== null) {
      if (!isTensor(g)) throw new TypeError(`assigned grad expected to be a Tensor or null but got grad of type ${typeName(g)}`);
      if (g === this || g._storage === this._storage) throw new AutogradError("can't assign a tensor (or a view of its memory) as its own grad");
      if (g.dtype !== this.dtype) {
        throw new TypeError(`attempting to assign a gradient with dtype ${g.dtype} to a tensor with dtype ${this.dtype}. The gradient must match the tensor's dtype`);
      }
      if (!sameShape(g.shape, this.shape)) {
        throw new ShapeError(`attempting to assign a gradient of size ${shapeStr(g.shape)} to a tensor of size ${shapeStr(this.shape)}. Please ensure that the gradient and the tensor are the same size`);
      }
      g._handedOut = true;
    }
    this._grad = keep(g);
    this._spareGrad = null;
  }

  /**
   * @internal zeroGrad for this tensor (Module's and Optimizer's): zeroes .grad, or with setToNone
   * makes it null. A gradient that was never handed out (only backward and the optimizers have
   * touched it) cannot be held by anyone else, so it is kept as the spare the next backward reuses,
   * instead of new memory, which costs page faults and cache misses; a gradient someone has read
   * stays theirs, untouched.
   */
  _clearGrad(setToNone: boolean): void {
    const g = this._grad;
    if (g === null) return;
    if (!setToNone) {
      noGrad(() => g.zero_());
      return;
    }
    this._grad = null;
    this._spareGrad = !g._handedOut && g._gradFn === null && !g._requiresGrad ? g : null;
  }

  /** Not for users: tensors are made by tg.tensor, tg.zeros, ... and by ops. @hidden */
  constructor(storage: Storage, shape: readonly number[], strides: readonly number[], offset: number) {
    this._storage = storage;
    // Shapes are shared between tensors (an op's output reuses its input's): frozen, never copied twice.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze(shape.slice());
    this._strides = strides;
    this._offset = offset;
  }

  // ---- properties --------------------------------------------------------------------------------

  get dtype(): DType {
    return this._storage.dtype;
  }

  get requiresGrad(): boolean {
    if (this._base !== null) refreshView(this);
    return this._requiresGrad;
  }

  set requiresGrad(b: boolean) {
    this.requiresGrad_(b);
  }

  /**
   * Sets requiresGrad (only floating-point tensors can require gradients); returns this.
   * @example const w = tg.randn(3, 2).requiresGrad_();
   */
  requiresGrad_(b = true): this {
    if (this._gradFn !== null) {
      if (!b) {
        throw new AutogradError(
          "you can only change requiresGrad of leaf tensors. If you want to use a computed tensor in a subgraph that doesn't require differentiation use const xNoGrad = x.detach().",
        );
      }
      return this;
    }
    if (b && this.dtype !== 'float32' && this.dtype !== 'float64') {
      throw new TypeError(`only floating-point tensors (float32, float64) can require gradients, but this one is ${this.dtype}`);
    }
    this._requiresGrad = b;
    return this;
  }

  /** The autograd node that made this tensor, or null for leaves. */
  get gradFn(): Node | null {
    if (this._base !== null) refreshView(this);
    return this._gradFn;
  }

  /** Whether this tensor is a leaf of the autograd graph (not the result of a recorded op). */
  get isLeaf(): boolean {
    if (this._base !== null) refreshView(this);
    return this._gradFn === null;
  }

  /**
   * Computes the gradient of this tensor with respect to the leaves of its graph and adds it to
   * their .grad. Scalars need no gradient argument; other tensors need one of their shape.
   * The options may come first when no gradient is needed: `loss.backward({ retainGraph: true })`.
   * @example loss.backward(); w.grad // dloss/dw
   */
  backward(gradient?: Tensor | null | autograd.BackwardOptions, opts?: autograd.BackwardOptions): void {
    if (isOptionsObject(gradient)) {
      if (opts !== undefined) throw new TypeError('backward(): expected (gradient, options), but got two options objects');
      [gradient, opts] = [null, gradient];
    }
    if (gradient !== undefined && gradient !== null && !isTensor(gradient)) {
      throw new TypeError(`backward(): gradient must be a Tensor or null, but got ${describeValue(gradient)}`);
    }
    autograd.backward(this, gradient ?? null, opts);
  }

  /** Keeps this non-leaf tensor's gradient in .grad during backward (leaves always keep theirs). */
  retainGrad(): void {
    if (this._base !== null) refreshView(this);
    if (!this._requiresGrad) throw new AutogradError("can't retainGrad() on a tensor that has requiresGrad false");
    if (this._gradFn !== null) this._gradFn._retained = new WeakRef(this);
  }

  /**
   * Calls hook with this tensor's gradient each time backward computes it; a tensor the hook
   * returns replaces the gradient (for a leaf, before it is added to .grad). Returns a handle
   * whose remove() unregisters the hook. PyTorch's register_hook.
   * @example w.registerHook((g) => g.clamp(-1, 1))
   */
  registerHook(hook: GradHook): RemovableHandle {
    return registerHook(this, hook);
  }

  /**
   * Runs hook(this) each time backward has accumulated a gradient into this leaf's .grad
   * (torch.Tensor.register_post_accumulate_grad_hook): an optimizer step per parameter, say.
   */
  registerPostAccumulateGradHook(hook: PostAccumulateGradHook): RemovableHandle {
    return registerPostAccumulateGradHook(this, hook);
  }

  /** Whether backward() stores this tensor's gradient in .grad. */
  get retainsGrad(): boolean {
    if (this._base !== null) refreshView(this);
    return this._gradFn !== null && this._gradFn._retained?.deref() === this;
  }

  /** The same data, detached from the graph (Tensor.data in PyTorch). */
  get data(): Tensor {
    return this.detach();
  }

  /**
   * Makes this tensor (a Parameter stays a Parameter) share t's memory, shape and dtype, as
   * PyTorch's `p.data = t`: no copy, nothing recorded.
   */
  set data(t: Tensor) {
    if (!isTensor(t)) throw new TypeError(`data must be a Tensor, but got ${typeName(t)}`);
    if (this._requiresGrad && !t.isFloatingPoint()) {
      throw new TypeError(`only floating-point tensors (float32, float64) can require gradients, but the new data is ${t.dtype}`);
    }
    const self = this as unknown as { _storage: Storage; shape: readonly number[]; _strides: readonly number[]; _offset: number };
    if (this._storage.kept) keep(t);
    self._storage = t._storage;
    self.shape = t.shape;
    self._strides = t._strides;
    self._offset = t._offset;
    this._base = null;
    this._noGradView = false;
    this._multiOutput = null;
  }

  /** Detaches this tensor from the graph in place: it becomes a leaf that does not require grad. */
  detach_(): this {
    if (this._base !== null) throw new AutogradError("Can't detach views in-place. Use detach() instead.");
    this._gradFn = null;
    this._requiresGrad = false;
    return this;
  }

  /** A zero-filled tensor with this tensor's dtype (torch's new_zeros). */
  newZeros(shape: readonly number[], opts?: creation.TensorOptions): Tensor {
    return creation.zeros(shape, { dtype: this.dtype, ...opts });
  }

  newOnes(shape: readonly number[], opts?: creation.TensorOptions): Tensor {
    return creation.ones(shape, { dtype: this.dtype, ...opts });
  }

  newFull(shape: readonly number[], value: Scalar, opts?: creation.TensorOptions): Tensor {
    return creation.full(shape, value, { dtype: this.dtype, ...opts });
  }

  newEmpty(shape: readonly number[], opts?: creation.TensorOptions): Tensor {
    return creation.empty(shape, { dtype: this.dtype, ...opts });
  }

  newTensor(data: creation.NestedArray | ArrayBufferView, opts?: creation.TensorOptions): Tensor {
    return creation.tensor(data, { dtype: this.dtype, ...opts });
  }

  /** All dims reversed (for a matrix, its transpose). */
  get T(): Tensor {
    return views.reverseDims(this);
  }

  /** The last two dims swapped: each matrix of a batch transposed (torch.Tensor.mT). */
  get mT(): Tensor {
    if (this.shape.length < 2) throw new ShapeError(`tensor.mT is only supported on matrices or batches of matrices. Got ${this.shape.length}-D tensor.`);
    return views.transpose(this, -2, -1);
  }

  /** The size of one dim, or the whole shape. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    return dim === undefined ? this.shape.slice() : this.shape[normalizeDim(dim, this.shape.length)];
  }

  /** Strides in elements: of one dim, or all. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    return dim === undefined ? this._strides.slice() : this._strides[normalizeDim(dim, this.shape.length)];
  }

  storageOffset(): number {
    return this._offset;
  }

  dim(): number {
    return this.shape.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  numel(): number {
    return shapeNumel(this.shape);
  }

  /** The number of elements, as numel(). */
  nelement(): number {
    return shapeNumel(this.shape);
  }

  elementSize(): number {
    return this._storage.data.BYTES_PER_ELEMENT;
  }

  isContiguous(): boolean {
    return isContiguous(this.shape, this._strides);
  }

  isFloatingPoint(): boolean {
    return this.dtype === 'float32' || this.dtype === 'float64';
  }

  // ---- values out --------------------------------------------------------------------------------

  /**
   * The value of a one-element tensor as a number; a bool tensor gives a boolean, typed with
   * `item<boolean>()`. int64 values beyond 2^53 are rounded to the nearest number.
   * @example const loss: number = lossTensor.item();
   * @example if (x.isnan().any().item<boolean>()) throw new Error('NaN');
   */
  item<T extends number | boolean = number>(): NoInfer<T> {
    const n = this.numel();
    if (n !== 1) throw new ShapeError(`item() needs a tensor with one element, but this one has ${n} (shape ${shapeStr(this.shape)})`);
    const v = this._storage.data[this._offset];
    return (this.dtype === 'bool' ? v !== 0 : Number(v)) as NoInfer<T>;
  }

  /** The values as nested arrays (a number for a 0-d tensor; booleans for bool tensors). */
  tolist(): NestedList {
    const data = this._storage.data;
    const conv = this.dtype === 'bool' ? (v: number | bigint) => v !== 0 : (v: number | bigint) => Number(v);
    const walk = (dim: number, offset: number): NestedList => {
      if (dim === this.shape.length) return conv(data[offset]);
      const out = new Array<NestedList>(this.shape[dim]);
      for (let i = 0; i < this.shape[dim]; i++) out[i] = walk(dim + 1, offset + i * this._strides[dim]);
      return out;
    };
    return walk(0, this._offset);
  }

  /** A copy of the values in row-major order, as a typed array of the dtype (Uint8Array for bool). */
  toTypedArray(): TypedArray {
    // slice(): an array of its own, whatever memory the tensor's storage shares
    return copy.clone(this.detach())._storage.data.slice();
  }

  toString(): string {
    if (this._storage.released) return `tensor(<disposed>, size=[${this.shape.join(', ')}], dtype=${this.dtype})`;
    return formatTensor(this, this._gradFn?.name ?? null);
  }

  /**
   * Gives this tensor's memory back now, rather than when the garbage collector finds the tensor
   * unreachable. Never required; for loops that want their large temporaries reused while still in
   * cache. Every view sharing the memory (`t.T`, `t.view(...)`, `t[0]`) is disposed with it, and
   * any later use of them is an Error. Arrays from toTypedArray() are copies and stay valid.
   * Disposing twice does nothing. Also `using t = ...` (Symbol.dispose).
   * @example const g = w.grad.mul(lr); w.sub_(g); g.dispose();
   */
  dispose(): void {
    this._storage.release();
  }

  /** Whether dispose() (or the tg.scope() that made it) has released this tensor's memory. */
  get isDisposed(): boolean {
    return this._storage.released;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * What JSON.stringify writes for a tensor: its dtype, shape and values as nested arrays
   * (tolist()); int64 values beyond 2^53 are rounded to the nearest number, and NaN and
   * +-Infinity become null, as JSON.stringify writes them.
   * @example JSON.stringify({ w: tg.tensor([[1, 2]]) }) // '{"w":{"dtype":"float32","shape":[1,2],"data":[[1,2]]}}'
   */
  toJSON(): { dtype: DType; shape: number[]; data: NestedList } {
    return { dtype: this.dtype, shape: [...this.shape], data: this.tolist() };
  }

  // ---- dtype ---------------------------------------------------------------------------------

  /**
   * This tensor converted to a dtype (itself when nothing changes), in PyTorch's forms: `to(dtype)`,
   * `to('cpu')`, `to('cpu', dtype)`, `to(other)` (other's dtype), `to({ dtype, device, copy })`.
   * Every tensor is on the CPU: another device is an Error.
   * @example x.to('float64'); x.to({ device: 'cpu' })
   */
  to(target: convert.ToTarget, dtypeOrOpts?: DTypeLike | convert.ToOptions, opts?: convert.ToOptions): Tensor { return convert.to(this, target, dtypeOrOpts, opts); }

  /** The device the tensor is on: always the CPU (tg.device('cpu'), printed 'cpu'). */
  get device(): Device { return CPU; }

  /** This tensor (it is on the CPU already), as PyTorch's x.cpu(). */
  cpu(): Tensor { return this; }

  /** An Error: tensorgrad runs on the CPU only. */
  cuda(): Tensor { return convert.to(this, 'cuda'); }

  float(): Tensor {
    return this.to('float32');
  }

  double(): Tensor {
    return this.to('float64');
  }

  int(): Tensor {
    return this.to('int32');
  }

  long(): Tensor {
    return this.to('int64');
  }

  bool(): Tensor {
    return this.to('bool');
  }

  type(dtype: DTypeLike): Tensor {
    return this.to(toDType(dtype));
  }

  // ---- arithmetic -------------------------------------------------------------------------------

  /** this + alpha * other, broadcast. @example x.add(1); x.add(y, { alpha: 2 }) */
  add(other: TensorLike, opts?: { alpha?: number }): Tensor {
    checkTensorLike(other, 'add');
    checkOptions('add', opts, ALPHA);
    return binary.add(this, other, opts?.alpha);
  }

  /** this - alpha * other. */
  sub(other: TensorLike, opts?: { alpha?: number }): Tensor {
    checkTensorLike(other, 'sub');
    checkOptions('sub', opts, ALPHA);
    return binary.sub(this, other, opts?.alpha);
  }

  /** other - this (for a number on the left: `2 - x` is `x.rsub(2)`). */
  rsub(other: TensorLike, opts?: { alpha?: number }): Tensor {
    checkTensorLike(other, 'rsub');
    checkOptions('rsub', opts, ALPHA);
    return binary.binaryReversed('sub', this, other, opts?.alpha);
  }

  mul(other: TensorLike): Tensor {
    checkTensorLike(other, 'mul');
    return binary.mul(this, other);
  }

  /**
   * True division: integer inputs give a floating-point result. With `{ roundingMode: 'trunc' }` or
   * `'floor'` the quotient is rounded (toward zero, or down) and integers stay integers.
   */
  div(other: TensorLike, opts?: binary.DivOptions): Tensor {
    checkTensorLike(other, 'div');
    return opts === undefined ? binary.div(this, other) : binary.binary(binary.divOp(opts), this, other);
  }

  /** The quotient rounded down, as Python's // (torch.floor_divide). */
  floorDivide(other: TensorLike): Tensor {
    checkTensorLike(other, 'floorDivide');
    return binary.floorDivide(this, other);
  }

  /** this ** exponent. */
  pow(exponent: TensorLike): Tensor {
    checkTensorLike(exponent, 'pow', 'exponent');
    return binary.pow(this, exponent);
  }

  maximum(other: TensorLike): Tensor {
    checkTensorLike(other, 'maximum');
    return binary.maximum(this, other);
  }

  minimum(other: TensorLike): Tensor {
    checkTensorLike(other, 'minimum');
    return binary.minimum(this, other);
  }

  atan2(other: TensorLike): Tensor {
    checkTensorLike(other, 'atan2');
    return binary.atan2(this, other);
  }

  /**
   * The remainder of this / other with this's sign, as C's fmod (torch.fmod).
   * @example tg.tensor([-5, 5]).fmod(3) // [-2, 2]
   */
  fmod(other: TensorLike): Tensor {
    checkTensorLike(other, 'fmod');
    return binary.fmod(this, other);
  }

  /**
   * The remainder of this / other with other's sign, as Python's % (torch.remainder).
   * @example tg.tensor([-5, 5]).remainder(3) // [1, 2]
   */
  remainder(other: TensorLike): Tensor {
    checkTensorLike(other, 'remainder');
    return binary.remainder(this, other);
  }

  /**
   * sqrt(this^2 + other^2) elementwise, without overflow or underflow in between (torch.hypot).
   * @example tg.tensor([3]).hypot(tg.tensor([4])) // [5]
   */
  hypot(other: Tensor): Tensor {
    checkTensor(other, 'hypot', 'other');
    return binary.hypot(this, other);
  }

  square(): Tensor {
    return binary.pow(this, 2);
  }

  neg(): Tensor { return unary.neg(this); }
  abs(): Tensor { return unary.abs(this); }
  sign(): Tensor { return unary.sign(this); }
  relu(): Tensor { return unary.relu(this); }
  floor(): Tensor { return unary.floor(this); }
  ceil(): Tensor { return unary.ceil(this); }
  round(): Tensor { return unary.round(this); }
  trunc(): Tensor { return unary.trunc(this); }
  exp(): Tensor { return unary.exp(this); }
  log(): Tensor { return unary.log(this); }
  log2(): Tensor { return unary.log2(this); }
  log10(): Tensor { return unary.log10(this); }
  log1p(): Tensor { return unary.log1p(this); }
  expm1(): Tensor { return unary.expm1(this); }
  sqrt(): Tensor { return unary.sqrt(this); }
  rsqrt(): Tensor { return unary.rsqrt(this); }
  reciprocal(): Tensor { return unary.reciprocal(this); }
  sin(): Tensor { return unary.sin(this); }
  cos(): Tensor { return unary.cos(this); }
  tan(): Tensor { return unary.tan(this); }
  asin(): Tensor { return unary.asin(this); }
  acos(): Tensor { return unary.acos(this); }
  atan(): Tensor { return unary.atan(this); }
  sinh(): Tensor { return unary.sinh(this); }
  cosh(): Tensor { return unary.cosh(this); }
  tanh(): Tensor { return unary.tanh(this); }
  sigmoid(): Tensor { return unary.sigmoid(this); }
  /** exp(x) / sum(exp(x)) along dim, as F.softmax. */
  softmax(dim: number | { dim: number }): Tensor { return softmaxOps.softmax(this, dim); }
  /** log(softmax(x)) along dim, as F.logSoftmax. */
  logSoftmax(dim: number | { dim: number }): Tensor { return softmaxOps.logSoftmax(this, dim); }
  erf(): Tensor { return unary.erf(this); }

  /**
   * min(max(this, min), max); either bound may be left out. Bounds may be tensors.
   * @example x.clamp(0); x.clamp({ max: 1 }); x.clamp(-1, 1)
   */
  clamp(min?: Scalar | Tensor | null | unary.ClampBounds, max?: Scalar | Tensor | null): Tensor {
    const b = unary.clampBounds(min, max);
    if (isTensor(b.min) || isTensor(b.max)) {
      let out: Tensor = this;
      if (b.min !== undefined && b.min !== null) out = out.maximum(b.min);
      if (b.max !== undefined && b.max !== null) out = out.minimum(b.max);
      return out;
    }
    return unary.clamp(this, b.min as Scalar | null | undefined, b.max as Scalar | null | undefined);
  }

  clampMin(min: Scalar): Tensor {
    return this.clamp(min);
  }

  clampMax(max: Scalar): Tensor {
    return this.clamp(null, max);
  }

  // ---- comparisons and logic -----------------------------------------------------------------------

  eq(other: TensorLike): Tensor { checkTensorLike(other, 'eq'); return binary.compare('eq', this, other); }
  ne(other: TensorLike): Tensor { checkTensorLike(other, 'ne'); return binary.compare('ne', this, other); }
  lt(other: TensorLike): Tensor { checkTensorLike(other, 'lt'); return binary.compare('lt', this, other); }
  le(other: TensorLike): Tensor { checkTensorLike(other, 'le'); return binary.compare('le', this, other); }
  gt(other: TensorLike): Tensor { checkTensorLike(other, 'gt'); return binary.compare('gt', this, other); }
  ge(other: TensorLike): Tensor { checkTensorLike(other, 'ge'); return binary.compare('ge', this, other); }
  logicalAnd(other: TensorLike): Tensor { checkTensorLike(other, 'logicalAnd'); return binary.compare('logical_and', this, other); }
  logicalOr(other: TensorLike): Tensor { checkTensorLike(other, 'logicalOr'); return binary.compare('logical_or', this, other); }
  logicalXor(other: TensorLike): Tensor { checkTensorLike(other, 'logicalXor'); return binary.compare('logical_xor', this, other); }
  logicalNot(): Tensor { return binary.logicalNot(this); }
  /** Where the value is NaN. */
  isnan(): Tensor { return this.ne(this); }
  /** Where the value is +-Infinity. */
  isinf(): Tensor { return this.isFloatingPoint() ? noGrad(() => this.abs()).eq(Infinity) : this.ne(this); }
  /** Where the value is neither NaN nor +-Infinity. */
  isfinite(): Tensor { return this.isFloatingPoint() ? noGrad(() => this.abs()).lt(Infinity) : this.eq(this); }

  /** The values reversed along dims (torch.flip). @example x.flip(0); x.flip([0, 1]) */
  flip(...dims: Sizes): Tensor { return rearrange.flip(this, sizesOf(dims)); }
  /** The tensor tiled along each dim (torch.Tensor.repeat). @example x.repeat(2, 1) */
  repeat(...sizes: Sizes): Tensor { return rearrange.repeat(this, sizesOf(sizes)); }
  /** The lower triangle (on and below the diagonal-th diagonal), the rest zero. @example x.tril(-1) */
  tril(diagonal = 0): Tensor { return rearrange.triangle(this, diagonal, true); }
  /** The upper triangle (on and above the diagonal-th diagonal), the rest zero. @example x.triu(1) */
  triu(diagonal = 0): Tensor { return rearrange.triangle(this, diagonal, false); }

  /** Whether both tensors have the same shape and values (torch.equal). */
  /**
   * Where this and other are close: |this - other| <= atol + |rtol * other| (torch.isclose).
   * @example x.isclose(y, { atol: 1e-6 })
   */
  isclose(other: Tensor, opts?: pointwise.CloseOptions): Tensor {
    checkTensor(other, 'isclose', 'other');
    return pointwise.isclose(this, other, opts);
  }

  /**
   * this + weight * (end - this), as torch.lerp computes it.
   * @example a.lerp(b, 0.5)
   */
  lerp(end: Tensor, weight: Tensor | number): Tensor {
    checkTensor(end, 'lerp', 'end');
    return pointwise.lerp(this, end, weight);
  }

  /** this + value * tensor1 * tensor2 (torch.addcmul). */
  addcmul(tensor1: Tensor, tensor2: Tensor, opts?: pointwise.ScaleOptions): Tensor {
    return pointwise.addcmul(this, tensor1, tensor2, opts);
  }

  /** this + value * tensor1 / tensor2 (torch.addcdiv). */
  addcdiv(tensor1: Tensor, tensor2: Tensor, opts?: pointwise.ScaleOptions): Tensor {
    return pointwise.addcdiv(this, tensor1, tensor2, opts);
  }

  /** clamp under its other name (torch.clip). */
  clip(min?: Scalar | Tensor | null | unary.ClampBounds, max?: Scalar | Tensor | null): Tensor {
    return this.clamp(min, max);
  }

  /**
   * The outer product of two 1-D tensors: [n] x [m] gives [n, m] (torch.outer).
   * @example tg.tensor([1, 2]).outer(tg.tensor([3, 4])) // [[3, 4], [6, 8]]
   */
  outer(vec2: Tensor): Tensor {
    checkTensor(vec2, 'outer', 'vec2');
    if (this.shape.length !== 1 || vec2.shape.length !== 1) {
      throw new ShapeError(`outer(): expected 1-D tensors, but got ${this.shape.length}-D and ${vec2.shape.length}-D`);
    }
    return this.unsqueeze(1).mul(vec2);
  }

  /**
   * The values shifted along dims, wrapping around (torch.roll); with no dims, along the flattened
   * tensor.
   * @example tg.tensor([[0, 1, 2], [3, 4, 5]]).roll(1, 1) // [[2, 0, 1], [5, 3, 4]]
   */
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor { return rearrange.roll(this, shifts, dims); }
  /** Rotated 90 degrees k times from dims[0] towards dims[1] (torch.rot90). @example tg.tensor([[1, 2], [3, 4]]).rot90() // [[2, 4], [1, 3]] */
  rot90(k = 1, dims: readonly number[] = [0, 1]): Tensor { return rearrange.rot90(this, k, dims); }
  /** Each element repeated along dim, flattened without one (torch.repeat_interleave). @example tg.tensor([1, 2]).repeatInterleave(2) // [1, 1, 2, 2] */
  repeatInterleave(repeats: number | Tensor, opts?: rearrange.RepeatInterleaveOptions): Tensor { return rearrange.repeatInterleave(this, repeats, opts); }

  /**
   * Dims moved to new places, the others keeping their order (torch.movedim).
   * @example tg.zeros(2, 3, 4).movedim(0, -1).shape // [3, 4, 2]
   */
  movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor {
    return this.permute(movedDims(this.shape.length, source, destination));
  }

  /**
   * This tensor repeated reps times along each dim; fewer reps than dims repeat the last dims
   * (torch.tile).
   * @example tg.tensor([1, 2]).tile(2) // [1, 2, 1, 2]
   */
  tile(...reps: Sizes): Tensor {
    const r = sizesOf(reps);
    return this.repeat([...new Array<number>(Math.max(0, this.shape.length - r.length)).fill(1), ...r]);
  }

  equal(other: Tensor): boolean {
    return sameShape(this.shape, other.shape) && (this.numel() === 0 || this.eq(other).all().item<boolean>());
  }

  /** Whether |this - other| <= atol + rtol * |other| everywhere (torch.allclose). */
  allclose(other: Tensor, opts?: { rtol?: number; atol?: number; equalNan?: boolean }): boolean {
    checkOptions('allclose', opts, { rtol: 'number', atol: 'number', equalNan: 'boolean' });
    const rtol = opts?.rtol ?? 1e-5, atol = opts?.atol ?? 1e-8;
    const a = this.double(), b = other.double();
    let close = a.sub(b).abs().le(b.abs().mul(rtol).add(atol)).logicalOr(a.eq(b));
    if (opts?.equalNan) close = close.logicalOr(a.ne(a).logicalAnd(b.ne(b)));
    return close.all().item<boolean>();
  }

  /** this where cond is true, other elsewhere. */
  where(cond: Tensor, other: TensorLike): Tensor {
    return binary.where(cond, this, other);
  }

  /** A copy with value where mask (broadcast to this) is true. */
  maskedFill(mask: Tensor, value: TensorLike): Tensor {
    return binary.maskedFill(this, mask, value);
  }

  // ---- linear algebra -------------------------------------------------------------------------------

  mm(other: Tensor): Tensor { return linalg.mm(this, other); }
  /** beta * this + alpha * (mat1 @ mat2) (torch.addmm). */
  addmm(mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor { return linalg.addmm(this, mat1, mat2, opts); }
  matmul(other: Tensor): Tensor { return linalg.matmul(this, other); }
  /** beta * this + alpha * (batch1 @ batch2), batched (torch.baddbmm). @example c.baddbmm(a, b, { alpha: 0.5 }) */
  baddbmm(batch1: Tensor, batch2: Tensor, opts?: linalgExt.AddProductOptions): Tensor { return linalgExt.baddbmm(this, batch1, batch2, opts); }
  baddbmm_(batch1: Tensor, batch2: Tensor, opts?: linalgExt.AddProductOptions): this { return this.copy_(linalgExt.inPlaceResult(this, linalgExt.baddbmm(this, batch1, batch2, opts), 'baddbmm_')); }
  /** beta * this + alpha * (sum over the batch of batch1[b] @ batch2[b]) (torch.addbmm). */
  addbmm(batch1: Tensor, batch2: Tensor, opts?: linalgExt.AddProductOptions): Tensor { return linalgExt.addbmm(this, batch1, batch2, opts); }
  addbmm_(batch1: Tensor, batch2: Tensor, opts?: linalgExt.AddProductOptions): this { return this.copy_(linalgExt.inPlaceResult(this, linalgExt.addbmm(this, batch1, batch2, opts), 'addbmm_')); }
  /** beta * this + alpha * (mat @ vec) (torch.addmv). */
  addmv(mat: Tensor, vec: Tensor, opts?: linalgExt.AddProductOptions): Tensor { return linalgExt.addmv(this, mat, vec, opts); }
  addmv_(mat: Tensor, vec: Tensor, opts?: linalgExt.AddProductOptions): this { return this.copy_(linalgExt.inPlaceResult(this, linalgExt.addmv(this, mat, vec, opts), 'addmv_')); }
  /** beta * this + alpha * outer(vec1, vec2) (torch.addr). */
  addr(vec1: Tensor, vec2: Tensor, opts?: linalgExt.AddProductOptions): Tensor { return linalgExt.addr(this, vec1, vec2, opts); }
  addr_(vec1: Tensor, vec2: Tensor, opts?: linalgExt.AddProductOptions): this { return this.copy_(linalgExt.inPlaceResult(this, linalgExt.addr(this, vec1, vec2, opts), 'addr_')); }
  /** The Kronecker product (torch.kron). @example tg.eye(2).kron(tg.ones(2, 2)).shape // [4, 4] */
  kron(other: Tensor): Tensor { return linalgExt.kron(this, other); }
  /** The cross product of 3-vectors along `dim` (default: the first dim of size 3), torch.cross. */
  cross(other: Tensor, opts?: { dim?: number | null }): Tensor { return linalgExt.cross(this, other, opts); }
  bmm(other: Tensor): Tensor { return linalg.bmm(this, other); }
  mv(vec: Tensor): Tensor { return linalg.mv(this, vec); }
  dot(other: Tensor): Tensor { return linalg.dot(this, other); }

  /** Transpose of a matrix (vectors and scalars unchanged). */
  t(): Tensor {
    return views.t2d(this);
  }

  // ---- shape ----------------------------------------------------------------------------------------

  /** A view with another shape (one size may be -1); errors when the strides do not allow one. */
  view(...shape: Sizes): Tensor { return views.view(this, sizesOf(shape)); }
  /** A view when possible, else a copy, with another shape. */
  reshape(...shape: Sizes): Tensor { return views.reshape(this, sizesOf(shape)); }
  viewAs(other: Tensor): Tensor { return views.view(this, other.shape); }
  reshapeAs(other: Tensor): Tensor { return views.reshape(this, other.shape); }
  transpose(dim0: number, dim1: number): Tensor { return views.transpose(this, dim0, dim1); }
  swapaxes(dim0: number, dim1: number): Tensor { return views.transpose(this, dim0, dim1); }
  /** transpose under NumPy's other name (torch.swapdims). */
  swapdims(dim0: number, dim1: number): Tensor { return views.transpose(this, dim0, dim1); }
  /**
   * The diagonal of dims dim1 and dim2 as a view, moved last (torch.diagonal); offset > 0 above it.
   * @example tg.tensor([[1, 2], [3, 4]]).diagonal({ offset: 1 }) // [2]
   */
  diagonal(offset?: number | views.DiagonalOptions, dim1?: number, dim2?: number): Tensor { return views.diagonal(this, offset, dim1, dim2); }
  /** A vector as a diagonal matrix, or a matrix's diagonal as a copy (torch.diag). @example tg.tensor([1, 2]).diag() */
  diag(diagonal = 0): Tensor { return diagonals.diag(this, diagonal); }
  /** The last dim written on the diagonal of two new dims, zeros elsewhere (torch.diag_embed). @example tg.ones(2, 3).diagEmbed().shape // [2, 3, 3] */
  diagEmbed(offset = 0, dim1 = -2, dim2 = -1): Tensor { return diagonals.diagEmbed(this, offset, dim1, dim2); }
  /** The sum of a matrix's main diagonal (torch.trace). @example tg.eye(3).trace() // 3 */
  trace(): Tensor { return diagonals.trace(this); }
  /** Writes value on the main diagonal in place (torch.Tensor.fill_diagonal_). @example tg.zeros(3, 3).fillDiagonal_(1) */
  fillDiagonal_(value: Scalar, opts?: diagonals.FillDiagonalOptions): this { diagonals.fillDiagonal_(this, value, opts); return this; }
  permute(...dims: Sizes): Tensor { return views.permute(this, sizesOf(dims)); }
  unsqueeze(dim: number): Tensor { return views.unsqueeze(this, dim); }
  squeeze(dim?: number | readonly number[]): Tensor { return views.squeeze(this, dim); }
  flatten(startDim = 0, endDim = -1): Tensor { return views.flatten(this, startDim, endDim); }
  unflatten(dim: number, sizes: readonly number[]): Tensor { return views.unflatten(this, dim, sizes); }
  /** Repeats size-1 dims without copying; -1 keeps a size. @example tg.ones(3, 1).expand(3, 4) */
  expand(...sizes: Sizes): Tensor { return views.expand(this, sizesOf(sizes)); }
  expandAs(other: Tensor): Tensor { return views.expand(this, other.shape); }
  narrow(dim: number, start: number, length: number): Tensor { return views.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return views.select(this, dim, index); }
  /** Python's [start:end:step] along dim. */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return views.slice(this, dim, start, end, step);
  }
  /** Python's `x[...]`: `x.index(0, '1:3', null, '...')` is `x[0, 1:3, None, ...]`; tensors, arrays and masks index too (a copy). */
  index(...specs: subscript.IndexSpec[]): Tensor { return subscript.index(this, specs); }
  /** `x[indices] = values` (or `+=` with `{ accumulate: true }`), torch.Tensor.index_put_; entries as in index(). */
  indexPut_(indices: subscript.IndexSpec[] | Tensor, values: Tensor | Scalar, opts?: subscript.IndexPutOptions): this { subscript.indexPut_(this, indices, values, opts); return this; }
  /** A copy with `values` written (or added) at `indices`: torch.index_put. */
  indexPut(indices: subscript.IndexSpec[] | Tensor, values: Tensor | Scalar, opts?: subscript.IndexPutOptions): Tensor { return subscript.indexPut(this, indices, values, opts); }
  unbind(dim = 0): Tensor[] { return views.unbind(this, dim); }
  split(sizes: number | readonly number[], dim = 0): Tensor[] { return views.split(this, sizes, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return views.chunk(this, chunks, dim); }
  /** This tensor when contiguous, else a contiguous copy. */
  contiguous(): Tensor { return copy.contiguous(this); }
  /** A copy that shares nothing with this tensor. */
  clone(): Tensor { return copy.clone(this); }
  /** The same data without autograd history. */
  detach(): Tensor { return views.detach(this); }

  // ---- reductions -------------------------------------------------------------------------------------

  /** Sum over dims (all when none given). @example x.sum(); x.sum(1, true); x.sum([0, 1]) */
  sum(dim?: reduce.Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { return reduce.sum(this, ...reduceArgs('sum', dim, keepdim)); }
  prod(dim?: reduce.Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { return reduce.prod(this, ...reduceArgs('prod', dim, keepdim)); }
  mean(dim?: reduce.Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { return reduce.mean(this, ...reduceArgs('mean', dim, keepdim)); }
  amax(dim?: reduce.Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { return reduce.amax(this, ...reduceArgs('amax', dim, keepdim)); }
  amin(dim?: reduce.Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { return reduce.amin(this, ...reduceArgs('amin', dim, keepdim)); }
  all(dim?: reduce.Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { return reduce.all(this, ...reduceArgs('all', dim, keepdim)); }
  /** Sum over dims with NaN counted as zero (torch.nansum). */
  nansum(dim?: reduce.Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { return reduce.nansum(this, ...reduceArgs('nansum', dim, keepdim)); }
  /** Mean over dims of the elements that are not NaN (torch.nanmean). */
  nanmean(dim?: reduce.Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { return reduce.nanmean(this, ...reduceArgs('nanmean', dim, keepdim)); }
  /**
   * The number of non-zero elements over dims, int64 (torch.count_nonzero).
   * @example x.countNonzero(); x.countNonzero(1)
   */
  countNonzero(dim?: reduce.Dims | { dim?: reduce.Dims }): Tensor {
    if (isOptionsObject(dim)) return reduce.countNonzero(this, checkOptions('countNonzero', dim, { dim: kinds.dims })?.dim);
    checkArg('countNonzero', 'dim', dim, kinds.dims);
    return reduce.countNonzero(this, dim);
  }
  /**
   * The minimum and maximum over dims at once (torch.aminmax).
   * @example const { min, max } = x.aminmax({ dim: 1 })
   */
  aminmax(opts?: DimOptions): MinMax {
    const [d, k] = reduceArgs('aminmax', opts ?? {}, undefined);
    return reduce.aminmax(this, d, k);
  }
  any(dim?: reduce.Dims | DimOptions, keepdim?: boolean | KeepdimOptions): Tensor { return reduce.any(this, ...reduceArgs('any', dim, keepdim)); }
  argmax(dim?: number | null | DimOptions<number | null>, keepdim?: boolean | KeepdimOptions): Tensor { return reduce.argmax(this, ...(reduceArgs('argmax', dim, keepdim, kinds.numberOrNull) as [number | null, boolean])); }
  argmin(dim?: number | null | DimOptions<number | null>, keepdim?: boolean | KeepdimOptions): Tensor { return reduce.argmin(this, ...(reduceArgs('argmin', dim, keepdim, kinds.numberOrNull) as [number | null, boolean])); }

  /**
   * max() over everything; max(dim) gives { values, indices }; max(other) is maximum(other).
   * @example const { values, indices } = x.max(1)
   */
  max(): Tensor;
  max(dim: number | DimOptions<number>, keepdim?: boolean | KeepdimOptions): ValuesIndices;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor | DimOptions<number>, keepdim?: boolean | KeepdimOptions): Tensor | ValuesIndices {
    if (isTensor(dim)) return this.maximum(dim);
    const [d, k] = reduceArgs('max', dim, keepdim, 'number') as [number | undefined, boolean];
    if (d === undefined && k) throw new TypeError('max(): keepdim needs a dim');
    return d === undefined ? reduce.amax(this, undefined, false, 'MaxBackward1') : reduce.maxDim(this, d, k);
  }

  /** min() over everything; min(dim) gives { values, indices }; min(other) is minimum(other). */
  min(): Tensor;
  min(dim: number | DimOptions<number>, keepdim?: boolean | KeepdimOptions): ValuesIndices;
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor | DimOptions<number>, keepdim?: boolean | KeepdimOptions): Tensor | ValuesIndices {
    if (isTensor(dim)) return this.minimum(dim);
    const [d, k] = reduceArgs('min', dim, keepdim, 'number') as [number | undefined, boolean];
    if (d === undefined && k) throw new TypeError('min(): keepdim needs a dim');
    return d === undefined ? reduce.amin(this, undefined, false, 'MinBackward1') : reduce.minDim(this, d, k);
  }

  /**
   * Variance (unbiased unless { correction: 0 } or unbiased false).
   * @example x.var(); x.var(1, { keepdim: true }); x.var(0, false)
   */
  var(dim?: reduce.Dims | (VarOptions & { dim?: reduce.Dims }), opts?: VarOptions | boolean, keepdim?: boolean): Tensor {
    let dims: reduce.Dims;
    if (isOptionsObject(dim)) {
      // x.var({ dim: 1, correction: 0 })
      if (opts !== undefined || keepdim !== undefined) throw new TypeError('var(): expected ({ dim, ...options }) or (dim, options), but got both');
      [dims, opts] = [dim.dim as reduce.Dims, { ...dim, dim: undefined } as VarOptions];
    } else {
      dims = dim as reduce.Dims;
    }
    checkArg('var', 'dim', dims, kinds.dims);
    checkArg('var', 'keepdim', keepdim, 'boolean');
    if (typeof opts !== 'boolean') checkOptions('var', opts, { dim: kinds.dims, correction: 'number', unbiased: 'boolean', keepdim: 'boolean' });
    const o: VarOptions = typeof opts === 'boolean' ? { unbiased: opts, keepdim } : { keepdim, ...opts };
    const correction = o.correction ?? (o.unbiased === false ? 0 : 1);
    return reduce.variance(this, dims, correction, o.keepdim ?? false);
  }

  /** Standard deviation: sqrt of var with the same options. */
  std(dim?: reduce.Dims | (VarOptions & { dim?: reduce.Dims }), opts?: VarOptions | boolean, keepdim?: boolean): Tensor {
    return this.var(dim, opts, keepdim).sqrt();
  }

  /**
   * The p-norm over dim (all elements when not given), torch.norm / torch.linalg.vector_norm:
   * p = 2 ('fro') by default, any number, Infinity or -Infinity.
   * @example g.norm(); x.norm(1, 1, true); x.norm(2, { dim: -1, keepdim: true }); x.norm(Infinity)
   */
  norm(p: number | 'fro' | { p?: number | 'fro'; dim?: reduce.Dims; keepdim?: boolean } = 2, dim?: reduce.Dims | { dim?: reduce.Dims; keepdim?: boolean }, keepdim?: boolean): Tensor {
    if (isOptionsObject(dim)) {
      if (keepdim !== undefined) throw new TypeError('norm(): expected (p, { dim, keepdim }) or (p, dim, keepdim), but got both');
      ({ dim, keepdim } = checkOptions('norm', dim, { dim: kinds.dims, keepdim: 'boolean' })!);
    }
    if (isOptionsObject(p)) {
      if (dim !== undefined || keepdim !== undefined) throw new TypeError('norm(): expected ({ p, dim, keepdim }) or (p, dim, keepdim), but got both');
      const o = checkOptions('norm', p, { p: NORM_P, dim: kinds.dims, keepdim: 'boolean' })!;
      [p, dim, keepdim] = [o.p ?? 2, o.dim, o.keepdim];
    }
    checkArg('norm', 'p', p, NORM_P);
    checkArg('norm', 'keepdim', keepdim, 'boolean');
    return reduce.norm(this, p === 'fro' ? 2 : p, dim, keepdim ?? false);
  }

  /**
   * log(sum(exp(x))) over dims, without overflow (torch.logsumexp).
   * @example logits.logsumexp(1); x.logsumexp([0, 1], true)
   */
  logsumexp(dim: number | readonly number[] | DimOptions<number | readonly number[]>, keepdim?: boolean | KeepdimOptions): Tensor {
    const [d, k] = reduceArgs('logsumexp', dim, keepdim);
    if (d === undefined || d === null) throw new TypeError('logsumexp(): dim must be given');
    return reduce.logsumexp(this, d, k);
  }

  /**
   * The running sums along dim (torch.cumsum); integer and bool tensors sum into int64.
   * @example tg.tensor([1, 2, 3]).cumsum(0) // [1, 3, 6]
   */
  cumsum(dim: number, opts?: scan.CumsumOptions): Tensor { return scan.cumsum(this, dim, opts); }
  /** cumsum in place, in this tensor's dtype (torch.Tensor.cumsum_). @example tg.tensor([1, 2, 3]).cumsum_(0) // [1, 3, 6] */
  cumsum_(dim: number, opts?: scan.CumsumOptions): this { scan.cumsum_(this, dim, opts); return this; }
  /** The running products along dim (torch.cumprod); integer and bool tensors multiply into int64. @example tg.tensor([1, 2, 3]).cumprod(0) // [1, 2, 6] */
  cumprod(dim: number, opts?: scan.CumsumOptions): Tensor { return scan.cumprod(this, dim, opts); }
  /** cumprod in place, in this tensor's dtype (torch.Tensor.cumprod_). @example tg.tensor([1, 2, 3]).cumprod_(0) // [1, 2, 6] */
  cumprod_(dim: number, opts?: scan.CumsumOptions): this { scan.cumprod_(this, dim, opts); return this; }

  /**
   * log(cumsum(exp(x))) along dim without overflow (torch.logcumsumexp).
   * @example tg.tensor([0, 0, 0]).logcumsumexp(0) // [0, 0.6931, 1.0986]
   */
  logcumsumexp(dim: number): Tensor { return scan.logcumsumexp(this, dim); }

  /**
   * The running maximum along dim, and where each was reached (torch.cummax).
   * @example tg.tensor([1, 3, 2, 5]).cummax(0) // { values: [1, 3, 3, 5], indices: [0, 1, 1, 3] }
   */
  cummax(dim: number): ValuesIndices { return scan.cummax(this, dim); }

  /** The running minimum along dim, and where each was reached (torch.cummin). */
  cummin(dim: number): ValuesIndices { return scan.cummin(this, dim); }

  // ---- sorting and selection (logic in src/ops/sort.ts, unique.ts, histogram.ts) ------------------------

  /**
   * Sorted along dim (-1 by default) with where each value came from (torch.sort); NaN sorts last.
   * @example const { values, indices } = x.sort({ dim: 0, descending: true })
   */
  sort(dim?: number | sorting.SortOptions, descending?: boolean | Omit<sorting.SortOptions, 'dim'>): ValuesIndices { return sorting.sort(this, dim, descending); }
  /** The indices that sort this tensor along dim (torch.argsort). @example x.argsort({ descending: true }) */
  argsort(dim?: number | sorting.SortOptions, descending?: boolean | Omit<sorting.SortOptions, 'dim'>): Tensor { return sorting.argsort(this, dim, descending); }
  /** Sorted along the first dim (torch.msort). @example tg.tensor([[3, 1], [1, 2]]).msort() // [[1, 1], [3, 2]] */
  msort(): Tensor { return sorting.msort(this); }
  /** The k largest (or smallest) along dim and their indices (torch.topk). @example x.topk(2, { largest: false }) */
  topk(k: number, dim?: number | sorting.TopkOptions, largest?: boolean, sorted?: boolean): ValuesIndices { return sorting.topk(this, k, dim, largest, sorted); }
  /** The kth smallest along dim (k from 1) and its index (torch.kthvalue). @example x.kthvalue(2, { dim: 0 }) */
  kthvalue(k: number, dim?: number | sorting.SelectOptions, keepdim?: boolean | KeepdimOptions): ValuesIndices { return sorting.kthvalue(this, k, dim, keepdim); }
  /**
   * The lower median (torch.median): of everything (NaN if there is one), or along dim with indices.
   * @example x.median(); const { values, indices } = x.median(1)
   */
  median(): Tensor;
  median(dim: number | (sorting.SelectOptions & { dim: number }), keepdim?: boolean | KeepdimOptions): ValuesIndices;
  median(dim?: number | sorting.SelectOptions, keepdim?: boolean | KeepdimOptions): Tensor | ValuesIndices { return sorting.median(this, dim, keepdim); }
  /** The lower median of the elements that are not NaN (torch.nanmedian), as median. @example x.nanmedian(0) */
  nanmedian(): Tensor;
  nanmedian(dim: number | (sorting.SelectOptions & { dim: number }), keepdim?: boolean | KeepdimOptions): ValuesIndices;
  nanmedian(dim?: number | sorting.SelectOptions, keepdim?: boolean | KeepdimOptions): Tensor | ValuesIndices { return sorting.median(this, dim, keepdim, true); }
  /** The most frequent value along dim and an index of it (torch.mode). @example tg.tensor([1, 2, 2]).mode() // { values: 2, indices: 2 } */
  mode(dim?: number | sorting.SelectOptions, keepdim?: boolean | KeepdimOptions): ValuesIndices { return sorting.mode(this, dim, keepdim); }
  /**
   * The distinct elements, sorted (torch.unique); `{ values, inverseIndices, counts }` when returnInverse or returnCounts is asked for.
   * @example tg.tensor([3, 1, 3]).unique() // [1, 3]
   */
  unique(opts: uniqueOps.UniqueOptions & uniqueOps.UniqueExtras): uniqueOps.UniqueResult;
  unique(opts?: uniqueOps.UniqueOptions): Tensor;
  unique(opts?: uniqueOps.UniqueOptions): Tensor | uniqueOps.UniqueResult { return uniqueOps.unique(this, opts); }
  /** Each run of equal consecutive elements kept once (torch.unique_consecutive). @example tg.tensor([1, 1, 2, 1]).uniqueConsecutive() // [1, 2, 1] */
  uniqueConsecutive(opts: uniqueOps.UniqueConsecutiveOptions & uniqueOps.UniqueExtras): uniqueOps.UniqueResult;
  uniqueConsecutive(opts?: uniqueOps.UniqueConsecutiveOptions): Tensor;
  uniqueConsecutive(opts?: uniqueOps.UniqueConsecutiveOptions): Tensor | uniqueOps.UniqueResult { return uniqueOps.uniqueConsecutive(this, opts); }
  /** Occurrences of each non-negative integer (torch.bincount). @example tg.tensor([1, 1, 3]).bincount() // [0, 2, 0, 1] */
  bincount(weights?: Tensor | null | histogram.BincountOptions, minlength?: number): Tensor { return histogram.bincount(this, weights, minlength); }
  /** A histogram with equal bins over [min, max] (torch.histc). @example x.histc({ bins: 4, min: 0, max: 3 }) */
  histc(bins?: number | histogram.HistcOptions, min?: number, max?: number): Tensor { return histogram.histc(this, bins, min, max); }

  // ---- in place ------------------------------------------------------------------------------------------

  add_(other: TensorLike, opts?: { alpha?: number }): this { checkTensorLike(other, 'add_'); checkOptions('add_', opts, ALPHA); binary.binaryInPlace('add', this, other, opts?.alpha); return this; }
  sub_(other: TensorLike, opts?: { alpha?: number }): this { checkTensorLike(other, 'sub_'); checkOptions('sub_', opts, ALPHA); binary.binaryInPlace('sub', this, other, opts?.alpha); return this; }
  mul_(other: TensorLike): this { checkTensorLike(other, 'mul_'); binary.binaryInPlace('mul', this, other); return this; }
  div_(other: TensorLike, opts?: binary.DivOptions): this { checkTensorLike(other, 'div_'); binary.binaryInPlace(binary.divOp(opts), this, other); return this; }
  floorDivide_(other: TensorLike): this { checkTensorLike(other, 'floorDivide_'); binary.binaryInPlace('floorDivide', this, other); return this; }
  pow_(exponent: TensorLike): this { checkTensorLike(exponent, 'pow_', 'exponent'); binary.binaryInPlace('pow', this, exponent); return this; }
  neg_(): this { unary.unaryInPlace('neg', this, false); return this; }
  abs_(): this { unary.unaryInPlace('abs', this, false); return this; }
  relu_(): this { unary.unaryInPlace('relu', this, false); return this; }
  exp_(): this { unary.unaryInPlace('exp', this, true); return this; }
  log_(): this { unary.unaryInPlace('log', this, true); return this; }
  sqrt_(): this { unary.unaryInPlace('sqrt', this, true); return this; }
  sigmoid_(): this { unary.unaryInPlace('sigmoid', this, true); return this; }
  tanh_(): this { unary.unaryInPlace('tanh', this, true); return this; }

  addcmul_(tensor1: Tensor, tensor2: Tensor, opts?: pointwise.ScaleOptions): this {
    checkOptions('addcmul_', opts, { value: 'number' });
    const v = opts?.value ?? 1;
    return this.add_((v === 1 ? tensor1 : tensor1.mul(v)).mul(tensor2));
  }
  addcdiv_(tensor1: Tensor, tensor2: Tensor, opts?: pointwise.ScaleOptions): this {
    return this.copy_(pointwise.addcdiv(this, tensor1, tensor2, opts));
  }
  lerp_(end: Tensor, weight: Tensor | number): this {
    return this.copy_(this.lerp(end, weight));
  }
  clip_(min?: Scalar | null | unary.ClampBounds, max?: Scalar | null): this {
    return this.clamp_(min, max);
  }
  clamp_(min?: Scalar | null | unary.ClampBounds, max?: Scalar | null): this {
    const b = unary.clampBounds(min, max);
    unary.clampInPlace(this, b.min as Scalar | null | undefined, b.max as Scalar | null | undefined);
    return this;
  }

  zero_(): this { copy.fill_(this, 0, 'ZeroBackward0'); return this; }
  fill_(value: Scalar | Tensor): this { copy.fill_(this, value); return this; }

  /** Copies src (broadcast, converted) into this tensor. */
  copy_(src: Tensor): this { copy.copy_(this, src); return this; }

  // ---- gather / scatter --------------------------------------------------------------------------------

  /** out[i][j] = this[i][index[i][j]] for dim 1 (torch.gather). */
  gather(dim: number, index: Tensor): Tensor { return indexing.gather(this, dim, index); }
  /** src's values reduced into a copy at index along dim: 'sum', 'prod', 'mean', 'amax' or 'amin' (torch.Tensor.scatter_reduce). */
  scatterReduce(dim: number, index: Tensor, src: Tensor, reduce: scatterReduceOps.ScatterReduction, opts?: scatterReduceOps.ScatterReduceOptions): Tensor { return scatterReduceOps.scatterReduce(this, dim, index, src, reduce, opts); }
  scatterReduce_(dim: number, index: Tensor, src: Tensor, reduce: scatterReduceOps.ScatterReduction, opts?: scatterReduceOps.ScatterReduceOptions): this { scatterReduceOps.scatterReduce_(this, dim, index, src, reduce, opts); return this; }
  /** Adds alpha * source's slices at `index` along dim (torch.Tensor.index_add_). */
  indexAdd_(dim: number, index: Tensor, source: Tensor, opts?: indexing.IndexAddOptions): this { indexing.indexAdd_(this, dim, index, source, opts); return this; }
  indexAdd(dim: number, index: Tensor, source: Tensor, opts?: indexing.IndexAddOptions): Tensor { return indexing.indexAdd(this, dim, index, source, opts); }
  /** Copies source's slices to `index` along dim (torch.Tensor.index_copy_). */
  indexCopy_(dim: number, index: Tensor, source: Tensor): this { indexing.indexCopy_(this, dim, index, source); return this; }
  indexCopy(dim: number, index: Tensor, source: Tensor): Tensor { return indexing.indexCopy(this, dim, index, source); }
  /** Sets the slices at `index` along dim to value (torch.Tensor.index_fill_). */
  indexFill_(dim: number, index: Tensor, value: Scalar | Tensor): this { indexing.indexFill_(this, dim, index, value); return this; }
  indexFill(dim: number, index: Tensor, value: Scalar | Tensor): Tensor { return indexing.indexFill(this, dim, index, value); }
  /** The elements where mask is true, 1-D (torch.masked_select). */
  maskedSelect(mask: Tensor): Tensor { return indexing.maskedSelect(this, mask); }
  /** Writes source's first elements where mask is true (torch.Tensor.masked_scatter_). */
  maskedScatter_(mask: Tensor, source: Tensor): this { indexing.maskedScatter_(this, mask, source); return this; }
  maskedScatter(mask: Tensor, source: Tensor): Tensor { return indexing.maskedScatter(this, mask, source); }
  /** The indices of the non-zero elements: [n, ndim] int64, or one tensor a dim with `{ asTuple: true }` (torch.nonzero). */
  nonzero(opts: indexing.NonzeroOptions & { asTuple: true }): Tensor[];
  nonzero(opts?: indexing.NonzeroOptions & { asTuple?: false }): Tensor;
  nonzero(opts?: indexing.NonzeroOptions): Tensor | Tensor[];
  nonzero(opts?: indexing.NonzeroOptions): Tensor | Tensor[] { return indexing.nonzero(this, opts); }
  /** The indices of the non-zero elements, [n, ndim] int64 (torch.argwhere). */
  argwhere(): Tensor { return indexing.argwhere(this); }
  /** The elements, read as 1-D, at `index` (torch.take). */
  take(index: Tensor): Tensor { return indexing.take(this, index); }
  /** The values at `indices` along dim, broadcast over the other dims (torch.take_along_dim). */
  takeAlongDim(indices: Tensor, dim?: number | null): Tensor { return indexing.takeAlongDim(this, indices, dim); }
  /** The entries at `index` (1-D, int64) along dim. */
  indexSelect(dim: number, index: Tensor): Tensor { return indexing.indexSelect(this, dim, index); }
  /** A copy with src's values added at index along dim (torch.scatter_add). */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return indexing.scatterAdd(this, dim, index, src); }
  scatterAdd_(dim: number, index: Tensor, src: Tensor): this { indexing.scatterAdd_(this, dim, index, src); return this; }
  /** A copy with src's values (or a value) written at index along dim (torch.scatter). */
  scatter(dim: number, index: Tensor, src: Tensor | Scalar): Tensor { return indexing.scatter(this, dim, index, src); }
  scatter_(dim: number, index: Tensor, src: Tensor | Scalar): this { indexing.scatter_(this, dim, index, src); return this; }

  maskedFill_(mask: Tensor, value: TensorLike): this { binary.maskedFillInPlace(this, mask, value); return this; }
  normal_(mean = 0, std = 1, opts?: { generator?: random.Generator }): this { random.normal_(this, mean, std, opts); return this; }
  uniform_(from = 0, to = 1, opts?: { generator?: random.Generator }): this { random.uniform_(this, from, to, opts); return this; }
  /** Fills with 0 or 1, 1 with probability p (a number, or a tensor broadcast to this shape). */
  bernoulli_(p: number | Tensor = 0.5, opts?: { generator?: random.Generator }): this {
    if (p instanceof Tensor) sampling.bernoulliTensor_(this, p, opts);
    else random.bernoulli_(this, p, opts);
    return this;
  }
  /** 0 or 1 a element, 1 with the probability this element gives (torch.bernoulli). */
  bernoulli(opts?: { generator?: random.Generator }): Tensor { return sampling.bernoulli(this, opts); }
  /** Fills with exponential samples of rate lambd (torch.Tensor.exponential_). */
  exponential_(lambd = 1, opts?: { generator?: random.Generator }): this { sampling.exponential_(this, lambd, opts); return this; }
  /** Fills with integers from [from, to), [0, to), or the dtype's full range (torch.Tensor.random_). */
  random_(from?: number | { generator?: random.Generator }, to?: number | { generator?: random.Generator }, opts?: { generator?: random.Generator }): this { sampling.random_(this, from, to, opts); return this; }
  /** numSamples category indices a row, with PyTorch's draws (torch.multinomial). */
  multinomial(numSamples: number, opts?: sampling.MultinomialOptions): Tensor { return sampling.multinomial(this, numSamples, opts); }
}

// console.log and util.inspect print what toString does. Set here rather than declared in the class
// so that the published types do not need Node's (the key is Node's global util.inspect.custom).
Object.defineProperty(Tensor.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: Tensor): string {
    return this.toString();
  },
});
registerTensorFactory((storage, shape, strides, offset) => new Tensor(storage, shape, strides, offset), Tensor);

