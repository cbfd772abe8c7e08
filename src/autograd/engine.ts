/**
 * The backward pass: walk the graph from the roots in dependency order, turning each node's
 * output gradient into its inputs' gradients with its rule (derivatives.ts, installed in graph.ts),
 * and accumulate into leaves' .grad (or capture, for autograd.grad).
 */
import { AutogradError, DTypeError, ShapeError, shapeStr } from '../errors';
import { sameShape } from '../shape';
import { isTensor, keep } from '../storage';
import type { Tensor } from '../tensor';
import { setGradEnabled } from './grad_mode';
import { ACCUMULATED, AccumulateGrad, refreshView, ruleOf, type GradHook, type Node } from './graph';

/**
 * A gradient on its way. `owned`: no other tensor the user or another buffer can reach shares
 * its memory, so it may be added to in place or become a .grad as it is.
 */
interface Buffer {
  grad: Tensor;
  owned: boolean;
}

export interface RunOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** autograd.grad: gradients for these nodes are captured, and leaves' .grad are left alone. */
  capture?: Map<Node, Tensor | null>;
}

/** Sums a broadcast gradient back to an input's shape. */
function reduceTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.shape.length; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  const summed = dims.length > 0 ? g.sum(dims, true) : g;
  return summed.reshape(shape as number[]);
}

