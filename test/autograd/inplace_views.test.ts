// In-place ops through views under autograd, against PyTorch: the programs of
// scripts/fixtures/views.py, statement for statement, their values and the gradients of the sum
// of their outputs' squares (test/fixtures/inplace_views.json).
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { type EncodedTensor, expectScaled, loadFixture, pattern } from '../helpers';

type T = tg.Tensor;
interface Result { out: EncodedTensor; grad_x: EncodedTensor; grad_w: EncodedTensor | null }
const fixture = loadFixture<Record<'float32' | 'float64', Record<string, Result>>>('inplace_views.json');

const cases: Record<string, (x: T, w: T) => T> = {
  narrow_mul_: (x, w) => {
    const y = x.mul(2);
    y.narrow(0, 1, 2).mul_(w);
    return y;
  },
  select_copy_into_zeros: (x, w) => {
    const buf = tg.zeros(4, 3, { dtype: x.dtype });
    buf.select(0, 2).copy_(w.exp());
    return buf.mul(x);
  },
  transposed_select_exp_: (x) => {
    const y = x.mul(1);
    y.T.select(0, 1).exp_();
    return y.mul(x);
  },
  view_taken_before_base_mul_: (x) => {
    const y = x.mul(1);
    const v = y.index(':', '::2');
    y.mul_(x.add(1));
    return v.mul(3);
  },
  view_of_view_clamp_: (x) => {
    const y = x.add(1);
    const a = y.narrow(0, 0, 3);
    a.narrow(1, 1, 2).clamp_({ min: 0.5 });
    return y.mul(a.sum());
  },
  masked_fill_through_select: (x) => {
    const y = x.mul(1);
    const r = y.select(1, 0);
    r.maskedFill_(r.lt(0), 0);
    return y.pow(3);
  },
  sigmoid_and_add_through_views: (x, w) => {
    const y = x.mul(1);
    y.narrow(1, 2, 1).add_(w.narrow(0, 0, 1), { alpha: -0.5 });
    y.narrow(1, 0, 2).sigmoid_();
    return y.mul(y);
  },
  second_derivative: (x) => {
    const y = x.mul(1);
    y.narrow(0, 1, 2).mul_(x.narrow(0, 0, 2));
    return tg.autograd.grad([y.pow(3).sum()], [x], { createGraph: true })[0] as T;
  },
};

describe('in-place ops through views, against PyTorch', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const rtol = dtype === 'float64' ? 1e-12 : 1e-5;
    for (const [name, program] of Object.entries(cases)) {
      it(`${name} (${dtype})`, () => {
        const want = fixture[dtype][name];
        const x = pattern([4, 3], dtype, 31).requiresGrad_();
        const w = pattern([3], dtype, 32, -1.5, 1.5).requiresGrad_();
        const y = program(x, w);
        y.pow(2).sum().backward();
        expectScaled(y, want.out, rtol, 'out');
        expectScaled(x.grad, want.grad_x, rtol, 'grad x');
        expectScaled(w.grad, want.grad_w, rtol, 'grad w');
      });
    }
  }

  it('an output saved by an in-place op on a view, changed through another view, fails backward as in PyTorch', () => {
    const x = pattern([4, 3], 'float64', 31).requiresGrad_();
    const y = x.mul(1);
    y.narrow(1, 0, 2).sigmoid_(); // saves its output
    y.narrow(1, 2, 1).add_(1); // same storage: PyTorch's version counter moves too
    expect(() => y.pow(2).sum().backward()).toThrow('modified by an inplace operation');
  });
});
