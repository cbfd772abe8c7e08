/**
 * nn.Module. A module is callable, `model(x)`, as in PyTorch: its instances are functions whose
 * prototype is the class's (see the constructor). Its parameters and submodules are its properties,
 * found in the order they were assigned (as PyTorch registers them through __setattr__).
 */
import { checkArg, checkOptions } from '../options';
import { isFloatingPoint, type DTypeLike } from '../dtype';
import { DTypeError } from '../errors';
import { isTensor, keep } from '../storage';
import { parseTo } from '../ops/convert';
import type { Device } from '../device';
import type { Tensor } from '../tensor';
import { callableModule } from './callable';
import {
  addHook, ModuleHooks,
  type ForwardHook, type ForwardHookWithKwargs, type ForwardPreHook, type ForwardPreHookWithKwargs, type FullBackwardHook, type FullBackwardPreHook, type HookHandle,
} from './hooks';
import { convertModule, getSubmodule, loadStateDict, member, namedMembers, walkModules, type LoadResult, type NamedModulesOptions } from './module_impl';
import { Parameter } from './parameter';

export { Parameter } from './parameter';
export type { LoadResult, NamedModulesOptions } from './module_impl';
export { addIndent, pyBool } from './repr';
import { addIndent } from './repr';

/** The arguments a module's call takes: those of its forward. @inline */
type CallArgs<M extends Module> = Parameters<M['forward']>;
/** What a module's call returns: what its forward returns. @inline */
type CallResult<M extends Module> = ReturnType<M['forward']>;

/** A module is callable: see the call signature. */
export interface Module {
  /**
   * Calling a module runs it as PyTorch's `module(x)` does: the forward pre-hooks, `forward(x)`,
   * the forward hooks (and sets up the backward hooks). TypeScript types the call as the
   * subclass's forward (its parameters and return type). `module.forward(x)` runs forward alone,
   * without the hooks, as in PyTorch.
   * @example const logits = model(x); const loss = lossFn(logits, y);
   */
  (...args: CallArgs<this>): CallResult<this>;
}

/**
 * Base class of layers and models. Subclasses assign Parameters and submodules as properties and
 * implement forward(); a module is called as a function, `model(x)`, as in PyTorch.
 *
 * A module is a function object (`typeof model === 'function'`) whose prototype is its class's, so
 * `instanceof`, methods and properties work as for any object; `JSON.stringify` gives undefined for
 * it, as for any function.
 * @example
 * class Net extends nn.Module {
 *   hidden = new nn.Linear(1, 10);
 *   predict = new nn.Linear(10, 1);
 *   forward(x: tg.Tensor) { return this.predict(F.relu(this.hidden(x))); }
 * }
 * const y = new Net()(tg.randn(4, 1)); // a Tensor, as Net.forward returns
 */
export class Module {
  /** Whether the module is in training mode (see train() and eval()). */
  declare training: boolean;
  /** @internal Names of the properties that are buffers (see registerBuffer). */
  declare _buffers: Set<string>;
  /** @internal Buffers left out of stateDict. */
  declare _nonPersistent: Set<string>;
  /** @internal When each property was first given a value (see callable.ts). */
  declare _assigned: Map<string, number>;
  /** @internal */ declare _assignments: number;
  /** @internal The hooks calls run (registerForwardHook...), null until one is registered. */
  declare _hooks: ModuleHooks | null;

  constructor() {
    // A function object that runs the module, with this class's prototype (see callable.ts).
    return callableModule(new.target.prototype) as this;
  }

  /**
   * Runs the module. Subclasses implement it; calling the module, `model(x)`, runs it with the hooks.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- PyTorch's Module.forward: Callable[..., Any]
  forward(..._args: any[]): any {
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

  /**
   * Registers a tensor that is part of the module's state but not a parameter (running
   * statistics...): saved in stateDict unless persistent is false.
   * @example this.registerBuffer('runningMean', tg.zeros(10));
   */
  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    checkOptions('registerBuffer', opts, { persistent: 'boolean' });
    (this as unknown as Record<string, unknown>)[name] = keep(tensor);
    this._buffers.add(name);
    if (opts.persistent === false) this._nonPersistent.add(name);
    else this._nonPersistent.delete(name);
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

