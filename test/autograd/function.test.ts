// tg.autograd.Function: custom ops with a hand-written backward, as torch.autograd.Function.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { loadFixture } from '../helpers';

type T = tg.Tensor;
type Ctx = tg.autograd.FunctionCtx;
const f64 = (data: number[] | number[][], requiresGrad = true) => tg.tensor(data, { dtype: 'float64', requiresGrad });

// PyTorch's polynomial_custom_function.py, as written there
class LegendrePolynomial3 extends tg.autograd.Function {
  static forward(ctx: Ctx, input: T): T {
    ctx.saveForBackward(input);
    return input.pow(3).mul(5).sub(input.mul(3)).mul(0.5);
  }

  static backward(ctx: Ctx, gradOutput: T): T {
    const [input] = ctx.savedTensors as T[];
    return gradOutput.mul(1.5).mul(input.pow(2).mul(5).sub(1));
  }
}

interface Run { losses: number[]; params: number[] }
const fixture = loadFixture<{ steps: number; lr: number; runs: Record<'float64' | 'float32', Run> }>('autograd_function.json');

function tutorial(dtype: 'float32' | 'float64'): Run {
  const x = tg.linspace(-Math.PI, Math.PI, 2000, { dtype, device: 'cpu' });
  const y = tg.sin(x);
  const [a, b, c, d] = [0, -1, 0, 0.3].map((v) => tg.full([], v, { dtype, requiresGrad: true }));
  const losses: number[] = [];
  for (let t = 0; t < fixture.steps; t++) {
    const P3 = LegendrePolynomial3.apply;
    const yPred = a.add(b.mul(P3(c.add(d.mul(x)))));
    const loss = yPred.sub(y).pow(2).sum();
    if (t % 100 === 99) losses.push(loss.item());
    loss.backward();
    {
      using _ = tg.noGrad();
      for (const p of [a, b, c, d]) {
        p.sub_(p.grad!.mul(fixture.lr));
        p.grad = null;
      }
    }
  }
  return { losses, params: [a, b, c, d].map((p) => p.item()) };
}

describe('the PyTorch tutorial (LegendrePolynomial3)', () => {
  it('trains as in PyTorch, float64', () => {
    const run = tutorial('float64'), want = fixture.runs.float64;
    run.losses.forEach((l, i) => expect(l).toBeCloseTo(want.losses[i], 8));
    run.params.forEach((p, i) => expect(p).toBeCloseTo(want.params[i], 10));
  });

  it('trains as in PyTorch, float32 (to float32 rounding over 2000 steps)', () => {
    const run = tutorial('float32'), want = fixture.runs.float32;
    run.losses.forEach((l, i) => expect(Math.abs(l - want.losses[i]) / want.losses[i]).toBeLessThan(1e-3));
    run.params.forEach((p, i) => expect(p).toBeCloseTo(want.params[i], 3));
  });

  it('gradchecks, and its backward is differentiable again', () => {
    const x = f64([[-0.9, 0.3], [0.5, 1.2]]);
    expect(tg.autograd.gradcheck((v) => LegendrePolynomial3.apply(v), [x])).toBe(true);
    const firstGrad = (v: T) => tg.autograd.grad(LegendrePolynomial3.apply(v).sum(), [v], { createGraph: true })[0] as T;
    expect(tg.autograd.gradcheck(firstGrad, [x])).toBe(true);
    // d2/dx2 of 0.5 (5x^3 - 3x) is 15x
    const [g2] = tg.autograd.grad(firstGrad(x).sum(), [x]);
    expect((g2 as T).tolist()).toEqual((x.mul(15).tolist() as number[][]).map((r) => r.map((v) => expect.closeTo(v, 12))));
  });

  it('names its node after the class', () => {
    const y = LegendrePolynomial3.apply(f64([1, 2]));
    expect(y.gradFn?.name).toBe('LegendrePolynomial3Backward');
    expect(y.toString()).toContain('grad_fn=<LegendrePolynomial3Backward>');
  });
});

