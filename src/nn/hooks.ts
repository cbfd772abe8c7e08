/**
 * Module hooks, as PyTorch's nn.Module runs them in __call__ (torch/nn/modules/module.py,
 * _call_impl): forward pre-hooks, forward, forward hooks, and the full backward hooks, which see a
 * call's gradients through two identity autograd functions around it (torch/utils/hooks.py,
 * BackwardHook): one on the tensors going in, one on those coming out.
 */
import { AutogradFunction, type FunctionCtx } from '../autograd/function';
import type { RemovableHandle } from '../autograd/graph';
import { isGradEnabled } from '../autograd/grad_mode';
import { describeValue, isOptionsObject } from '../options';
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import type { Module } from './module';

/**
 * What a hook registered with `withKwargs` gets as PyTorch's keyword arguments: the call's trailing
 * options object (a plain object, as tensorgrad's functions take keyword arguments), or `{}`.
 */
export type Kwargs = Record<string, unknown>;
/** Gradients of a module call's inputs or outputs, one per argument or output (null where none). */
export type GradList = (Tensor | null)[];

/**
 * Runs before forward with the call's arguments; may return new arguments (an array; any other
 * value is the one new argument), or nothing to keep them.
 */
export type ForwardPreHook<M = Module> = (module: M, args: unknown[]) => unknown;
/** A forward pre-hook registered with `withKwargs`: may return `[args, kwargs]`. */
export type ForwardPreHookWithKwargs<M = Module> = (module: M, args: unknown[], kwargs: Kwargs) => [unknown[], Kwargs] | null | undefined | void;
/** Runs after forward with its arguments and output; may return a replacement for the output. */
export type ForwardHook<M = Module, R = unknown> = (module: M, args: unknown[], output: R) => unknown;
/** A forward hook registered with `withKwargs`. */
export type ForwardHookWithKwargs<M = Module, R = unknown> = (module: M, args: unknown[], kwargs: Kwargs, output: R) => unknown;
/** Runs in backward with the gradients of the call's inputs and outputs; may return new input gradients. */
export type FullBackwardHook<M = Module> = (module: M, gradInput: GradList, gradOutput: GradList) => GradList | null | undefined | void;
/** Runs in backward before the gradients enter the module; may return new output gradients. */
export type FullBackwardPreHook<M = Module> = (module: M, gradOutput: GradList) => GradList | null | undefined | void;

/**
 * What the register*Hook methods return, as PyTorch's RemovableHandle: remove() unregisters the
 * hook (`using h = ...` removes it at the end of the block).
 */
