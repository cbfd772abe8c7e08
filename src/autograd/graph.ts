/**
 * The autograd graph: a Node per recorded op, pointing at the nodes its inputs came from.
 * Ops call record() after computing their output; in-place ops go through inPlace().
 */
import type { DType } from '../dtype';
import { AutogradError } from '../errors';
import type { Tensor } from '../tensor';
import { derivatives, type Rule, type Saved } from './derivatives';
import { isGradEnabled, noGrad } from './grad_mode';

const LEGACY_TYPE: Record<DType, string> = {
  float32: 'torch.FloatTensor', float64: 'torch.DoubleTensor', int32: 'torch.IntTensor', int64: 'torch.LongTensor', bool: 'torch.BoolTensor',
};

export const FREED_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
  'Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True ' +
  'if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.';

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && '_requiresGrad' in x;
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

/** The node that adds a leaf's gradient into its .grad. */
export class AccumulateGrad extends Node {
  constructor(readonly variable: Tensor) {
    super('accumulate', 'AccumulateGrad', [], undefined);
  }

  override release(): void {}
}

/** Where gradients for x go: its gradFn, or for a leaf its (one, shared) accumulator. */
export function edgeOf(x: Tensor): Node {
  if (x._gradFn !== null) return x._gradFn;
  x._accumulator ??= new AccumulateGrad(x);
  return x._accumulator;
}

function modifiedError(t: Tensor, expected: number, producer?: string): AutogradError {
  const what = `[${LEGACY_TYPE[t.dtype]} [${t.shape.join(', ')}]]`;
  const of = producer ?? t._gradFn?.name;
  return new AutogradError(
    `one of the variables needed for gradient computation has been modified by an inplace operation: ${what}` +
      `${of !== undefined ? `, which is output 0 of ${of},` : ''} is at version ${t._storage.version}; expected version ${expected} instead. ` +
      'Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).',
  );
}

function anyRequiresGrad(inputs: readonly Saved[]): boolean {
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    if (isTensor(x) && x._requiresGrad) return true;
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
  const rule: Rule | undefined = derivatives[op];
  if (rule === undefined) throw new Error(`internal error: no backward rule for '${op}'`);
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

/**
 * An in-place op on self, recorded when grad mode is on and self or an operand requires grad:
 * self's old value (a copy, when the rule reads inputs) becomes the node's first input and self
 * becomes its output. `write` performs the op. PyTorch's errors apply: a leaf that requires
 * grad cannot be changed in place while recording.
 */
export function inPlace(op: string, self: Tensor, others: readonly Saved[], ctx: unknown, write: () => void, name?: string): Tensor {
  if (!isGradEnabled() || !(self._requiresGrad || anyRequiresGrad(others))) {
    write();
    return self;
  }
  if (self._gradFn === null && self._requiresGrad) {
    throw new AutogradError('a leaf Variable that requires grad is being used in an in-place operation.');
  }
  if (self._base !== null && (self._base._requiresGrad || anyRequiresGrad(others))) {
    throw new AutogradError(
      'in-place operations on a view of a tensor that requires grad are not supported; use an out-of-place op ' +
        '(e.g. maskedFill, where, cat) or clone() the view first',
    );
  }
  const rule = derivatives[op];
  const keep = rule !== undefined && (rule.saves === 'inputs' || rule.saves === 'both');
  const prev = noGrad(() => (keep ? self.clone() : self.detach()));
  prev._gradFn = self._gradFn;
  prev._requiresGrad = self._requiresGrad;
  write();
  return record(op, self, [prev, ...others], ctx, name);
}