describe('forward and backward', () => {
  it('forward runs without recording; backward records only with createGraph', () => {
    const modes: boolean[] = [];
    class Probe extends tg.autograd.Function {
      static forward(_ctx: Ctx, x: T) { modes.push(tg.isGradEnabled()); return x.mul(2); }
      static backward(_ctx: Ctx, g: T) { modes.push(tg.isGradEnabled()); return g.mul(2); }
    }
    const x = f64([1, 2]);
    Probe.apply(x).sum().backward();
    Probe.apply(x).sum().backward({ createGraph: true });
    expect(modes).toEqual([false, false, false, true]);
    expect(tg.isGradEnabled()).toBe(true);
  });

  it('takes non-tensor arguments; needsInputGrad says which inputs need a gradient', () => {
    let needs: boolean[] = [];
    class Scale extends tg.autograd.Function {
      static forward(ctx: Ctx, x: T, k: number, w: T) {
        ctx.k = k;
        needs = ctx.needsInputGrad;
        return x.mul(k).mul(w);
      }
      static backward(ctx: Ctx, g: T) {
        expect(ctx.needsInputGrad).toEqual(needs);
        return [g.mul(ctx.k as number), null, null];
      }
    }
    const x = f64([1, 2]), w = f64([3, 4], false);
    Scale.apply(x, 3, w).sum().backward();
    expect(needs).toEqual([true, false, false]);
    expect(x.grad?.tolist()).toEqual([3, 3]);
  });

  it('a function of several outputs gets one gradient per output (zeros where none arrived, null for non-tensors)', () => {
    const got: unknown[][] = [];
    class Split extends tg.autograd.Function {
      static forward(_ctx: Ctx, x: T) { return [x.mul(2), x.mul(3), 'label']; }
      static backward(_ctx: Ctx, g1: T, g2: T, g3: unknown) {
        got.push([g1.tolist(), g2.tolist(), g3]);
        return g1.mul(2).add(g2.mul(3));
      }
    }
    const x = f64([1, 2]);
    const [a, b, label] = Split.apply(x) as [T, T, string];
    expect(label).toBe('label');
    expect(a.gradFn?.name).toBe('SplitBackward');
    a.sum().backward({ retainGraph: true });
    expect(got[0]).toEqual([[1, 1], [0, 0], null]);
    expect(x.grad?.tolist()).toEqual([2, 2]);
    x.grad = null;
    a.add(b.mul(2)).sum().backward();
    expect(got[1]).toEqual([[1, 1], [2, 2], null]);
    expect((x.grad as T | null)?.tolist()).toEqual([8, 8]);
    expect(tg.autograd.gradcheck((v) => Split.apply(v).slice(0, 2) as T[], [f64([0.5, -1])])).toBe(true);
  });

  it('setMaterializeGrads(false) gives null for outputs without a gradient', () => {
    let second: unknown = 'unset';
    class Two extends tg.autograd.Function {
      static forward(ctx: Ctx, x: T) { ctx.setMaterializeGrads(false); return [x.mul(2), x.mul(3)]; }
      static backward(_ctx: Ctx, g1: T, g2: T | null) { second = g2; return g1.mul(2); }
    }
    const x = f64([1]);
    (Two.apply(x) as T[])[0].sum().backward();
    expect(second).toBeNull();
    expect(() => Two.forward(new (class {})() as unknown as Ctx, x)).toThrow(TypeError);
  });

  it('markNonDifferentiable: that output does not require grad and backward gets zeros for it', () => {
    let gi = null as T | null;
    class MaxWithIndex extends tg.autograd.Function {
      static forward(ctx: Ctx, x: T) {
        const { values, indices } = x.max(0);
        const asFloat = indices.double();
        ctx.markNonDifferentiable(asFloat);
        ctx.saveForBackward(indices);
        ctx.size = x.shape[0];
        return [values, asFloat];
      }
      static backward(ctx: Ctx, g: T, gIndex: T) {
        gi = gIndex;
        const [indices] = ctx.savedTensors as T[];
        return tg.zeros(ctx.size as number, { dtype: 'float64' }).scatter(0, indices.unsqueeze(0), g.unsqueeze(0));
      }
    }
    const x = f64([1, 5, 2]);
    const [v, i] = MaxWithIndex.apply(x) as T[];
    expect(v.requiresGrad).toBe(true);
    expect(i.requiresGrad).toBe(false);
    v.backward();
    expect(gi!.tolist()).toBe(0);
    expect(x.grad?.tolist()).toEqual([0, 1, 0]);
  });

  it('markDirty: an input changed in place and returned takes the function as its history', () => {
    class Double_ extends tg.autograd.Function {
      static forward(ctx: Ctx, x: T) { x.mul_(2); ctx.markDirty(x); return x; }
      static backward(_ctx: Ctx, g: T) { return g.mul(2); }
    }
    const w = f64([1, 2]);
    const h = w.mul(3);
    const out = Double_.apply(h);
    expect(out).toBe(h);
    expect(h.gradFn?.name).toBe('Double_Backward');
    expect(h.tolist()).toEqual([6, 12]);
    h.sum().backward();
    expect(w.grad?.tolist()).toEqual([6, 6]);
    expect(() => Double_.apply(f64([1]))).toThrow('a leaf Variable that requires grad has been used in an in-place operation');
    class NotReturned extends tg.autograd.Function {
      static forward(ctx: Ctx, x: T) { ctx.markDirty(x); return x.mul(2); }
      static backward(_ctx: Ctx, g: T) { return g; }
    }
    expect(() => NotReturned.apply(w.mul(1))).toThrow('marked as dirty during the forward method were not returned');
    // a dirty view would need its base rebased as well: refused rather than losing the gradient
    class AddIn extends tg.autograd.Function {
      static forward(ctx: Ctx, v: T, u: T) { v.add_(u); ctx.markDirty(v); return v; }
      static backward(_ctx: Ctx, g: T) { return [g, g]; }
    }
    const base = tg.zeros([4], { dtype: 'float64' });
    expect(() => AddIn.apply(base.narrow(0, 0, 2), f64([1, 1]))).toThrow('markDirty() on a view');
  });

  it('an input returned as it is becomes a new tensor: the input keeps its own history', () => {
    class Identity extends tg.autograd.Function {
      static forward(_ctx: Ctx, x: T) { return x; }
      static backward(_ctx: Ctx, g: T) { return g.mul(10); }
    }
    const x = f64([1, 2]);
    const y = Identity.apply(x);
    expect(y).not.toBe(x);
    expect(x.isLeaf).toBe(true);
    expect(y.gradFn?.name).toBe('IdentityBackward');
    y.sum().backward();
    expect(x.grad?.tolist()).toEqual([10, 10]);
    expect(() => Identity.apply(x).mul_(2)).toThrow('Output 0 of Identity is a view and is being modified inplace');
  });

  it('an output that is a view of an input may not be changed in place (its history would bypass backward)', () => {
    class Flat extends tg.autograd.Function {
      static forward(_ctx: Ctx, x: T) { return x.view(-1); }
      static backward(_ctx: Ctx, g: T) { return g.view(2, 2).mul(3); }
    }
    const w = f64([[1, 2], [3, 4]]);
    const y = Flat.apply(w.mul(1));
    expect(y.gradFn?.name).toBe('FlatBackward');
    y.sum().backward();
    expect(w.grad?.tolist()).toEqual([[3, 3], [3, 3]]);
    expect(() => Flat.apply(w.mul(1)).add_(1)).toThrow(/Output 0 of Flat is a view and is being modified inplace.*clone\(\)/);
    expect(tg.noGrad(() => Flat.apply(w.mul(1)).add_(1)).tolist()).toEqual([2, 3, 4, 5]);
  });

  it('records nothing when no input requires grad, or inside noGrad', () => {
    expect(LegendrePolynomial3.apply(f64([1], false)).gradFn).toBeNull();
    expect(tg.noGrad(() => LegendrePolynomial3.apply(f64([1]))).requiresGrad).toBe(false);
  });

  it('a broadcast-compatible gradient is summed back to the input shape; extra trailing nulls are allowed', () => {
    class Broad extends tg.autograd.Function {
      static forward(_ctx: Ctx, x: T) { return x.expand(2, 3).mul(1); }
      static backward(_ctx: Ctx, g: T) { return [g, null, undefined]; }
    }
    const x = f64([[1, 2, 3]]);
    Broad.apply(x).sum().backward();
    expect(x.grad?.tolist()).toEqual([[2, 2, 2]]);
  });
});

