/** tensor.backward() and tg.autograd.grad / backward: entry points to the engine. */
import { checkOptions } from '../options';
import { AutogradError, shapeStr } from '../errors';
import type { Tensor } from '../tensor';
import { runBackward } from './engine';
import { AccumulateGrad, refreshView, type Node } from './graph';

export interface BackwardOptions {
  /** Keep the graph's saved tensors for another backward (default: createGraph). */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order derivatives. */
  createGraph?: boolean;
}

function checkGradShape(out: Tensor, grad: Tensor, i: number): void {
  if (out.shape.length !== grad.shape.length || out.shape.some((s, k) => s !== grad.shape[k])) {
    throw new AutogradError(
      `Mismatch in shape: gradient ${i} has a shape of ${shapeStr(grad.shape)} and output ${i} has a shape of ${shapeStr(out.shape)}.`,
    );
  }
}

/** The starting gradients: given ones (not ours to modify), or ones for scalar outputs. */
function startGrads(outputs: readonly Tensor[], given: readonly (Tensor | null | undefined)[]): { grad: Tensor; owned: boolean }[] {
  return outputs.map((out, i) => {
    if (out._base !== null) refreshView(out);
    if (!out._requiresGrad) {
      throw new AutogradError(`element ${i} of tensors does not require grad and does not have a gradFn`);
    }
    const g = given[i];
    if (g === undefined || g === null) {
      if (out.numel() !== 1) throw new AutogradError('grad can be implicitly created only for scalar outputs');
      return { grad: out.newOnes(out.shape), owned: true };
    }
    checkGradShape(out, g, i);
    return { grad: g.dtype === out.dtype ? g : g.to(out.dtype), owned: false };
  });
}

function asList<T>(x: T | readonly T[]): T[] {
  return Array.isArray(x) ? [...(x as T[])] : [x as T];
}

/**
 * Accumulates the gradients of `tensors` (with respect to the leaves of their graphs) into
 * those leaves' .grad, as torch.autograd.backward.
 */
export function backward(
  tensors: Tensor | readonly Tensor[],
  gradTensors?: Tensor | null | readonly (Tensor | null)[],
  opts: BackwardOptions = {},
): void {
  checkOptions('backward', opts, BACKWARD_OPTIONS);
  const outputs = asList(tensors);
  const grads = gradTensors === undefined || gradTensors === null ? [] : asList(gradTensors);
  const createGraph = opts.createGraph ?? false;
  runBackward(outputs, startGrads(outputs, grads), { retainGraph: opts.retainGraph ?? createGraph, createGraph });
}

const BACKWARD_OPTIONS = { retainGraph: 'boolean', createGraph: 'boolean' } as const;

export interface GradOptions extends BackwardOptions {
  /** The gradients of the outputs (needed for non-scalar outputs). */
  gradOutputs?: Tensor | readonly (Tensor | null)[];
  /** Give null for inputs the outputs do not depend on, instead of an error. */
  allowUnused?: boolean;
}

/**
 * The gradients of outputs with respect to inputs, returned instead of accumulated into .grad
 * (torch.autograd.grad).
 * @example const [dx] = tg.autograd.grad(y, [x], { createGraph: true });
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  checkOptions('grad', opts, { ...BACKWARD_OPTIONS, gradOutputs: 'object', allowUnused: 'boolean' });
  const outs = asList(outputs), ins = asList(inputs);
  const createGraph = opts.createGraph ?? false;
  const capture = new Map<Node, Tensor | null>();
  const nodes = ins.map((x, i) => {
    if (!x._requiresGrad) throw new AutogradError(`One of the differentiated Tensors does not require grad (input ${i})`);
    const node: Node = x._gradFn ?? (x._accumulator ??= new AccumulateGrad(x));
    capture.set(node, null);
    return node;
  });
  const given = opts.gradOutputs === undefined ? [] : asList(opts.gradOutputs);
  runBackward(outs, startGrads(outs, given), { retainGraph: opts.retainGraph ?? createGraph, createGraph, capture });
  return nodes.map((node, i) => {
    const g = capture.get(node) ?? null;
    if (g === null && !opts.allowUnused) {
      throw new AutogradError(
        `One of the differentiated Tensors (input ${i}) appears to not have been used in the graph. Pass { allowUnused: true } if this is the desired behavior.`,
      );
    }
    return g;
  });
}