export interface HookHandle extends RemovableHandle {
  /** A number unique to the registration. */
  readonly id: number;
  [Symbol.dispose](): void;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyHook = (...args: any[]) => any;
/* eslint-enable @typescript-eslint/no-explicit-any */

interface Entry {
  readonly id: number;
  readonly hook: AnyHook;
  readonly withKwargs: boolean;
  readonly alwaysCall: boolean;
}

/** The kinds of module hooks, in the order a call runs them. */
export type HookKind = 'forwardPre' | 'forward' | 'backwardPre' | 'backward';

/** A module's hooks, each kind in the order the calls run them. */
export class ModuleHooks {
  readonly lists: Record<HookKind, Entry[]> = { forwardPre: [], forward: [], backwardPre: [], backward: [] };
  /** How many hooks there are: a call with none runs forward alone. */
  count = 0;
}

let nextId = 0;

/** Registers hook on the store, last (or first, with prepend). */
export function addHook(store: ModuleHooks, kind: HookKind, hook: unknown, opts: { prepend?: boolean; withKwargs?: boolean; alwaysCall?: boolean }): HookHandle {
  if (typeof hook !== 'function') throw new TypeError(`a module hook must be a function, but got ${describeValue(hook)}`);
  const entry: Entry = { id: nextId++, hook: hook as AnyHook, withKwargs: opts.withKwargs ?? false, alwaysCall: opts.alwaysCall ?? false };
  const list = store.lists[kind];
  if (opts.prepend) list.unshift(entry);
  else list.push(entry);
  store.count++;
  const remove = () => {
    const i = list.indexOf(entry);
    if (i < 0) return;
    list.splice(i, 1);
    store.count--;
  };
  return { id: entry.id, remove, [Symbol.dispose]: remove };
}

/** A call's arguments without the trailing options object, and that object (or {}). */
function splitKwargs(args: unknown[]): [unknown[], Kwargs] {
  const last = args[args.length - 1];
  return isOptionsObject(last) ? [args.slice(0, -1), last] : [args, {}];
}

function joinKwargs(args: unknown[], kwargs: Kwargs): unknown[] {
  return Object.keys(kwargs).length > 0 ? [...args, kwargs] : [...args];
}

function runPreHook(module: Module, e: Entry, args: unknown[]): unknown[] {
  if (e.withKwargs) {
    const r: unknown = e.hook(module, ...splitKwargs(args));
    if (r === undefined || r === null) return args;
    if (!Array.isArray(r) || r.length !== 2 || !Array.isArray(r[0]) || !isOptionsObject(r[1])) {
      throw new TypeError(`forward pre-hook must return nothing or [newArgs, newKwargs], but got ${describeValue(r)}`);
    }
    return joinKwargs(r[0] as unknown[], r[1]);
  }
  const r: unknown = e.hook(module, args);
  if (r === undefined || r === null) return args;
  return Array.isArray(r) ? [...(r as unknown[])] : [r];
}

function runForwardHook(module: Module, e: Entry, args: unknown[], result: unknown): unknown {
  const r: unknown = e.withKwargs ? e.hook(module, ...splitKwargs(args), result) : e.hook(module, args, result);
  return r === undefined || r === null ? result : r;
}

/** A module call with hooks (PyTorch's _call_impl). */
export function callWithHooks(module: Module, hooks: ModuleHooks, given: unknown[]): unknown {
  let args = given;
  let result: unknown = null;
  const called = new Set<number>();
  try {
    for (const e of [...hooks.lists.forwardPre]) args = runPreHook(module, e, args);
    const { backward, backwardPre } = hooks.lists;
    let bw: BackwardHook | null = null;
    if (backward.length > 0 || backwardPre.length > 0) {
      bw = new BackwardHook(module, backward.map((e) => e.hook), backwardPre.map((e) => e.hook));
      args = bw.setupInputHook(args);
    }
    result = module.forward(...args);
    for (const e of [...hooks.lists.forward]) {
      if (e.alwaysCall) called.add(e.id);
      result = runForwardHook(module, e, args, result);
    }
    if (bw !== null) {
      if (!isTensor(result) && !Array.isArray(result)) {
        process.emitWarning(`For backward hooks to be called, module output should be a Tensor or an array of Tensors but received ${describeValue(result)}`, 'UserWarning');
      }
      result = bw.setupOutputHook(result);
    }
    return result;
  } catch (err) {
    for (const e of [...hooks.lists.forward]) {
      if (!e.alwaysCall || called.has(e.id)) continue;
      try {
        result = runForwardHook(module, e, args, result);
      } catch (hookErr) {
        process.emitWarning(
          `module forward hook with alwaysCall: true raised an exception that was silenced as another error was raised in forward: ${(hookErr as Error)?.message ?? String(hookErr)}`,
          'UserWarning',
        );
      }
    }
    throw err;
  }
}

// ---- full backward hooks -----------------------------------------------------------------------

/** What one side of a call (its inputs or its outputs) does with the gradients passing through it. */
interface Side {
  backward(grads: GradList): GradList;
  /** Whether gradients that did not arrive are zeros (inputs) or null (outputs). */
  materialize: boolean;
}

/** The identity on tensors, whose backward lets a module's backward hooks see and change the gradients. */
class BackwardHookFunction extends AutogradFunction {
  static forward(ctx: FunctionCtx, side: Side, ...tensors: Tensor[]): Tensor[] {
    ctx.side = side;
    ctx.markNonDifferentiable(...tensors.filter((t) => !t.requiresGrad));
    if (!side.materialize) ctx.setMaterializeGrads(false);
    return tensors;
  }

  static backward(ctx: FunctionCtx, ...grads: GradList): GradList {
    return [null, ...(ctx.side as Side).backward(grads)];
  }
}

let warnedNoInputGrad = false;

/** The gradients of one call, gathered on their way through it (PyTorch's BackwardHook). */
class BackwardHook {
  private gradOutputs: GradList | null = null;
  private nInputs = -1;
  private inputIndex: number[] | null = null;
  private nOutputs = -1;
  private outputIndex: number[] | null = null;

