// Module hooks: forward pre-hooks, forward hooks and full backward (pre-)hooks against PyTorch
// (scripts/fixtures/module_api.py), their order, options and removal.
import { describe, expect, it, vi } from 'vitest';
import * as tg from '../../src/index';
import { decode, decodeState, expectScaled, loadFixture, type EncodedTensor } from '../helpers';

const { nn } = tg;
type Grads = (EncodedTensor | null)[];
interface Call { hook: string; grad_input?: Grads; grad_output?: Grads }
const fixture = loadFixture<{ hooks: {
  net: { state: Record<string, EncodedTensor>; x: EncodedTensor; c: EncodedTensor; out: EncodedTensor; calls: Call[]; grad_x: EncodedTensor; grads: Record<string, EncodedTensor> };
  mixed: { a: EncodedTensor; b: EncodedTensor; c: EncodedTensor; calls: { grad_input: Grads; grad_output: Grads }[]; grad_a: EncodedTensor; grad_c: EncodedTensor };
  no_input_grad: { state: Record<string, EncodedTensor>; x: EncodedTensor; calls: { grad_input: Grads; grad_output: Grads }[]; warning: string };
} }>('module_api.json').hooks;

const RTOL = 1e-12;

function expectGrads(got: tg.nn.GradList, want: Grads, what: string): void {
  expect(got.length, what).toBe(want.length);
  want.forEach((w, i) => expectScaled(got[i], w, RTOL, `${what}[${i}]`));
}

class Net extends nn.Module {
  fc1 = new nn.Linear(3, 4, { dtype: 'float64' });
  act = new nn.ReLU();
  fc2 = new nn.Linear(4, 2, { dtype: 'float64' });
  override forward(x: tg.Tensor): tg.Tensor {
    return this.fc2(this.act(this.fc1(x)));
  }
}

