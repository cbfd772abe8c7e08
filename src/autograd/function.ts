/**
 * tg.autograd.Function: ops whose forward and backward the user writes, as PyTorch's
 * torch.autograd.Function. The class's static forward runs without recording; its outputs get one
 * node ('customFunction', whose rule in derivatives.ts calls callBackward here) that calls the
 * static backward with one gradient per output and expects one gradient per forward argument.
 */
import { AutogradError, ShapeError, shapeStr } from '../errors';
import { describeValue } from '../options';
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import { isGradEnabled, noGrad } from './grad_mode';
import { functionViews, Node } from './graph';

/** What a custom function's node keeps between forward and backward. */
export interface FunctionRecord {
  cls: FunctionClass;
  name: string;
  ctx: FunctionCtx;
  /** Each forward argument: its shape when it is a tensor, else null. */
  argShapes: (readonly number[] | null)[];
  /** Each forward output: the shape and dtype of a tensor, or null for other values. */
  outputs: ({ shape: readonly number[]; dtype: Tensor['dtype'] } | null)[];
  /** With several differentiable outputs: the gradients their nodes have handed on in this pass. */
  pending: (Tensor | null)[] | null;
  /** The output whose gradient arrives on the node itself (one differentiable output), else -1. */
  direct: number;
}

/**
 * The `ctx` a custom function's forward and backward receive (PyTorch's FunctionCtx). Other values
 * backward needs (numbers, options) may be stored on it as properties: `ctx.k = 3`.
 */
export class FunctionCtx {
  [key: string]: unknown;
  /** @internal */ _toSave: (Tensor | null)[] | null = null;
  /** @internal */ _node: Node | null = null;
  /** @internal */ _dirty: Set<Tensor> = new Set();
  /** @internal */ _nonDifferentiable: Set<Tensor> = new Set();
  /** @internal */ _materialize = true;
  /** @internal */ _needs: readonly boolean[] = [];

  /** For each forward argument, whether backward must give its gradient (a tensor that requires grad). */
  get needsInputGrad(): boolean[] {
    return [...this._needs];
  }

  /**
   * Keeps tensors (inputs or outputs of forward) for backward, where `savedTensors` gives them back,
   * checked against in-place changes made since forward returned. Call it at most once, in forward.
   * @example ctx.saveForBackward(input)
   */
  saveForBackward(...tensors: (Tensor | null | undefined)[]): void {
    tensors.forEach((t, i) => {
      if (t !== null && t !== undefined && !isTensor(t)) {
        throw new TypeError(
          `saveForBackward(): argument ${i} must be a Tensor or null, but got ${describeValue(t)}; keep other values as properties of ctx (ctx.k = 3)`,
        );
      }
    });
    this._toSave = tensors.map((t) => t ?? null);
  }

  /** The tensors saveForBackward kept, in backward (an error once the graph has been freed or they were changed in place). */
  get savedTensors(): (Tensor | null)[] {
    if (this._node === null) {
      if (this._toSave === null) return [];
      throw new AutogradError('savedTensors is only available in backward: in forward, use the tensors themselves');
    }
    return this._node.savedInputs() as (Tensor | null)[];
  }

  /** Declares that forward changed these input tensors in place and returns them (PyTorch's mark_dirty). */
  markDirty(...tensors: Tensor[]): void {
    for (const t of tensors) this._dirty.add(checkTensorArg('markDirty', t));
  }

  /** Declares outputs that have no gradient (indices, masks): they do not require grad, and backward gets zeros for them. */
  markNonDifferentiable(...tensors: Tensor[]): void {
    for (const t of tensors) this._nonDifferentiable.add(checkTensorArg('markNonDifferentiable', t));
  }

  /**
   * Whether backward gets zeros (true, the default) or null for outputs that received no gradient.
   * @example ctx.setMaterializeGrads(false)
   */
  setMaterializeGrads(value: boolean): void {
    if (typeof value !== 'boolean') throw new TypeError(`setMaterializeGrads(): value must be a boolean, but got ${describeValue(value)}`);
    this._materialize = value;
  }
}

