/**
 * The autograd graph: a Node per recorded op, pointing at the nodes its inputs came from.
 * Ops call record() after computing their output; in-place ops go through inPlace().
 */
import type { DType } from '../dtype';
import { AutogradError, shapeStr } from '../errors';
import { checkNoInternalOverlap } from '../shape';
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import { isGradEnabled, noGrad } from './grad_mode';

export const FREED_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
  'Saved intermediate values of the graph are freed when you call backward() or autograd.grad(). Pass { retainGraph: true } ' +
  'to backward() or autograd.grad() if you need to backward through the graph a second time or if you need to access saved ' +
  'tensors after calling backward.';

/** An op input as recorded on its node. @inline */
export type Saved = Tensor | number | boolean | bigint | null | undefined;

export interface RuleInfo {
  /** What the op recorded about itself (dims, alpha, bounds...). */
  ctx: unknown;
  /** need[i]: whether input i's gradient is wanted (it requires grad). */
  need: readonly boolean[];
  /** The tensor inputs' shapes (null for scalars). */
  shapes: readonly (readonly number[] | null)[];
  /**
   * into[i]: a leaf's existing .grad (contiguous, of input i's shape and dtype) that the rule may
   * add input i's gradient into directly, returning ACCUMULATED for it; null where it may not.
   */
  into: readonly (Tensor | null)[];
}

/** What a rule returns for an input whose gradient it has already added into info.into[i]. */
export const ACCUMULATED = Symbol('accumulated');

/** A backward rule: the gradient of an op's output in, one gradient per input out (derivatives.ts). */
export interface Rule {
  /** PyTorch's node name when it is not `<Op>Backward0`. */
  name?: string;
  saves?: 'inputs' | 'out' | 'both';
  /** Whether the rule may write gradients straight into leaves' .grad (info.into); others get nulls. */
  writesInto?: boolean;
  /**
   * The rule runs user code (tg.autograd.Function), which may keep the gradient it is given and
   * return tensors it holds: the engine neither releases the one nor writes into the others.
   */
  opaque?: boolean;
  backward(g: Tensor, inputs: readonly Saved[], out: Tensor, info: RuleInfo): (Tensor | null | undefined | typeof ACCUMULATED)[];
}

/**
 * Outputs of a tg.autograd.Function that are views (of an input, or an input returned as it is),
 * named 'Output k of Fn': changing them in place while recording is refused, as in PyTorch, since
 * the view's history would bypass the function's backward.
 */
export const functionViews = new WeakMap<Tensor, string>();

/** The function that takes, of any tensor shaped like base, the view that v is of base. */
export type ReplayOf = (base: Tensor, v: Tensor) => (x: Tensor) => Tensor;

// The engine runs rules without importing them: src/autograd/rules.ts installs the table (whose
// rules call ops, which record through this module) and the view replay when tensor.ts loads.
let derivatives: Readonly<Record<string, Rule>> = {};
let replayOf: ReplayOf = () => {
  throw new Error('internal error: the autograd rules are not installed (src/autograd/rules.ts)');
};

/** Installs the backward rules, keyed by op, and how to take a view of a base again (see refreshView). */
export function installDerivatives(table: Readonly<Record<string, Rule>>, replay: ReplayOf): void {
  derivatives = table;
  replayOf = replay;
}

/** The backward rule recorded under op. */
export function ruleOf(op: string): Rule {
  const rule = derivatives[op];
  if (rule === undefined) throw new Error(`internal error: no backward rule for '${op}'`);
  return rule;
}

/** One recorded op: how to turn its output's gradient into its inputs' gradients. */
export class Node {
  /** PyTorch's name for the backward function, e.g. 'MulBackward0'. */
  readonly name: string;
  /** @internal Key of the rule in the derivatives table. */ readonly op: string;
  /** @internal Where each input's gradient goes: that input's gradFn, its accumulator, or null. */
  readonly next: (Node | null)[];
  /** @internal Shape and dtype of each tensor input, for reducing broadcast gradients back. */
  readonly shapes: (readonly number[] | null)[];
  /** @internal */ readonly dtypes: (DType | null)[];
  /** @internal */ ctx: unknown;
  /** @internal The inputs the rule may read (tensors only when the rule saves them). */ _inputs: Saved[] | null;
  /** @internal */ _versions: number[] | null = null;
  /** @internal */ _out: Tensor | null = null;
  /** @internal */ _outVersion = 0;
  /** @internal A non-leaf tensor that asked to retainGrad(). */ _retained: WeakRef<Tensor> | null = null;
  /** @internal Hooks registered on the tensor this node makes (or, for an AccumulateGrad, on the leaf). */
  _hooks: GradHook[] | null = null;
  /** @internal */ _freed = false;