/** Every node reachable from the roots, with how many edges lead into it. */
function dependencies(roots: readonly Node[]): Map<Node, number> {
  const deps = new Map<Node, number>();
  const stack = [...roots];
  for (const r of roots) if (!deps.has(r)) deps.set(r, 0);
  const seen = new Set<Node>(roots);
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    for (const next of node.next) {
      if (next === null) continue;
      deps.set(next, (deps.get(next) ?? 0) + 1);
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return deps;
}

function add(buffers: Map<Node, Buffer>, node: Node, grad: Tensor, owned: boolean, createGraph: boolean): void {
  const have = buffers.get(node);
  if (have === undefined) {
    buffers.set(node, { grad, owned });
  } else if (have.owned && !createGraph && have.grad.isContiguous() && sameShape(have.grad.shape, grad.shape)) {
    have.grad.add_(grad);
  } else {
    buffers.set(node, { grad: have.grad.add(grad), owned: true });
  }
}

function accumulate(variable: Tensor, b: Buffer, createGraph: boolean): void {
  const g = b.grad;
  if (variable._grad === null) {
    variable._grad = keep((b.owned || createGraph) && g.isContiguous() ? g : g.clone());
    variable._spareGrad = null;
  } else if (createGraph) {
    variable._grad = keep(variable._grad.add(g));
  } else {
    variable._grad.add_(g);
  }
}

/** Whether tensor x shares memory with any of the others. */
function shares(x: Tensor, others: readonly (Tensor | null | undefined)[], skip: number): boolean {
  for (let j = 0; j < others.length; j++) if (j !== skip && others[j]?._storage === x._storage) return true;
  return false;
}

/**
 * The leaf .grad a rule may add input i's gradient into directly: the existing .grad of a leaf
 * whose accumulator is the edge's end, when it is a plain contiguous tensor of the leaf's shape
 * and dtype, and nothing records (createGraph), captures (autograd.grad) or hooks the pass.
 */
function intoOf(next: Node | null, opts: RunOptions): Tensor | null {
  if (!(next instanceof AccumulateGrad) || opts.createGraph || opts.capture !== undefined) return null;
  if (next._hooks !== null && next._hooks.length > 0) return null; // the hooks see the gradient first
  if (next._postHooks !== null && next._postHooks.length > 0) return null; // and these run after the accumulation
  const v = next.variable;
  if (v._grad === null && v._spareGrad !== null) {
    // the gradient zeroGrad() dropped unseen: zeroed, it becomes .grad again
    const spare = v._spareGrad;
    v._spareGrad = null;
    if (spare.dtype === v.dtype && spare.isContiguous() && sameShape(spare.shape, v.shape)) v._grad = spare.zero_();
  }
  const g = v._grad;
  if (g === null || g._gradFn !== null || g._requiresGrad || g.dtype !== v.dtype || !g.isContiguous() || !sameShape(g.shape, v.shape)) return null;
  return g;
}

const NOWHERE: readonly null[] = [null, null, null, null];

/** Runs one node's rule and sends each input's gradient along its edge. */
function step(node: Node, b: Buffer, buffers: Map<Node, Buffer>, opts: RunOptions): void {
  const rule = ruleOf(node.op);
  const need = node.next.map((n) => n !== null);
  const into = rule.writesInto ? node.next.map((n) => intoOf(n, opts)) : NOWHERE;
  const grads = rule.backward(b.grad, node.savedInputs(), node.savedOutput() as Tensor, { ctx: node.ctx, need, shapes: node.shapes, into });
  const tensors = grads.map((g) => (g === ACCUMULATED ? null : g));
  for (let i = 0; i < node.next.length; i++) {
    const next = node.next[i], gi = tensors[i];
    if (next === null || gi === null || gi === undefined) continue;
    let g = reduceTo(gi, node.shapes[i] as number[]);
    const dtype = node.dtypes[i];
    if (dtype !== null && g.dtype !== dtype) g = g.to(dtype);
    // A gradient is ours alone when it is new memory (or the incoming gradient, when that was
    // ours) and no other gradient of this node shares it; what user code returned may be held.
    const fresh = g !== gi || (!rule.opaque && (g._storage !== b.grad._storage || b.owned));
    add(buffers, next, g, fresh && !shares(g, tensors, i), opts.createGraph);
  }
  // An incoming gradient made inside this pass, used up and reachable from nowhere else, gives its
  // memory back now, for the next temporaries to reuse while it is still in cache.
  if (b.owned && !rule.opaque && !opts.createGraph && !shares(b.grad, tensors, -1)) b.grad._storage.release();
}

/** A tensor's hooks, in registration order, each given the gradient the previous one left. */
function runHooks(hooks: readonly GradHook[], b: Buffer): Buffer {
  let grad = b.grad;
  for (const hook of [...hooks]) {
    const r = hook(grad);
    if (r === undefined || r === null) continue;
    if (!isTensor(r)) throw new TypeError(`a tensor hook must return a Tensor or nothing, but returned ${typeof r}`);
    if (!sameShape(r.shape, grad.shape)) {
      throw new ShapeError(`hook has changed the size of value: expected ${shapeStr(grad.shape)} but got ${shapeStr(r.shape)}`);
    }
    if (r.dtype !== grad.dtype) throw new DTypeError(`hook has changed the type of value: expected ${grad.dtype} but got ${r.dtype}`);
    grad = r;
  }
  // a hook may have kept what it was given: from here on the gradient is not ours to write into
  return { grad, owned: false };
}

/** Callbacks to run once the backward pass running now has finished (queueCallback). */
let callbacks: (() => void)[] | null = null;

/**
 * Runs fn once the backward pass now running has finished, as PyTorch's engine's queue_callback:
 * from a hook, say, to act on every gradient at once. Outside a backward pass it is an error.
 */
export function queueCallback(fn: () => void): void {
  if (callbacks === null) throw new AutogradError('queueCallback(): only callable during a backward pass');
  callbacks.push(fn);
}

/** Backpropagates `grads` from `roots` through their graphs, then runs the callbacks queued meanwhile. */
export function runBackward(roots: readonly Tensor[], grads: readonly Buffer[], opts: RunOptions): void {
  const outer = callbacks;
  const mine: (() => void)[] = [];
  callbacks = mine;
  try {
    pass(roots, grads, opts);
  } finally {
    callbacks = outer;
  }
  for (const fn of mine) fn();
}

function pass(roots: readonly Tensor[], grads: readonly Buffer[], opts: RunOptions): void {
  const buffers = new Map<Node, Buffer>();
  const starts: Node[] = [];
  roots.forEach((r, i) => {
    if (r._base !== null) refreshView(r);
    const node = r._gradFn ?? (r._requiresGrad ? (r._accumulator ??= new AccumulateGrad(r)) : null);
    if (node === null) throw new AutogradError(`element ${i} of tensors does not require grad and does not have a gradFn`);
    add(buffers, node, grads[i].grad, grads[i].owned, opts.createGraph);
    starts.push(node);
  });
  const deps = dependencies(starts);
  const ready = starts.filter((n, i) => deps.get(n) === 0 && starts.indexOf(n) === i);
  const mode = setGradEnabled(opts.createGraph);
  try {
    while (ready.length > 0) {
      const node = ready.pop() as Node;
      const b = buffers.get(node);
      buffers.delete(node);
      if (b !== undefined) visit(node, b, buffers, opts);
      if (!opts.retainGraph) node.release();
      for (const next of node.next) {
        if (next === null) continue;
        const left = (deps.get(next) as number) - 1;
        deps.set(next, left);
        if (left === 0) ready.push(next);
      }
    }
  } finally {
    mode.exit();
  }
}

function visit(node: Node, b: Buffer, buffers: Map<Node, Buffer>, opts: RunOptions): void {
  if (node._hooks !== null && node._hooks.length > 0) b = runHooks(node._hooks, b);
  if (opts.capture?.has(node)) {
    const have = opts.capture.get(node);
    opts.capture.set(node, have ? have.add(b.grad) : b.owned ? b.grad : b.grad.clone());
    if (!have && b.owned) b = { grad: b.grad, owned: false }; // handed out: no longer ours alone
  }
  if (node instanceof AccumulateGrad) {
    if (opts.capture === undefined) {
      accumulate(node.variable, b, opts.createGraph);
      if (node._postHooks !== null) for (const hook of [...node._postHooks]) hook(node.variable);
    }
    return;
  }
  const retained = node._retained?.deref();
  if (retained !== undefined && opts.capture === undefined) {
    accumulate(retained, { grad: b.grad, owned: false }, opts.createGraph);
  }
  step(node, b, buffers, opts);
}
