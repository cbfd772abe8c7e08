// nn.ModuleList and nn.ModuleDict; the expected printing and names are what PyTorch 2.13 gives
// for the same modules (print(net), [k for k, _ in net.named_parameters()]).
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';

const { nn } = tg;

class Net extends nn.Module {
  layers = new nn.ModuleList([...[0, 1, 2].map(() => new nn.Linear(2, 2)), new nn.ReLU(), new nn.Linear(2, 1)]);
  heads = new nn.ModuleDict({ b: new nn.Linear(1, 1), a: new nn.Tanh() });

  override forward(x: tg.Tensor): tg.Tensor {
    for (const layer of this.layers) x = layer.forward(x) as tg.Tensor;
    return this.heads.get('b').forward(x) as tg.Tensor;
  }
}

describe('nn.ModuleList and nn.ModuleDict', () => {
  it("register their modules: parameters, names and printing as PyTorch's", () => {
    const net = new Net();
    expect(String(net)).toBe(
      [
        'Net(',
        '  (layers): ModuleList(',
        '    (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)',
        '    (3): ReLU()',
        '    (4): Linear(in_features=2, out_features=1, bias=True)',
        '  )',
        '  (heads): ModuleDict(',
        '    (b): Linear(in_features=1, out_features=1, bias=True)',
        '    (a): Tanh()',
        '  )',
        ')',
      ].join('\n'),
    );
    const names = [...net.namedParameters()].map(([k]) => k);
    expect(names).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.2.weight', 'layers.2.bias', 'layers.4.weight', 'layers.4.bias', 'heads.b.weight', 'heads.b.bias']);
    expect(Object.keys(net.stateDict())).toEqual(names);
    expect(String(new nn.ModuleList())).toBe('ModuleList()');
    expect(String(new nn.ModuleDict())).toBe('ModuleDict()');
  });

  it('train and run: gradients reach the listed modules, an optimizer gets all parameters', () => {
    const net = new Net();
    const opt = new tg.optim.SGD(net.parameters(), { lr: 0.1 });
    const loss = net.forward(tg.ones(4, 2)).pow(2).sum();
    loss.backward();
    expect((net.layers.at(0) as tg.nn.Linear).weight.grad).not.toBeNull();
    expect(opt.paramGroups[0].params.length).toBe(10);
  });

  it('ModuleList: index, at, append, extend, insert, set, pop, length, iteration', () => {
    const [a, b, c, d] = [0, 1, 2, 3].map((i) => new nn.Linear(1, i + 1));
    const list = new nn.ModuleList([a]);
    list.append(b).extend([c]);
    expect(list.length).toBe(3);
    expect(list[1]).toBe(b);
    expect(list.at(-1)).toBe(c);
    list.insert(0, d);
    expect([...list]).toEqual([d, a, b, c]);
    list.set(1, c);
    expect(list.pop()).toBe(c);
    expect(list.pop(0)).toBe(d);
    expect([...list]).toEqual([c, b]);
    expect([...list.namedChildren()].map(([k]) => k)).toEqual(['0', '1']);
    expect(() => list.at(2)).toThrow('index 2 is out of range');
    expect(() => list.append(tg.zeros(1) as unknown as tg.nn.Module)).toThrow('is not a Module subclass');
    expect(() => new nn.ModuleList([]).forward()).toThrow('Module [ModuleList] is missing the required "forward" function');
  });

  it('ModuleDict: get, set, has, pop, keys in insertion order, and the names PyTorch refuses', () => {
    const dict = new nn.ModuleDict([['2', new nn.ReLU()], ['1', new nn.Tanh()]]);
    dict.set('x', new nn.Sigmoid());
    expect(dict.keys()).toEqual(['2', '1', 'x']);
    expect([...dict]).toEqual(['2', '1', 'x']);
    expect(String(dict)).toBe('ModuleDict(\n  (2): ReLU()\n  (1): Tanh()\n  (x): Sigmoid()\n)');
    expect(dict.has('1')).toBe(true);
    expect(dict.pop('1')).toBeInstanceOf(nn.Tanh);
    expect(dict.length).toBe(2);
    expect(() => dict.get('1')).toThrow("no module named '1'");
    expect(() => dict.set('forward', new nn.ReLU())).toThrow("attribute 'forward' already exists");
    expect(() => dict.set('a.b', new nn.ReLU())).toThrow('module name can\'t contain ".", got: a.b');
  });
});
