/**
 * gradcheck: compares the gradients autograd computes with central finite differences, as
 * torch.autograd.gradcheck does. Use float64 inputs; float32 is too coarse for the differences.
 */
import { checkOptions } from '../options';
import { AutogradError } from '../errors';
import type { Tensor } from '../tensor';
import { grad } from './api';
import { noGrad } from './grad_mode';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Throw on a mismatch (default) or return false. */
  raiseException?: boolean;
}

/** The function checked: tensors in, a tensor or tensors out. @inline */
type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const out = fn(...inputs);
  return Array.isArray(out) ? [...(out as Tensor[])] : [out as Tensor];
}

function values(t: Tensor): Float64Array {
  return noGrad(() => t.detach().double().contiguous().toTypedArray() as Float64Array);
}

/** Storage positions of a tensor's elements in row-major order. */
function positions(t: Tensor): number[] {
  const out: number[] = [];
  const walk = (dim: number, at: number) => {
    if (dim === t.shape.length) {
      out.push(at);
      return;
    }
    for (let i = 0; i < t.shape[dim]; i++) walk(dim + 1, at + i * t._strides[dim]);
  };
  walk(0, t._offset);
  if (new Set(out).size !== out.length) {
    throw new AutogradError('gradcheck only supports inputs whose elements do not overlap in memory (no expanded inputs)');
  }
  return out;
}

/** d(outputs)/d(input) by central differences: one column per input element. */
function numerical(fn: Fn, inputs: Tensor[], x: Tensor, eps: number): Float64Array[][] {
  const data = x._storage.data as Float64Array | Float32Array;
  const columns: Float64Array[][] = [];
  for (const p of positions(x)) {
    const orig = data[p];
    x._storage.beforeWrite(); // lazy tensors made from x by the last call keep what they read
    // fn runs in the caller's grad mode: it may differentiate internally (second derivatives)
    data[p] = orig + eps;
    const plus = outputsOf(fn, inputs).map(values);
    x._storage.beforeWrite();
    data[p] = orig - eps;
    const minus = outputsOf(fn, inputs).map(values);
    x._storage.beforeWrite();
    data[p] = orig;
    columns.push(plus.map((v, o) => v.map((pv, k) => (pv - minus[o][k]) / (2 * eps))));
  }
  return columns;
}

/**
 * Checks fn's analytic gradients against finite differences for every input that requires grad.
 * @example tg.autograd.gradcheck((a, b) => a.mul(b).sum(), [tg.randn(3, { dtype: 'float64', requiresGrad: true }), tg.randn(3, { dtype: 'float64' })])
 */
export function gradcheck(fn: Fn, inputs: Tensor | readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  checkOptions('gradcheck', opts, { eps: 'number', atol: 'number', rtol: 'number', raiseException: 'boolean' });
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  const ins = Array.isArray(inputs) ? [...(inputs as Tensor[])] : [inputs as Tensor];
  const diff = ins.filter((x) => x.requiresGrad);
  if (diff.length === 0) throw new AutogradError('gradcheck expects at least one input tensor to require gradient');
  const outputs = outputsOf(fn, ins);
  const fail = (msg: string) => {
    if (opts.raiseException ?? true) throw new AutogradError(msg);
    return false;
  };
  for (let xi = 0; xi < diff.length; xi++) {
    const num = numerical(fn, ins, diff[xi], eps);
    for (let o = 0; o < outputs.length; o++) {
      const out = outputs[o];
      if (!out.isFloatingPoint()) continue;
      for (let k = 0; k < out.numel(); k++) {
        if (!out.requiresGrad) {
          if (num.some((col) => Math.abs(col[o][k]) > atol)) return fail(`output ${o} does not require grad but its numerical gradient is non-zero`);
          continue;
        }
        const onehot = out.detach().newZeros(out.shape);
        (onehot._storage.data as Float64Array | Float32Array)[k] = 1;
        const [g] = grad([out], [diff[xi]], { gradOutputs: [onehot], retainGraph: true, allowUnused: true });
        const row = g === null ? new Float64Array(diff[xi].numel()) : values(g);
        for (let j = 0; j < row.length; j++) {
          const a = row[j], nu = num[j][o][k];
          if (!(Math.abs(a - nu) <= atol + rtol * Math.abs(nu))) {
            return fail(
              `Jacobian mismatch for output ${o} with respect to input ${ins.indexOf(diff[xi])}, ` +
                `at d(output[${k}])/d(input[${j}]): analytical ${a}, numerical ${nu}`,
            );
          }
        }
      }
    }
  }
  return true;
}