  constructor(
    private readonly module: Module,
    private readonly hooks: FullBackwardHook[],
    private readonly preHooks: FullBackwardPreHook[],
  ) {}

  /** The tensors of args through a BackwardHookFunction, with their positions (null: none requires grad). */
  private wrap(args: unknown[], side: Side): [unknown[], number[] | null] {
    const index: number[] = [];
    const tensors: Tensor[] = [];
    args.forEach((a, i) => {
      if (isTensor(a)) {
        index.push(i);
        tensors.push(a);
      }
    });
    if (!isGradEnabled() || !tensors.some((t) => t.requiresGrad)) return [args, null];
    const out = BackwardHookFunction.apply(side, ...tensors);
    const res = [...args];
    index.forEach((i, k) => (res[i] = out[k]));
    return [res, index];
  }

  setupInputHook(args: unknown[]): unknown[] {
    const [res, index] = this.wrap(args, { backward: (g) => this.inputGrads(g), materialize: true });
    this.nInputs = args.length;
    this.inputIndex = index;
    return res;
  }

  setupOutputHook(result: unknown): unknown {
    const many = Array.isArray(result);
    const outs: unknown[] = many ? result : [result];
    const [res, index] = this.wrap(outs, { backward: (g) => this.outputGrads(g), materialize: false });
    this.nOutputs = outs.length;
    this.outputIndex = index;
    return many ? res : res[0];
  }

  /** The gradients of the module's inputs: the user's hooks see them with the outputs', and may replace them. */
  private inputGrads(grads: GradList): GradList {
    const gradOutputs = this.gradOutputs;
    const index = this.inputIndex as number[];
    if (gradOutputs === null) return grads; // reached without going through the outputs (double backward)
    let res = spread(index, grads, this.nInputs);
    for (const hook of this.hooks) {
      const out = hook(this.module, res, gradOutputs);
      if (out === undefined || out === null) continue;
      if (!Array.isArray(out) || out.length !== res.length) {
        throw new RangeError(`Backward hook returned an invalid number of grad_input, got ${Array.isArray(out) ? out.length : describeValue(out)}, but expected ${res.length}`);
      }
      res = [...out];
    }
    this.gradOutputs = null;
    return index.map((i) => res[i] ?? null);
  }

  /** The gradients of the module's outputs: kept for the input side, after the pre-hooks. */
  private outputGrads(grads: GradList): GradList {
    let gradOutputs = spread(this.outputIndex as number[], grads, this.nOutputs);
    for (const hook of this.preHooks) {
      const out = hook(this.module, gradOutputs);
      if (out === undefined || out === null) continue;
      if (!Array.isArray(out) || out.length !== gradOutputs.length) {
        throw new RangeError(`Backward pre hook returned an invalid number of grad_output, got ${Array.isArray(out) ? out.length : describeValue(out)}, but expected ${gradOutputs.length}`);
      }
      gradOutputs = [...out];
    }
    this.gradOutputs = gradOutputs;
    if (this.inputIndex === null) this.callWithoutInputs(gradOutputs);
    return (this.outputIndex as number[]).map((i) => gradOutputs[i] ?? null);
  }

  /** No input requires grad: the hooks run from the outputs' side, with null input gradients. */
  private callWithoutInputs(gradOutputs: GradList): void {
    if (!warnedNoInputGrad) {
      warnedNoInputGrad = true;
      process.emitWarning(
        'Full backward hook is firing when gradients are computed with respect to module outputs since no inputs require gradients. ' +
          'See https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.',
        'UserWarning',
      );
    }
    const gradInputs: GradList = new Array<null>(this.nInputs).fill(null);
    for (const hook of this.hooks) {
      const res = hook(this.module, gradInputs, gradOutputs);
      if (res !== undefined && res !== null && !(Array.isArray(res) && res.every((g) => g === null || g === undefined))) {
        throw new TypeError('Backward hook for Modules where no input requires gradient should always return nothing or null for all gradients.');
      }
    }
    this.gradOutputs = null;
  }
}

/** values placed at their positions in a list of size n, null elsewhere. */
function spread(index: readonly number[], values: GradList, n: number): GradList {
  const res: GradList = new Array<null>(n).fill(null);
  index.forEach((i, k) => (res[i] = values[k] ?? null));
  return res;
}