describe('module hooks', () => {
  it('run as PyTorch runs them: values, order, changed inputs, outputs and gradients', () => {
    const f = fixture.net;
    const m = new Net();
    m.loadStateDict(decodeState(f.state));
    const calls: { hook: string; gradInput?: tg.nn.GradList; gradOutput?: tg.nn.GradList }[] = [];
    m.registerForwardPreHook((mod, args) => {
      expect(mod).toBe(m);
      calls.push({ hook: 'net.pre' });
      return [(args[0] as tg.Tensor).mul(2)];
    });
    m.fc1.registerForwardHook((mod, args, out) => {
      calls.push({ hook: 'fc1.forward' });
      return out.add(1);
    });
    const backward = (name: string, scale?: number) => (mod: tg.nn.Module, gradInput: tg.nn.GradList, gradOutput: tg.nn.GradList) => {
      calls.push({ hook: name, gradInput, gradOutput });
      if (scale !== undefined) return gradInput.map((g) => g?.mul(scale) ?? null);
    };
    m.fc1.registerFullBackwardHook(backward('fc1.backward'));
    m.fc2.registerFullBackwardHook(backward('fc2.backward', 2));
    m.registerFullBackwardHook(backward('net.backward'));
    m.registerFullBackwardPreHook((mod, gradOutput) => {
      calls.push({ hook: 'net.backward_pre', gradOutput });
      return gradOutput.map((g) => g!.mul(0.5));
    });
    const x = decode(f.x).requiresGrad_();
    const out = m(x);
    expectScaled(out, f.out, RTOL, 'out');
    out.mul(decode(f.c)).sum().backward();
    expect(calls.map((c) => c.hook)).toEqual(f.calls.map((c) => c.hook));
    f.calls.forEach((want, i) => {
      if (want.grad_input) expectGrads(calls[i].gradInput!, want.grad_input, `${want.hook} gradInput`);
      if (want.grad_output) expectGrads(calls[i].gradOutput!, want.grad_output, `${want.hook} gradOutput`);
    });
    expectScaled(x.grad, f.grad_x, RTOL, 'x.grad');
    for (const [name, p] of m.namedParameters()) expectScaled(p.grad, f.grads[name], RTOL, `${name}.grad`);
  });

  it('give null for non-tensors and outputs without a gradient, zeros for inputs that got none, as PyTorch', () => {
    const f = fixture.mixed;
    class Mixed extends nn.Module {
      override forward(a: tg.Tensor, b: tg.Tensor, c: tg.Tensor, k: number): [tg.Tensor, tg.Tensor] {
        return [a.mul(k).add(b.sum()), a.detach().argmax()];
      }
    }
    const m = new Mixed();
    const seen: [tg.nn.GradList, tg.nn.GradList][] = [];
    m.registerFullBackwardHook((mod, gi, go) => void seen.push([gi, go]));
    const a = decode(f.a).requiresGrad_(), c = decode(f.c).requiresGrad_();
    const [out, idx] = m(a, decode(f.b), c, 5);
    expect(idx.dtype).toBe('int64');
    out.sum().backward();
    expect(seen.length).toBe(f.calls.length);
    expectGrads(seen[0][0], f.calls[0].grad_input, 'gradInput');
    expectGrads(seen[0][1], f.calls[0].grad_output, 'gradOutput');
    expectScaled(a.grad, f.grad_a, RTOL, 'a.grad');
    expectScaled(c.grad, f.grad_c, RTOL, 'c.grad'); // zeros, not null: the hook's function gave it zeros
  });

  it('with no input that requires grad, fire from the outputs with null input gradients, and warn once', () => {
    const f = fixture.no_input_grad;
    const lin = new nn.Linear(2, 2, { dtype: 'float64' });
    lin.loadStateDict(decodeState(f.state));
    const seen: [tg.nn.GradList, tg.nn.GradList][] = [];
    lin.registerFullBackwardHook((mod, gi, go) => void seen.push([gi, go]));
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    lin(decode(f.x)).sum().backward();
    lin(decode(f.x)).sum().backward();
    expect(warn.mock.calls.filter(([m]) => m === f.warning).length).toBe(1);
    warn.mockRestore();
    expect(seen.length).toBe(2);
    expectGrads(seen[0][0], f.calls[0].grad_input, 'gradInput');
    expectGrads(seen[0][1], f.calls[0].grad_output, 'gradOutput');
    lin.registerFullBackwardHook(() => [tg.zeros(1, 2)]);
    expect(() => lin(decode(f.x)).sum().backward()).toThrow('Backward hook for Modules where no input requires gradient should always return nothing or null for all gradients.');
  });

  it('remove(), using, prepend and the order of registration', () => {
    const lin = new nn.Linear(2, 2);
    const order: string[] = [];
    const a = lin.registerForwardHook(() => void order.push('a'));
    lin.registerForwardHook(() => void order.push('b'));
    lin.registerForwardHook(() => void order.push('c'), { prepend: true });
    lin.registerForwardPreHook(() => void order.push('pre'));
    lin(tg.ones(1, 2));
    expect(order).toEqual(['pre', 'c', 'a', 'b']);
    a.remove();
    a.remove(); // twice does nothing
    order.length = 0;
    lin(tg.ones(1, 2));
    expect(order).toEqual(['pre', 'c', 'b']);
    {
      using h = lin.registerForwardHook(() => void order.push('scoped'));
      expect(typeof h.id).toBe('number');
      order.length = 0;
      lin(tg.ones(1, 2));
      expect(order).toEqual(['pre', 'c', 'b', 'scoped']);
    }
    order.length = 0;
    lin(tg.ones(1, 2));
    expect(order).toEqual(['pre', 'c', 'b']);
  });

  it('run for model(x) only: forward(x) bypasses them, as in PyTorch', () => {
    const lin = new nn.Linear(2, 2);
    let n = 0;
    lin.registerForwardHook(() => void n++);
    lin.forward(tg.ones(1, 2));
    expect(n).toBe(0);
    lin(tg.ones(1, 2));
    expect(n).toBe(1);
    new nn.Sequential(lin)(tg.ones(1, 2)); // containers call their modules
    expect(n).toBe(2);
  });

  it('a pre-hook returning a value that is not an array gives the one argument; forward hooks may replace the output', () => {
    const id = new nn.Identity();
    id.registerForwardPreHook(() => tg.tensor([7]));
    id.registerForwardHook((m, args, out) => {
      expect((args[0] as tg.Tensor).item()).toBe(7);
      expect(out.item()).toBe(7);
      return out.add(1);
    });
    expect(id(tg.tensor([1])).item()).toBe(8);
  });

  it('withKwargs hooks get the trailing options object as kwargs and may change it', () => {
    class Scale extends nn.Module {
      override forward(x: tg.Tensor, opts: { factor?: number } = {}): tg.Tensor {
        return x.mul(opts.factor ?? 1);
      }
    }
    const m = new Scale();
    const seen: unknown[] = [];
    m.registerForwardPreHook((mod, args, kwargs) => {
      seen.push([args.length, { ...kwargs }]);
      return [args, { ...kwargs, factor: ((kwargs.factor as number) ?? 1) * 10 }];
    }, { withKwargs: true });
    m.registerForwardHook((mod, args, kwargs, out) => {
      seen.push([args.length, { ...kwargs }, out.item()]);
    }, { withKwargs: true });
    expect(m(tg.tensor(2), { factor: 3 }).item()).toBe(60);
    expect(m(tg.tensor(2)).item()).toBe(20);
    expect(seen).toEqual([[1, { factor: 3 }], [1, { factor: 30 }, 60], [1, {}], [1, { factor: 10 }, 20]]);
    m.registerForwardPreHook(() => 5 as unknown as [unknown[], tg.nn.Kwargs], { withKwargs: true });
    expect(() => m(tg.tensor(2))).toThrow('forward pre-hook must return nothing or [newArgs, newKwargs], but got 5');
  });

  it('alwaysCall hooks run when forward throws, and the error goes on', () => {
    class Boom extends nn.Module {
      override forward(): never {
        throw new Error('boom');
      }
    }
    const m = new Boom();
    const ran: string[] = [];
    m.registerForwardHook(() => void ran.push('always'), { alwaysCall: true });
    m.registerForwardHook(() => void ran.push('normal'));
    expect(() => m()).toThrow('boom');
    expect(ran).toEqual(['always']);
  });

  it('check what they are given and return', () => {
    const lin = new nn.Linear(2, 2);
    expect(() => lin.registerForwardHook(3 as never)).toThrow('a module hook must be a function, but got 3');
    expect(() => lin.registerForwardHook(() => {}, { first: true } as never)).toThrow(TypeError);
    lin.registerFullBackwardHook(() => [null, null]);
    expect(() => lin(tg.ones(1, 2, { requiresGrad: true })).sum().backward()).toThrow('Backward hook returned an invalid number of grad_input, got 2, but expected 1');
  });

  it('a backward hook on a module whose output is not a tensor warns', () => {
    class Obj extends nn.Module {
      override forward(x: tg.Tensor) {
        return { y: x.mul(2) };
      }
    }
    const m = new Obj();
    m.registerFullBackwardHook(() => {});
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    m(tg.ones(2, { requiresGrad: true }));
    expect(String(warn.mock.calls[0][0])).toContain('For backward hooks to be called, module output should be a Tensor or an array of Tensors but received an Object');
    warn.mockRestore();
  });
});