  constructor(op: string, name: string, inputs: readonly Saved[], ctx: unknown) {
    this.op = op;
    this.name = name;
    this.ctx = ctx;
    const n = inputs.length;
    this.next = new Array<Node | null>(n);
    this.shapes = new Array<readonly number[] | null>(n);
    this.dtypes = new Array<DType | null>(n);
    for (let i = 0; i < n; i++) {
      const x = inputs[i];
      const t = isTensor(x);
      if (t && x._base !== null) refreshView(x);
      this.next[i] = t && x._requiresGrad ? edgeOf(x) : null;
      this.shapes[i] = t ? x.shape : null;
      this.dtypes[i] = t ? x.dtype : null;
    }
    this._inputs = null;
  }

  /** @internal The rule's view of the saved inputs, after checking none changed in place. */
  savedInputs(): Saved[] {
    if (this._freed) throw new AutogradError(FREED_MESSAGE);
    const inputs = this._inputs ?? [];
    const versions = this._versions;
    if (versions !== null) {
      inputs.forEach((x, i) => {
        if (isTensor(x) && x._storage.version !== versions[i]) throw modifiedError(x, versions[i]);
      });
    }
    return inputs;
  }

  /** @internal The saved output, checked likewise. */
  savedOutput(): Tensor | null {
    if (this._freed) throw new AutogradError(FREED_MESSAGE);
    const out = this._out;
    if (out !== null && out._storage.version !== this._outVersion) throw modifiedError(out, this._outVersion, this.name);
    return out;
  }

  /** @internal Drops what the node saved (after a backward without retainGraph). */
  release(): void {
    this._freed = true;
    this._inputs = this._inputs?.map((x) => (isTensor(x) ? null : x)) ?? null;
    this._out = null;
  }

  toString(): string {
    return `<${this.name}>`;
  }
}

/** A tensor hook: gets the gradient, may return a replacement (Tensor.registerHook). */
export type GradHook = (grad: Tensor) => Tensor | void | undefined | null;

/** What registerHook returns: remove() unregisters the hook. */
export interface RemovableHandle {
  remove(): void;
}

/**
 * Registers hook on the node gradients for t go through: its gradFn, or a leaf's accumulator.
 * PyTorch's Tensor.register_hook.
 */
export function registerHook(t: Tensor, hook: GradHook): RemovableHandle {
  if (typeof hook !== 'function') throw new TypeError('registerHook(): hook must be a function');
  if (t._base !== null) refreshView(t);
  if (!t._requiresGrad) throw new AutogradError("cannot register a hook on a tensor that doesn't require gradient");
  const node = edgeOf(t);
  (node._hooks ??= []).push(hook);
  return {
    remove: () => {
      const i = node._hooks?.indexOf(hook) ?? -1;
      if (i >= 0) node._hooks?.splice(i, 1);
    },
  };
}

/** A hook run after a leaf's .grad was accumulated: gets the leaf (Tensor.registerPostAccumulateGradHook). */
export type PostAccumulateGradHook = (leaf: Tensor) => void;

/**
 * Registers hook to run each time backward has accumulated a gradient into leaf t's .grad, as
 * PyTorch's Tensor.register_post_accumulate_grad_hook.
 */
export function registerPostAccumulateGradHook(t: Tensor, hook: PostAccumulateGradHook): RemovableHandle {
  if (typeof hook !== 'function') throw new TypeError('registerPostAccumulateGradHook(): hook must be a function');
  if (!t._requiresGrad) throw new AutogradError("cannot register a hook on a tensor that doesn't require gradient");
  if (t._gradFn !== null || t._base !== null) throw new AutogradError('post accumulate grad hooks cannot be registered on non-leaf tensors');
  const node = (t._accumulator ??= new AccumulateGrad(t));
  (node._postHooks ??= []).push(hook);
  return {
    remove: () => {
      const i = node._postHooks?.indexOf(hook) ?? -1;
      if (i >= 0) node._postHooks?.splice(i, 1);
    },
  };
}

/** The node that adds a leaf's gradient into its .grad. */
export class AccumulateGrad extends Node {
  /** @internal Hooks run after each accumulation (registerPostAccumulateGradHook). */
  _postHooks: PostAccumulateGradHook[] | null = null;
  constructor(readonly variable: Tensor) {
    super('accumulate', 'AccumulateGrad', [], undefined);
  }

