import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { loadFixture } from '../helpers';

const { nn } = tg;
const fixture = loadFixture<{ reprs: Record<string, string>; nested_keys: string[]; nested_params: string[] }>('modules.json');

class Net extends nn.Module {
  hidden = new nn.Linear(1, 10);
  predict = new nn.Linear(10, 1);
  override forward(x: tg.Tensor): tg.Tensor {
    return this.predict.forward(this.hidden.forward(x).relu());
  }
}

const nested = () => new nn.Sequential(
  new nn.Linear(784, 128), new nn.ReLU(), new nn.Dropout(0.2),
  new nn.Sequential(new nn.Linear(128, 64, { bias: false }), new nn.Tanh()), new nn.Linear(64, 10), new nn.LogSoftmax(1),
);

describe('nn.Module', () => {
  it('prints as print(module) does in PyTorch', () => {
    expect(new Net().toString()).toBe(fixture.reprs.regression);
    expect(nested().toString()).toBe(fixture.reprs.nested);
    expect(new nn.Sequential(new nn.Flatten(), new nn.Linear(4, 2), new nn.Softmax(1), new nn.Sigmoid(), new nn.Identity()).toString()).toBe(fixture.reprs.flatten);
    expect(new nn.ReLU(true).toString()).toBe(fixture.reprs.relu_inplace);
    expect(new nn.Dropout(0.1).toString()).toBe(fixture.reprs.dropout);
    expect(new nn.MSELoss().toString()).toBe(fixture.reprs.mse);
    expect(new nn.CrossEntropyLoss().toString()).toBe(fixture.reprs.cross_entropy);
    expect(new nn.LeakyReLU(0.2).toString()).toBe(fixture.reprs.leaky);
    expect(new nn.GELU().toString()).toBe(fixture.reprs.gelu);
    expect(new nn.GELU({ approximate: 'tanh' }).toString()).toBe(fixture.reprs.gelu_tanh);
    expect(new nn.Parameter(tg.tensor([1.0, 2.5])).toString()).toBe(fixture.reprs.parameter);
  });

  it('finds parameters and submodules in assignment order with dotted names', () => {
    const m = nested();
    expect([...m.namedParameters()].map(([n]) => n)).toEqual(fixture.nested_params);
    expect(Object.keys(m.stateDict())).toEqual(fixture.nested_keys);
    expect([...m.children()].length).toBe(6);
    expect([...m.modules()].length).toBe(9);
    const net = new Net();
    expect([...net.namedParameters()].map(([n, p]) => [n, p.shape])).toEqual([
      ['hidden.weight', [10, 1]], ['hidden.bias', [10]], ['predict.weight', [1, 10]], ['predict.bias', [1]],
    ]);
    expect([...net.parameters()].every((p) => p.requiresGrad && p.isLeaf)).toBe(true);
  });

  it('shared parameters are listed once', () => {
    class Tied extends nn.Module {
      a = new nn.Linear(3, 3);
      b = this.a;
    }
    expect([...new Tied().parameters()].length).toBe(2);
  });

  it('stateDict shares memory; loadStateDict copies values in, checking keys and shapes', () => {
    const a = new Net(), b = new Net();
    const sd = a.stateDict();
    expect(sd['hidden.weight']._storage).toBe(a.hidden.weight._storage);
    b.loadStateDict(sd);
    expect(b.hidden.weight.equal(a.hidden.weight)).toBe(true);
    expect(b.hidden.weight._storage).not.toBe(a.hidden.weight._storage);
    b.loadStateDict(new Map(Object.entries(sd)));
    const partial = { ...sd };
    delete partial['predict.bias'];
    expect(() => b.loadStateDict({ ...partial, extra: tg.zeros(1) })).toThrow(
      'Error(s) in loadStateDict() for Net:\n\tMissing key(s) in the state dict: "predict.bias". \n\tUnexpected key(s) in the state dict: "extra". ',
    );
    expect(b.loadStateDict(partial, { strict: false })).toEqual({ missingKeys: ['predict.bias'], unexpectedKeys: [] });
    expect(() => b.loadStateDict({ ...sd, 'hidden.weight': tg.zeros(10, 2) })).toThrow(
      'size mismatch for hidden.weight: copying a param with shape [10, 2] from checkpoint, the shape in current model is [10, 1].',
    );
  });

  it('buffers are saved in stateDict unless not persistent', () => {
    class WithBuffer extends nn.Module {
      lin = new nn.Linear(2, 2);
      constructor() {
        super();
        this.registerBuffer('runningMean', tg.zeros(2));
        this.registerBuffer('scratch', tg.zeros(2), { persistent: false });
      }
    }
    expect(Object.keys(new WithBuffer().stateDict())).toEqual(['runningMean', 'lin.weight', 'lin.bias']);
  });

  it('train / eval / zeroGrad / requiresGrad_', () => {
    const m = nested();
    m.eval();
    expect([...m.modules()].every((x) => !x.training)).toBe(true);
    m.train();
    expect([...m.modules()].every((x) => x.training)).toBe(true);
    const net = new Net();
    net.forward(tg.ones(4, 1)).sum().backward();
    expect(net.hidden.weight.grad).not.toBeNull();
    net.zeroGrad({ setToNone: false });
    expect(net.hidden.weight.grad!.abs().sum().item()).toBe(0);
    net.zeroGrad();
    expect(net.hidden.weight.grad).toBeNull();
    net.requiresGrad_(false);
    expect([...net.parameters()].some((p) => p.requiresGrad)).toBe(false);
  });

  it('a module without forward says so', () => {
    class Empty extends nn.Module {}
    expect(() => new Empty().forward(tg.ones(1))).toThrow('Module [Empty] is missing the required "forward" function');
  });

  it("Linear's default init draws from PyTorch's bounds", () => {
    const layer = new nn.Linear(400, 300);
    const bound = 1 / Math.sqrt(400);
    expect(layer.weight.abs().amax().item()).toBeLessThanOrEqual(bound);
    expect(layer.bias!.abs().amax().item()).toBeLessThanOrEqual(bound);
    // kaiming_uniform(a = sqrt 5): U(-b, b) with b = 1/sqrt(fan_in): std b/sqrt(3)
    expect(Math.abs((layer.weight.std().item()) - bound / Math.sqrt(3)) / (bound / Math.sqrt(3))).toBeLessThan(0.02);
    expect(new nn.Linear(3, 2, { dtype: 'float64' }).weight.dtype).toBe('float64');
  });

  it('to(dtype) / double() / float() convert parameters, their gradients and buffers', () => {
    const net = new Net();
    const w = net.hidden.weight.detach().clone();
    net.forward(tg.ones(2, 1)).sum().backward();
    net.registerBuffer('steps', tg.tensor([1, 2], { dtype: 'int64' }));
    net.registerBuffer('scale', tg.tensor([0.5]));
    expect(net.double()).toBe(net);
    for (const p of net.parameters()) {
      expect(p).toBeInstanceOf(nn.Parameter);
      expect([p.dtype, p.requiresGrad, p.isLeaf, p.grad?.dtype]).toEqual(['float64', true, true, 'float64']);
    }
    expect(net.hidden.weight.tolist()).toEqual(w.double().tolist());
    expect([(net as unknown as Record<string, tg.Tensor>).steps.dtype, (net as unknown as Record<string, tg.Tensor>).scale.dtype]).toEqual(['int64', 'float64']);
    expect(net.forward(tg.ones(2, 1, { dtype: 'float64' })).dtype).toBe('float64');
    expect(Object.values(net.float().stateDict()).map((t) => t.dtype)).toEqual(['int64', 'float32', 'float32', 'float32', 'float32', 'float32']);
    const shared = new nn.Linear(2, 2);
    const tied = new nn.Sequential(shared, shared).to({ dtype: 'float64' });
    expect([...tied.parameters()].length).toBe(2);
    expect(() => net.to('int32')).toThrow('Module.to() only accepts floating point dtypes (float32, float64), but got int32');
  });
});
