/**
 * nn.Module and nn.Parameter. A module's parameters and submodules are its properties, found in
 * the order they were assigned (as PyTorch registers them through __setattr__).
 */
import { checkArg, checkOptions } from '../options';
import { noGrad } from '../autograd/grad_mode';
import { isFloatingPoint, type DTypeLike } from '../dtype';
import { DTypeError, ShapeError, shapeStr } from '../errors';
import { sameShape } from '../shape';
import { isTensor, keep } from '../storage';
import { zeros } from '../ops/creation';
import { parseTo } from '../ops/convert';
import type { Device } from '../device';
import { Tensor } from '../tensor';

/**
 * A tensor that is a module parameter: a leaf that requires grad (unless told otherwise).
 * @example this.scale = new nn.Parameter(tg.ones(3));
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor, requiresGrad = true) {
    const d = data ?? zeros(0);
    if (!isTensor(d)) throw new TypeError('Parameter expects a Tensor');
    super(keep(d)._storage, d.shape, d._strides, d._offset);
    this.requiresGrad_(requiresGrad);
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/** Result of loadStateDict({ strict: false }): the keys that did not line up. */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Indents every line but the first (PyTorch's _addindent). */
export function addIndent(s: string, spaces: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  return [lines[0], ...lines.slice(1).map((l) => ' '.repeat(spaces) + l)].join('\n');
}

/**
 * Base class of layers and models. Subclasses assign Parameters and submodules as properties and
 * implement forward().
 * @example
 * class Net extends nn.Module {
 *   hidden = new nn.Linear(1, 10);
 *   predict = new nn.Linear(10, 1);
 *   forward(x: tg.Tensor) { return this.predict.forward(F.relu(this.hidden.forward(x))); }
 * }
 */
export class Module {
  /** Whether the module is in training mode (see train() and eval()). */
  training = true;
  /** @internal Names of the properties that are buffers (see registerBuffer). */
  _buffers = new Set<string>();
  /** @internal Buffers left out of stateDict. */
  _nonPersistent = new Set<string>();
  /**
   * @internal When each property was first given a value: submodules, parameters and buffers are
   * listed in that order, as PyTorch's __setattr__ lists them. Object.keys alone would put a
   * TypeScript field declared before another (`fc2: nn.Linear; fc1: nn.Linear;`) first, because
   * declared fields are defined (as undefined) before the constructor assigns them.
   */
  _assigned = new Map<string, number>();
  private _assignments = 0;

  constructor() {
    // Every definition and assignment of a property goes through [[DefineOwnProperty]].
    return new Proxy(this, {
      defineProperty: (target, key, desc) => {
        if (typeof key === 'string' && desc.value !== undefined && !target._assigned.has(key)) target._assigned.set(key, target._assignments++);
        return Reflect.defineProperty(target, key, desc);
      },
      deleteProperty: (target, key) => {
        if (typeof key === 'string') target._assigned.delete(key); // assigned again, it goes last
        return Reflect.deleteProperty(target, key);
      },
    });
  }

  /** Runs the module. Subclasses implement it. */
  forward(..._args: unknown[]): unknown {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  // ---- registration -------------------------------------------------------------------------------

  /** Own [name, value] pairs of a kind, in the order of their first assignment. */
  private own<T>(test: (v: unknown, key: string) => v is T): [string, T][] {
    const out: [string, T][] = [];
    const rank = (k: string) => this._assigned.get(k) ?? -1;
    for (const key of Object.keys(this).sort((a, b) => rank(a) - rank(b))) {
      const v = (this as unknown as Record<string, unknown>)[key];
      if (test(v, key)) out.push([key, v]);
    }
    return out;
  }

  /** This module's own parameters. */
  private ownParameters(): [string, Parameter][] {
    return this.own((v): v is Parameter => v instanceof Parameter);
  }

  /** This module's own buffers (tensors registered with registerBuffer). */
  private ownBuffers(): [string, Tensor][] {
    return this.own((v, k): v is Tensor => this._buffers.has(k) && isTensor(v));
  }

  /**
   * Registers a tensor that is part of the module's state but not a parameter (running
   * statistics...): saved in stateDict unless persistent is false.
   */
  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    checkOptions('registerBuffer', opts, { persistent: 'boolean' });
    (this as unknown as Record<string, unknown>)[name] = keep(tensor);
    this._buffers.add(name);
    if (opts.persistent === false) this._nonPersistent.add(name);
  }

  /** Assigns a parameter (or null) under a name. */
  registerParameter(name: string, param: Parameter | null): void {
    if (param !== null && !(param instanceof Parameter)) throw new TypeError(`cannot assign '${typeof param}' object to parameter '${name}' (nn.Parameter or null required)`);
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  /** Assigns a submodule (or null) under a name. */
  addModule(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${String(module)} is not a Module subclass`);
    (this as unknown as Record<string, unknown>)[name] = module;
  }

  // ---- traversal --------------------------------------------------------------------------------

  /** Direct submodules with their names. */
  *namedChildren(): Generator<[string, Module]> {
    yield* this.own((v): v is Module => v instanceof Module);
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and every module below it (each once), with dotted names. */
  *namedModules(prefix = '', memo = new Set<Module>()): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.namedModules(prefix ? `${prefix}.${name}` : name, memo);
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Parameters with PyTorch's dotted names ('hidden.weight'), each once. */
  *namedParameters(prefix = '', recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Parameter>();
    const modules: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [path, m] of modules) {
      for (const [name, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        yield [path ? `${path}.${name}` : name, p];
      }
    }
  }

  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters('', recurse)) yield p;
  }

  *namedBuffers(prefix = ''): Generator<[string, Tensor]> {
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, b] of m.ownBuffers()) yield [path ? `${path}.${name}` : name, b];
    }
  }

  *buffers(): Generator<Tensor> {
    for (const [, b] of this.namedBuffers()) yield b;
  }

  // ---- state -------------------------------------------------------------------------------------

  /** Parameters and persistent buffers by dotted name, in PyTorch's order (detached, shared). */
  stateDict(prefix = ''): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const walk = (m: Module, path: string) => {
      for (const [name, p] of m.ownParameters()) out[path + name] = p.detach();
      for (const [name, b] of m.ownBuffers()) if (!m._nonPersistent.has(name)) out[path + name] = b.detach();
      for (const [name, child] of m.namedChildren()) walk(child, `${path}${name}.`);
    };
    walk(this, prefix);
    return out;
  }

  /**
   * Copies parameters and buffers from a state dict (a plain object or a Map). With strict (the
   * default) every key must match; either way shapes must.
   */
  loadStateDict(stateDict: Record<string, Tensor> | Map<string, Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    const strict = checkOptions('loadStateDict', opts, { strict: 'boolean' })?.strict ?? true;
    const given = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !given.has(k));
    const unexpectedKeys = [...given.keys()].filter((k) => !Object.hasOwn(own, k)); // 'constructor' is unexpected too
    const errors: string[] = [];
    for (const [key, target] of Object.entries(own)) {
      const src = given.get(key);
      if (src === undefined) continue;
      if (!isTensor(src)) {
        errors.push(`While copying the parameter named "${key}", expected a Tensor from checkpoint but received ${typeof src}`);
      } else if (!sameShape(src.shape, target.shape)) {
        errors.push(`size mismatch for ${key}: copying a param with shape ${shapeStr(src.shape)} from checkpoint, the shape in current model is ${shapeStr(target.shape)}.`);
      }
    }
    if (strict) {
      if (unexpectedKeys.length > 0) errors.unshift(`Unexpected key(s) in the state dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
      if (missingKeys.length > 0) errors.unshift(`Missing key(s) in the state dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length > 0) {
      throw new ShapeError(`Error(s) in loadStateDict() for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    }
    noGrad(() => {
      for (const [key, target] of Object.entries(own)) {
        const src = given.get(key);
        if (src !== undefined) target.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- dtype -----------------------------------------------------------------------------------------

  /**
   * Converts the floating-point parameters and buffers of this module and all below it to dtype
   * (gradients too), as module.to(dtype) in PyTorch. Parameters become new Parameter objects: create
   * the optimizer after converting, as PyTorch advises for moving a model.
   * Also PyTorch's device forms, `to('cpu')`, `to('cpu', dtype)`, `to({ device, dtype })`: the CPU
   * is tensorgrad's only device, so only the dtype changes anything.
   * @example const net = new Net().to('float64');
   */
  to(dtype: DTypeLike | Device | string | { dtype?: DTypeLike; device?: Device | string }, dtype2?: DTypeLike): this {
    const target = parseTo('to', dtype, dtype2).dtype;
    if (target === undefined) return this;
    if (!isFloatingPoint(target)) {
      throw new DTypeError(`Module.to() only accepts floating point dtypes (float32, float64), but got ${target}`);
    }
    const converted = new Map<Tensor, Tensor>(); // a tensor shared by several modules stays shared
    const convert = <T extends Tensor>(t: T, make: (data: Tensor) => T): T => {
      if (!isFloatingPoint(t.dtype) || t.dtype === target) return t;
      let out = converted.get(t) as T | undefined;
      if (out === undefined) {
        out = make(noGrad(() => t.detach().to(target)));
        converted.set(t, out);
      }
      return out;
    };
    for (const m of this.modules()) {
      const props = m as unknown as Record<string, unknown>;
      for (const [name, p] of m.ownParameters()) {
        props[name] = convert(p, (data) => {
          const q = new Parameter(data, p.requiresGrad);
          if (p.grad !== null) q.grad = p.grad.to(target);
          return q;
        });
      }
      for (const [name, b] of m.ownBuffers()) props[name] = convert(b, (data) => data);
    }
    return this;
  }

  /** This module (it is on the CPU already), as PyTorch's module.cpu(). */
  cpu(): this {
    return this;
  }

  /** to('float64'). */
  double(): this {
    return this.to('float64');
  }

  /** to('float32'). */
  float(): this {
    return this.to('float32');
  }

  // ---- modes and gradients -------------------------------------------------------------------------

  /** Sets training mode (Dropout drops, ...) on this module and all below it. */
  train(mode = true): this {
    checkArg('train', 'mode', mode, 'boolean');
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Clears the parameters' gradients: to null (PyTorch 2's default) or to zero. */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const setToNone = checkOptions('zeroGrad', opts, { setToNone: 'boolean' })?.setToNone ?? true;
    for (const p of this.parameters()) p._clearGrad(setToNone);
  }

  /** Sets requiresGrad on every parameter. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** Calls fn on every module below this one, then on this one. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- printing ------------------------------------------------------------------------------------

  /** The module's own settings for toString (e.g. 'in_features=1, out_features=10, bias=True'). */
  extraRepr(): string {
    return '';
  }

  /** What print(module) shows in PyTorch. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = [...this.namedChildren()].map(([name, m]) => `(${name}): ${addIndent(m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let main = `${this.constructor.name}(`;
    if (lines.length > 0) {
      main += extraLines.length === 1 && childLines.length === 0 ? extraLines[0] : `\n  ${lines.join('\n  ')}\n`;
    }
    return `${main})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Python's repr of a bool, for extraRepr strings. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}