  override release(): void {}
}

/**
 * Brings a view's history up to date after its storage was written in place (through its base or
 * another view): from then on it reads from its base's history, as a strided view of it
 * (AsStridedBackward0), as PyTorch regenerates a view's grad_fn. A view of a base that does not
 * require grad, or made in noGrad, or of a non-contiguous base, keeps what it has.
 */
export function refreshView(x: Tensor): void {
  const version = x._storage.version;
  if (x._viewVersion === version) return;
  x._viewVersion = version;
  const base = x._base as Tensor;
  if (x._noGradView || !base._requiresGrad || !base.isContiguous()) return;
  // A view of a leaf (w.T after an optimizer step) keeps its node: it leads to the same .grad.
  if (base._gradFn === null && x._gradFn !== null) return;
  const old = x._gradFn;
  x._gradFn = new Node('slice', 'AsStridedBackward0', [base], replayOf(base, x));
  x._requiresGrad = true;
  moveRetained(x, old);
}

/** Where gradients for x go: its gradFn, or for a leaf its (one, shared) accumulator. */
export function edgeOf(x: Tensor): Node {
  if (x._gradFn !== null) return x._gradFn;
  x._accumulator ??= new AccumulateGrad(x);
  return x._accumulator;
}

/** A tensor a rule reads from its ctx (the indices max(dim) reported, say), with its version then. */
export interface SavedTensor {
  readonly tensor: Tensor;
  readonly version: number;
}

export function saveTensor(t: Tensor): SavedTensor {
  return { tensor: t, version: t._storage.version };
}

/** The saved tensor, or PyTorch's error when it was changed in place since it was saved. */
export function unpackSaved(s: SavedTensor, producer?: string): Tensor {
  if (s.tensor._storage.version !== s.version) throw modifiedError(s.tensor, s.version, producer);
  return s.tensor;
}

function modifiedError(t: Tensor, expected: number, producer?: string): AutogradError {
  const what = `a ${t.dtype} tensor of shape ${shapeStr(t.shape)}`;
  const of = producer ?? t._gradFn?.name;
  // PyTorch's hint points at anomaly detection, which tensorgrad does not have: say what fixes it instead
  return new AutogradError(
    `one of the tensors needed for gradient computation has been modified by an inplace operation: ${what}` +
      `${of !== undefined ? `, which is output 0 of ${of},` : ''} is at version ${t._storage.version}; expected version ${expected} instead. ` +
      'Hint: modify a clone() of it instead, or use the out-of-place version of the operation (add instead of add_).',
  );
}

function anyRequiresGrad(inputs: readonly Saved[]): boolean {
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    if (!isTensor(x)) continue;
    if (x._base !== null) refreshView(x);
    if (x._requiresGrad) return true;
  }
  return false;
}

const NAMES = new Map<string, string>();

/** PyTorch's node name for an op without a name of its own: 'mul' -> 'MulBackward0'. */
function defaultName(op: string): string {
  let name = NAMES.get(op);
  if (name === undefined) {
    name = op.charAt(0).toUpperCase() + op.slice(1).replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) + 'Backward0';
    NAMES.set(op, name);
  }
  return name;
}

/**
 * Records `out = op(inputs)` when grad mode is on and an input requires grad: out gets a node
 * (its gradFn) whose rule is derivatives[op]. Returns out.
 */
export function record(op: string, out: Tensor, inputs: readonly Saved[], ctx?: unknown, name?: string): Tensor {
  if (!isGradEnabled() || !anyRequiresGrad(inputs)) return out;
  const rule = ruleOf(op);
  const node = new Node(op, name ?? rule.name ?? defaultName(op), inputs, ctx);
  const keepInputs = rule.saves === 'inputs' || rule.saves === 'both';
  node._inputs = inputs.map((x) => (isTensor(x) && !keepInputs ? null : x));
  if (keepInputs) node._versions = inputs.map((x) => (isTensor(x) ? x._storage.version : 0));
  if (rule.saves === 'out' || rule.saves === 'both') {
    node._out = out;
    node._outVersion = out._storage.version;
  }
  out._gradFn = node;
  out._requiresGrad = true;
  return out;
}

const NO_GRAD_VIEW_MESSAGE =
  'A view was created in noGrad mode and is being modified inplace with grad mode enabled. Given that this use case is ' +
  "ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both " +
  "inside tg.noGrad(() => ...) (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).";