  /** addModule under PyTorch's other name. */
  registerModule(name: string, module: Module | null): void {
    this.addModule(name, module);
  }

  /** This module's own parameters. */
  private ownParameters(): [string, Parameter][] {
    return this.own((v): v is Parameter => v instanceof Parameter);
  }

  /** This module's own buffers (tensors registered with registerBuffer). */
  private ownBuffers(): [string, Tensor][] {
    return this.own((v, k): v is Tensor => this._buffers.has(k) && isTensor(v));
  }

  // ---- traversal --------------------------------------------------------------------------------

  /** Direct submodules with their names. */
  *namedChildren(): Generator<[string, Module]> {
    yield* this.own((v): v is Module => v instanceof Module);
  }

  /** Direct submodules. */
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /**
   * This module and every module below it, with dotted names ('' for this one): a module reachable
   * by several paths once, unless removeDuplicate is false. Also PyTorch's positional form,
   * `namedModules(prefix)`.
   * @example for (const [name, m] of net.namedModules()) console.log(name, m.constructor.name);
   */
  namedModules(opts?: NamedModulesOptions | string): Generator<[string, Module]> {
    const o: NamedModulesOptions = typeof opts === 'string' ? { prefix: opts } : (checkOptions('namedModules', opts, { memo: 'object', prefix: 'string', removeDuplicate: 'boolean' }) ?? {});
    return walkModules(this, o.memo ?? new Set(), o.prefix ?? '', o.removeDuplicate ?? true);
  }

  /** This module and every module below it, each once. */
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /**
   * Parameters with PyTorch's dotted names ('hidden.weight'), each once (unless removeDuplicate is
   * false); with recurse false, only this module's own.
   */
  namedParameters(prefix = '', recurse = true, removeDuplicate = true): Generator<[string, Parameter]> {
    return namedMembers(this, (m) => m.ownParameters(), prefix, recurse, removeDuplicate);
  }