describe('saved tensors', () => {
  it('an in-place change to a saved tensor is an error, as for built-in ops', () => {
    const x = f64([1, 2]);
    const a = x.mul(1);
    const y = LegendrePolynomial3.apply(a);
    a.add_(1);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation.*is at version 1; expected version 0/);
  });

  it('a second backward through a freed graph is an error', () => {
    const y = LegendrePolynomial3.apply(f64([1, 2])).sum();
    y.backward();
    expect(() => y.backward()).toThrow('Trying to backward through the graph a second time');
  });

  it('savedTensors in forward and non-tensors given to saveForBackward are errors', () => {
    class Early extends tg.autograd.Function {
      static forward(ctx: Ctx, x: T) { ctx.saveForBackward(x); return ctx.savedTensors[0] as T; }
    }
    expect(() => Early.apply(f64([1]))).toThrow('savedTensors is only available in backward');
    class BadSave extends tg.autograd.Function {
      static forward(ctx: Ctx, x: T) { ctx.saveForBackward(x, 3 as unknown as T); return x.mul(1); }
    }
    expect(() => BadSave.apply(f64([1]))).toThrow("saveForBackward(): argument 1 must be a Tensor or null, but got 3; keep other values as properties of ctx");
  });
});

describe('errors', () => {
  const x = () => f64([1, 2, 3]);
  const fn = (backward: (ctx: Ctx, g: T) => unknown) =>
    class Custom extends tg.autograd.Function {
      static forward(_ctx: Ctx, a: T, _k?: number) { return a.mul(2); }
      static backward(ctx: Ctx, g: T) { return backward(ctx, g); }
    };

  it('the wrong number of gradients', () => {
    expect(() => fn((_c, g) => [g, g]).apply(x()).sum().backward()).toThrow('function CustomBackward returned an incorrect number of gradients (expected 1, got 2)');
    expect(() => fn((_c, g) => g).apply(x(), 3).sum().backward()).toThrow('function CustomBackward returned an incorrect number of gradients (expected 2, got 1)');
  });

  it('a gradient of the wrong shape or type, or for a non-tensor input', () => {
    expect(() => fn((_c, g) => g.sum(0, true).repeat(2)).apply(x()).sum().backward()).toThrow(
      'Function CustomBackward returned an invalid gradient at index 0 - got [2] but expected shape compatible with [3]',
    );
    expect(() => fn(() => 'a').apply(x()).sum().backward()).toThrow('function CustomBackward returned "a" as gradient 0: expected a Tensor or null');
    expect(() => fn((_c, g) => [g, g]).apply(x(), 2).sum().backward()).toThrow('returned a gradient different than null at position 1, but the corresponding forward input was not a Tensor');
  });

  it('a missing backward is an error when backward runs; a missing forward when apply does', () => {
    class NoBackward extends tg.autograd.Function {
      static forward(_ctx: Ctx, a: T) { return a.mul(2); }
    }
    expect(NoBackward.apply(f64([1], false)).tolist()).toEqual([2]);
    expect(() => NoBackward.apply(f64([1])).sum().backward()).toThrow('You must implement the backward method');
    class NoForward extends tg.autograd.Function {}
    expect(() => NoForward.apply(f64([1]))).toThrow("NoForward must define 'static forward(ctx, ...args)'");
  });

  it('non-static forward or backward, instantiation and apply on other classes', () => {
    class Legacy extends tg.autograd.Function {
      forward(_ctx: Ctx, a: T) { return a; }
    }
    expect(() => Legacy.apply(f64([1]))).toThrow('Legacy.forward must be a static method');
    class LegacyBackward extends tg.autograd.Function {
      static forward(_ctx: Ctx, a: T) { return a.mul(1); }
      backward(_ctx: Ctx, g: T) { return g; }
    }
    expect(() => LegacyBackward.apply(f64([1]))).toThrow('LegacyBackward.backward must be a static method');
    expect(() => new LegendrePolynomial3()).toThrow('LegendrePolynomial3 is not instantiated: its forward and backward are static; call LegendrePolynomial3.apply(...)');
    const apply = LegendrePolynomial3.apply as unknown as { call(self: unknown, ...a: unknown[]): unknown };
    expect(LegendrePolynomial3.apply).toBe(LegendrePolynomial3.apply);
    expect(apply.call(Map, f64([1])) instanceof tg.Tensor).toBe(true); // bound: `this` does not matter
  });

  it('forward returning a Promise is an error', () => {
    class Async extends tg.autograd.Function {
      static forward(_ctx: Ctx, a: T) { return Promise.resolve(a); }
    }
    expect(() => Async.apply(f64([1]))).toThrow('Async.forward must return its outputs, not a Promise');
  });
});