/**
 * An in-place op on self, recorded when grad mode is on and self, an operand or (for a view) its
 * base requires grad: self's old value (a copy, when the rule reads inputs) becomes the node's
 * first input and self becomes its output. `write` performs the op. PyTorch's errors apply: a leaf
 * that requires grad, or a view of one, cannot be changed in place while recording.
 *
 * A write through a view changes its base too. As in PyTorch, the base's history becomes
 * CopySlices(its old history, the op's node): backward sends the base's gradient outside the
 * view to the old history and the part inside it through the op. The view then reads from the
 * base's new history, and other views of the base follow when next used (refreshView).
 * Random fills go through the 'fill' rule and check for overlap themselves.
 */
export function inPlace(op: string, self: Tensor, others: readonly Saved[], ctx: unknown, write: () => void, name?: string): Tensor {
  // Writing one value everywhere (fill_, zero_, maskedFill_) is the only write that may reach a
  // memory location twice, as in PyTorch, and only while nothing records it.
  if (op !== 'fill' && op !== 'maskedFill') checkNoInternalOverlap(self.shape, self._strides);
  const base = self._base;
  if (base !== null) refreshView(self);
  if (!isGradEnabled() || !(self._requiresGrad || anyRequiresGrad(others) || (base !== null && base._requiresGrad))) {
    write();
    return self;
  }
  // A recorded write may not reach one memory location twice, whatever the op.
  checkNoInternalOverlap(self.shape, self._strides);
  if (base === null && self._gradFn === null && self._requiresGrad) {
    throw new AutogradError(
      'a leaf tensor that requires grad is being used in an in-place operation. ' +
        'To change its values without recording it (an optimizer-style update), do it inside tg.noGrad(() => ...).',
    );
  }
  if (base !== null) {
    const output = functionViews.get(self);
    if (output !== undefined) {
      throw new AutogradError(
        `${output} is a view and is being modified inplace. This view was created inside a custom Function (or because an input was ` +
          'returned as-is) and changing it in place would bypass the custom backward, leading to incorrect gradients. ' +
          'This is forbidden: modify a clone() of the output instead.',
      );
    }
    if (base._gradFn === null && base._requiresGrad) {
      throw new AutogradError(
        'a view of a leaf tensor that requires grad is being used in an in-place operation. ' +
          'To change its values without recording it, do it inside tg.noGrad(() => ...).',
      );
    }
    if (self._noGradView) throw new AutogradError(NO_GRAD_VIEW_MESSAGE);
    if (self._multiOutput !== null) {
      throw new AutogradError(
        `${self._multiOutput} is a view and is being modified inplace. This view is the output of a function that returns ` +
          'multiple views. Such functions do not allow the output views to be modified inplace. You should replace the ' +
          'inplace operation by an out-of-place one.',
      );
    }
    if (!base.isContiguous()) {
      throw new AutogradError(
        'in-place operations on a view of a non-contiguous tensor are not supported while recording; ' +
          'make the base contiguous (contiguous() or clone()) before taking the view',
      );
    }
  }
  const rule = ruleOf(op);
  const keep = rule.saves === 'inputs' || rule.saves === 'both';
  const prev = noGrad(() => (keep ? self.clone() : self.detach()));
  prev._gradFn = self._gradFn;
  prev._requiresGrad = self._requiresGrad;
  const before = self._storage.version;
  write();
  if (base !== null) self._viewVersion = self._storage.version; // this view's history is being written here
  record(op, self, [prev, ...others], ctx, name);
  moveRetained(self, prev._gradFn);
  // An operand that shares self's memory (y.mul_(y)) was saved as it was before the write.
  const versions = self._gradFn !== prev._gradFn ? (self._gradFn as Node)._versions : null;
  if (versions !== null) {
    for (let i = 1; i < versions.length; i++) {
      const x = others[i - 1];
      if (isTensor(x) && x._storage === self._storage) versions[i] = before;
    }
  }
  if (base === null) return self;
  const replay = replayOf(base, self);
  const baseBefore = base._gradFn;
  record('copySlices', base, [base, self], replay, 'CopySlices');
  moveRetained(base, baseBefore);
  const opNode = self._gradFn;
  self._gradFn = new Node('slice', 'AsStridedBackward0', [base], replay);
  moveRetained(self, opNode);
  return self;
}

/** A tensor's retainGrad() moves with it to the node that now makes it, as in PyTorch. */
function moveRetained(t: Tensor, from: Node | null): void {
  if (from === null || from._retained === null || from._retained.deref() !== t) return;
  (t._gradFn as Node)._retained = from._retained;
  from._retained = null;
}