  /** The parameters (for an optimizer), each once. */
  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters('', recurse)) yield p;
  }

  /** Buffers (registerBuffer) with dotted names, each once (unless removeDuplicate is false). */
  namedBuffers(prefix = '', recurse = true, removeDuplicate = true): Generator<[string, Tensor]> {
    return namedMembers(this, (m) => m.ownBuffers(), prefix, recurse, removeDuplicate);
  }

  /** The buffers, each once. */
  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.namedBuffers('', recurse)) yield b;
  }

  /**
   * The submodule at a dotted path ('' is this module), as PyTorch's get_submodule.
   * @example net.getSubmodule('encoder.layers.0')
   */
  getSubmodule(target: string): Module {
    return getSubmodule(this, target);
  }

  /**
   * The parameter at a dotted path, as PyTorch's get_parameter.
   * @example net.getParameter('fc1.weight')
   */
  getParameter(target: string): Parameter {
    const [, name, p] = member(this, target, 'getParameter');
    if (!(p instanceof Parameter)) throw new TypeError(`\`${name}\` is not an nn.Parameter`);
    return p;
  }

  /**
   * The buffer at a dotted path, as PyTorch's get_buffer.
   * @example net.getBuffer('bn.runningMean')
   */
  getBuffer(target: string): Tensor {
    const [mod, name, b] = member(this, target, 'getBuffer');
    if (!mod._buffers.has(name) || !isTensor(b)) throw new TypeError(`\`${name}\` is not a buffer`);
    return b;
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
   * @example net.loadStateDict(tg.load('net.safetensors'))
   */
  loadStateDict(stateDict: Record<string, Tensor> | Map<string, Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    return loadStateDict(this, stateDict, opts);
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
    convertModule(this, target);
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

  /**
   * Sets requiresGrad on every parameter (to freeze part of a model, say), as PyTorch's requires_grad_.
   * @example net.encoder.requiresGrad_(false);
   */
  requiresGrad_(requiresGrad = true): this {
    checkArg('requiresGrad_', 'requiresGrad', requiresGrad, 'boolean');
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Calls fn on every module below this one (children first), then on this one; returns this.
   * @example net.apply((m) => { if (m instanceof nn.Linear) nn.init.zeros_(m.bias!); });
   */
  apply(fn: (m: Module) => void): this {
    if (typeof fn !== 'function') throw new TypeError('apply(): fn must be a function');
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- hooks ---------------------------------------------------------------------------------------

  /** @internal The module's hooks, made when the first is registered. */
  private hookStore(): ModuleHooks {
    return (this._hooks ??= new ModuleHooks());
  }

  /**
   * Registers a hook that each call of the module (`model(x)`, not `model.forward(x)`) runs before
   * forward with `(module, args)`; it may return new arguments (an array; any other value is the one
   * argument). With `withKwargs` it gets `(module, args, kwargs)`, kwargs being the call's trailing
   * options object (or `{}`), and may return `[args, kwargs]`. `prepend` runs it before the others.
   * @example const h = net.registerForwardPreHook((m, [x]) => [x.mul(2)]); ... h.remove();
   */
  registerForwardPreHook(hook: ForwardPreHook<this>, opts?: { prepend?: boolean; withKwargs?: false }): HookHandle;
  registerForwardPreHook(hook: ForwardPreHookWithKwargs<this>, opts: { prepend?: boolean; withKwargs: true }): HookHandle;
  registerForwardPreHook(hook: ForwardPreHook<this> | ForwardPreHookWithKwargs<this>, opts: { prepend?: boolean; withKwargs?: boolean } = {}): HookHandle {
    checkOptions('registerForwardPreHook', opts, { prepend: 'boolean', withKwargs: 'boolean' });
    return addHook(this.hookStore(), 'forwardPre', hook, opts);
  }

  /**
   * Registers a hook that each call runs after forward with `(module, args, output)` (with
   * `withKwargs`, `(module, args, kwargs, output)`); it may return a replacement for the output.
   * With `alwaysCall` it runs even when forward throws. `prepend` runs it before the others.
   * @example net.fc1.registerForwardHook((m, args, out) => { activations.fc1 = out.detach(); });
   */
  registerForwardHook(hook: ForwardHook<this, CallResult<this>>, opts?: { prepend?: boolean; withKwargs?: false; alwaysCall?: boolean }): HookHandle;
  registerForwardHook(hook: ForwardHookWithKwargs<this, CallResult<this>>, opts: { prepend?: boolean; withKwargs: true; alwaysCall?: boolean }): HookHandle;
  registerForwardHook(
    hook: ForwardHook<this, CallResult<this>> | ForwardHookWithKwargs<this, CallResult<this>>,
    opts: { prepend?: boolean; withKwargs?: boolean; alwaysCall?: boolean } = {},
  ): HookHandle {
    checkOptions('registerForwardHook', opts, { prepend: 'boolean', withKwargs: 'boolean', alwaysCall: 'boolean' });
    return addHook(this.hookStore(), 'forward', hook, opts);
  }

  /**
   * Registers a hook that backward runs with `(module, gradInput, gradOutput)`: the gradients of a
   * call's arguments (null for those that are not tensors) and of its outputs (null where none
   * arrived), once both are known; it may return new gradients for the arguments.
   * @example net.registerFullBackwardHook((m, gradInput, gradOutput) => gradInput.map((g) => g?.clamp(-1, 1) ?? null));
   */
  registerFullBackwardHook(hook: FullBackwardHook<this>, opts: { prepend?: boolean } = {}): HookHandle {
    checkOptions('registerFullBackwardHook', opts, { prepend: 'boolean' });
    return addHook(this.hookStore(), 'backward', hook, opts);
  }

  /**
   * Registers a hook that backward runs with `(module, gradOutput)` when the gradients of a call's
   * outputs are known, before they go into the module; it may return new ones.
   * @example net.registerFullBackwardPreHook((m, [g]) => [g!.mul(0.5)]);
   */
  registerFullBackwardPreHook(hook: FullBackwardPreHook<this>, opts: { prepend?: boolean } = {}): HookHandle {
    checkOptions('registerFullBackwardPreHook', opts, { prepend: 'boolean' });
    return addHook(this.hookStore(), 'backwardPre', hook, opts);
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