function checkTensorArg(fn: string, t: unknown): Tensor {
  if (!isTensor(t)) throw new TypeError(`${fn}(): expected Tensors, but got ${describeValue(t)}`);
  return t;
}

/** A custom function class: what apply() is called on. @inline */
type FunctionClass = {
  name: string;
  prototype: object;
  forward?: (ctx: FunctionCtx, ...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  backward?: (ctx: FunctionCtx, ...grads: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
};

/** The arguments a custom function's apply() takes: those of its forward after ctx (any, where unknown). */
export type ForwardArgs<T> = T extends { forward(ctx: FunctionCtx, ...args: infer A): unknown } ? A : any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
/** What a custom function's apply() returns: what its forward returns (any, where unknown). */
export type ForwardResult<T> = T extends { forward(ctx: FunctionCtx, ...args: never[]): infer R } ? R : any; // eslint-disable-line @typescript-eslint/no-explicit-any

function checkClass(cls: unknown, base: unknown): FunctionClass {
  if (typeof cls !== 'function' || !((cls as unknown) === base || cls.prototype instanceof (base as typeof Object))) {
    throw new TypeError('apply() must be called on a subclass of tg.autograd.Function (MyFunction.apply(x), not apply.call(other, x))');
  }
  const c = cls as unknown as FunctionClass;
  for (const method of ['forward', 'backward'] as const) {
    if (typeof c[method] !== 'function' && typeof (c.prototype as Record<string, unknown>)[method] === 'function') {
      throw new TypeError(
        `${c.name}.${method} must be a static method: tg.autograd.Function subclasses define 'static ${method}(ctx, ...)' and are used as ${c.name}.apply(...), never instantiated`,
      );
    }
  }
  if (typeof c.forward !== 'function') throw new TypeError(`${c.name} must define 'static forward(ctx, ...args)' to be applied`);
  return c;
}

/** Runs cls's forward on args and records its outputs (apply()). */
export function applyFunction(cls: unknown, base: unknown, args: unknown[]): unknown {
  const c = checkClass(cls, base);
  const recording = isGradEnabled() && args.some((a) => isTensor(a) && a.requiresGrad);
  const ctx = new FunctionCtx();
  ctx._needs = args.map((a) => recording && isTensor(a) && a.requiresGrad);
  const forward = c.forward as (ctx: FunctionCtx, ...args: unknown[]) => unknown;
  const result = noGrad(() => forward.call(c, ctx, ...args));
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    throw new TypeError(`${c.name}.forward must return its outputs, not a Promise (forward and backward run synchronously)`);
  }
  const many = Array.isArray(result);
  const outs: unknown[] = many ? [...(result as unknown[])] : [result];
  checkMarked(c.name, ctx, args, outs);
  if (!recording) return result;
  const name = `${c.name}Backward`;
  const rec: FunctionRecord = {
    cls: c, name, ctx,
    argShapes: args.map((a) => (isTensor(a) ? a.shape : null)),
    outputs: outs.map((o) => (isTensor(o) ? { shape: o.shape, dtype: o.dtype } : null)),
    pending: null,
    direct: -1,
  };
  const node = new Node('customFunction', name, args.map((a) => (isTensor(a) ? a : null)), rec);
  for (const t of ctx._dirty) rebase(c.name, t);
  // Which outputs carry gradients: floating-point tensors not declared otherwise. An output that
  // is an input (not dirty), or has a history of its own, becomes a view of it with this history.
  const seen = new Set<Tensor>();
  const differentiable: number[] = [];
  outs.forEach((o, k) => {
    if (!isTensor(o)) return;
    let out = o;
    if (!ctx._dirty.has(o) && (args.includes(o) || o._gradFn !== null || o._requiresGrad || seen.has(o))) out = aliasOf(o);
    seen.add(out);
    outs[k] = out;
    if (out._base !== null && !ctx._dirty.has(o)) functionViews.set(out, `Output ${k} of ${c.name}`);
    if (!ctx._nonDifferentiable.has(o) && out.isFloatingPoint()) differentiable.push(k);
  });
  if (differentiable.length === 1) {
    rec.direct = differentiable[0];
    attach(outs[rec.direct] as Tensor, node);
  } else {
    for (const k of differentiable) {
      // each output's own node hands its gradient to this one (derivatives.ts customFunctionOutput)
      const proxy = new Node('customFunctionOutput', name, [], { rec, k });
      proxy.next.push(node);
      proxy.shapes.push([]);
      proxy.dtypes.push(null);
      attach(outs[k] as Tensor, proxy);
    }
  }
  const saved = ctx._toSave ?? [];
  node._inputs = saved;
  node._versions = saved.map((t) => (t === null ? 0 : t._storage.version));
  ctx._node = node;
  return many ? outs : outs[0];
}

/** A view of all of t (PyTorch's view_as for an output that is an input): its own history, t's memory. */
function aliasOf(t: Tensor): Tensor {
  const a = t.detach();
  a._base = t._base ?? t;
  a._viewVersion = t._storage.version;
  a._noGradView = true; // its history is the function's node, never regenerated from the base
  return a;
}

function attach(t: Tensor, node: Node): void {
  t._gradFn = node;
  t._requiresGrad = true;
}

function checkMarked(fn: string, ctx: FunctionCtx, args: readonly unknown[], outs: readonly unknown[]): void {
  for (const t of ctx._dirty) {
    if (!args.includes(t)) throw new AutogradError(`${fn}: markDirty() was given a tensor that is not an input of forward`);
    if (!outs.includes(t)) throw new AutogradError(`${fn}: some elements marked as dirty during the forward method were not returned as output`);
  }
  for (const t of ctx._nonDifferentiable) {
    if (!outs.includes(t)) throw new AutogradError(`${fn}: markNonDifferentiable() only accepts output tensors of forward`);
  }
}

/** A dirty input becomes an output of the node: its history so far is the node's input edge. */
function rebase(fn: string, t: Tensor): void {
  if (t._base !== null) {
    // the change would have to reach the base through a CopySlices node, which custom functions do not make
    throw new AutogradError(
      `${fn}: markDirty() on a view (of a tensor of shape ${shapeStr(t._base.shape)}) is not supported; change a clone() of it, or the base itself`,
    );
  }
  if (t._gradFn === null && t._requiresGrad) throw new AutogradError('a leaf Variable that requires grad has been used in an in-place operation.');
}

/** Called by the customFunctionOutput rule: keeps output k's gradient for the function's node. */
export function handOn(g: Tensor, slot: { rec: FunctionRecord; k: number }): Tensor[] {
  const { rec, k } = slot;
  rec.pending ??= rec.outputs.map(() => null);
  rec.pending[k] = g;
  // the node must run once every output's gradient has arrived: a zero on the edge makes it run
  return [g.newZeros([])];
}

/** Called by the customFunction rule: the user's backward, given every output's gradient. */
export function callBackward(g: Tensor, rec: FunctionRecord): (Tensor | null)[] {
  const { cls, name, ctx } = rec;
  let grads: (Tensor | null)[];
  if (rec.direct >= 0) {
    grads = rec.outputs.map(() => null);
    grads[rec.direct] = g;
  } else {
    grads = rec.pending ?? rec.outputs.map(() => null);
    rec.pending = null;
  }
  const any = grads.find((x) => x !== null) ?? g;
  const given = grads.map((x, k) => {
    const o = rec.outputs[k];
    if (x !== null || o === null || !ctx._materialize) return x;
    return any.newZeros(o.shape as number[], { dtype: o.dtype });
  });
  if (typeof cls.backward !== 'function') {
    throw new AutogradError(`You must implement the backward method (static backward(ctx, ...gradOutputs)) of ${cls.name} to use it with backward mode AD.`);
  }
  const result = cls.backward(ctx, ...given);
  const list: unknown[] = Array.isArray(result) ? [...(result as unknown[])] : [result];
  const n = rec.argShapes.length;
  // as in PyTorch, extra trailing gradients are allowed when they are null
  while (list.length > n && (list[list.length - 1] === null || list[list.length - 1] === undefined)) list.pop();
  if (list.length !== n) throw new AutogradError(`function ${name} returned an incorrect number of gradients (expected ${n}, got ${list.length})`);
  return list.map((r, i) => {
    if (r === null || r === undefined) return null;
    if (!isTensor(r)) throw new TypeError(`function ${name} returned ${describeValue(r)} as gradient ${i}: expected a Tensor or null`);
    const shape = rec.argShapes[i];
    if (shape === null) {
      throw new AutogradError(`function ${name} returned a gradient different than null at position ${i}, but the corresponding forward input was not a Tensor`);
    }
    if (!expandable(shape, r.shape)) {
      throw new ShapeError(`Function ${name} returned an invalid gradient at index ${i} - got ${shapeStr(r.shape)} but expected shape compatible with ${shapeStr(shape)}`);
    }
    return r;
  });
}

/** Whether a tensor of `shape` broadcasts to `to` (the engine then sums the gradient back). */
function expandable(shape: readonly number[], to: readonly number[]): boolean {
  if (shape.length > to.length) return false;
  const lead = to.length - shape.length;
  return shape.every((s, i) => s === to[lead + i] || s === 1);
}

const applied = new WeakMap<object, (...args: unknown[]) => unknown>();

/**
 * A differentiable op written by hand, as PyTorch's torch.autograd.Function: a subclass defines
 * `static forward(ctx, ...args)`, which computes the outputs (a tensor, or an array of tensors and
 * other values) without recording, and `static backward(ctx, ...gradOutputs)`, which returns one
 * gradient per forward argument (null for non-tensors and inputs that need none). `Fn.apply(...)`
 * runs it and records one node (`FnBackward`) for its outputs. With `{ createGraph: true }` backward
 * runs with recording on, so a backward written with tensor ops is itself differentiable.
 * Subclasses are never instantiated; `const P3 = Fn.apply` may be called on its own, as in Python.
 * @example
 * class Exp extends tg.autograd.Function {
 *   static forward(ctx: tg.autograd.FunctionCtx, x: tg.Tensor) { const y = x.exp(); ctx.saveForBackward(y); return y; }
 *   static backward(ctx: tg.autograd.FunctionCtx, g: tg.Tensor) { const [y] = ctx.savedTensors; return g.mul(y!); }
 * }
 * const y = Exp.apply(tg.randn(3, { requiresGrad: true }));
 */
export class AutogradFunction {
  /** @hidden */
  constructor() {
    throw new TypeError(`${new.target.name} is not instantiated: its forward and backward are static; call ${new.target.name}.apply(...)`);
  }

  /**
   * Runs forward on args and records its outputs for autograd.
   * @example const y = LegendrePolynomial3.apply(x)
   */
  static apply<T>(this: T | void, ...args: ForwardArgs<T>): ForwardResult<T> {
    return applyFunction(this, AutogradFunction, args) as ForwardResult<T>;
  }
}

// Fn.apply is bound to Fn, so that `const P3 = Fn.apply; P3(x)` works as in Python.
Object.defineProperty(AutogradFunction, 'apply', {
  configurable: true,
  get(this: object) {
    let fn = applied.get(this);
    if (fn === undefined) {
      fn = (...args: unknown[]) => applyFunction(this, AutogradFunction, args);
      applied.set(this, fn);
    }
    return fn;
  },
});
