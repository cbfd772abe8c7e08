// Modules are callable, `model(x)`, as in PyTorch, and stay Module objects in every other respect.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { loadFixture } from '../helpers';

const { nn } = tg;
const fixture = loadFixture<{ reprs: Record<string, string> }>('modules.json');

class Net extends nn.Module {
  hidden = new nn.Linear(1, 10);
  predict = new nn.Linear(10, 1);
  override forward(x: tg.Tensor): tg.Tensor {
    return this.predict(this.hidden(x).relu());
  }
}

describe('callable modules', () => {
  it('model(x) is model.forward(x), for layers, user modules, containers and losses', () => {
    const x = tg.randn(4, 1);
    const net = new Net();
    expect(net(x).equal(net.forward(x))).toBe(true);
    const lin = new nn.Linear(1, 3);
    expect(lin(x).equal(lin.forward(x))).toBe(true);
    const seq = new nn.Sequential(new nn.Linear(1, 5), new nn.Tanh(), new nn.Linear(5, 2));
    expect(seq(x).equal(seq.forward(x))).toBe(true);
    const y = tg.randn(4, 1);
    const mse = new nn.MSELoss();
    expect(mse(net(x), y).item()).toBe(mse.forward(net.forward(x), y).item());
    const ce = new nn.CrossEntropyLoss();
    const logits = tg.randn(3, 5), target = tg.tensor([1, 0, 4], { dtype: 'int64' });
    expect(ce(logits, target).item()).toBe(F_crossEntropy(logits, target));
    expect(() => new nn.ModuleList([lin])(x)).toThrow('Module [ModuleList] is missing the required "forward" function');
  });

  it('is a function and an instance of its classes', () => {
    const net = new Net();
    expect(typeof net).toBe('function');
    expect(net).toBeInstanceOf(nn.Module);
    expect(net).toBeInstanceOf(Net);
    expect(net.hidden).toBeInstanceOf(nn.Linear);
    expect(Object.getPrototypeOf(net)).toBe(Net.prototype);
    expect(net.constructor).toBe(Net);
    expect(net.forward).toBe(Net.prototype.forward);
    expect(net instanceof Function).toBe(false); // no call/bind/apply of Function's: apply is Module's
  });

  it('takes the subclasses fields however they are written, in assignment order', () => {
    class Fields extends nn.Module {
      declare b: tg.nn.Linear; // declared first, assigned second
      a: tg.nn.Linear;
      c = new nn.Linear(1, 1);
      #secret = 42;
      constructor() {
        super();
        this.a = new nn.Linear(2, 2);
        this.b = new nn.Linear(3, 3);
      }
      get secret(): number {
        return this.#secret;
      }
      override forward(x: tg.Tensor): tg.Tensor {
        return x;
      }
    }
    const m = new Fields();
    expect([...m.namedChildren()].map(([k]) => k)).toEqual(['c', 'a', 'b']);
    expect(m.secret).toBe(42);
    expect(Object.keys(m.stateDict())).toEqual(['c.weight', 'c.bias', 'a.weight', 'a.bias', 'b.weight', 'b.bias']);
  });

  it("holds fields named as a function's own properties (name, length, prototype, caller, arguments)", () => {
    // TypeScript sees a callable type's members as Function's: with noImplicitOverride, these say override
    class Named extends nn.Module {
      override name = 'encoder';
      override length = 3;
      override prototype = 'p';
      override caller = 'c';
      override arguments = [1];
      lin = new nn.Linear(2, 2);
      override forward(x: tg.Tensor): tg.Tensor {
        return this.lin(x);
      }
    }
    const m = new Named();
    expect([m.name, m.length, m.prototype, m.caller, m.arguments]).toEqual(['encoder', 3, 'p', 'c', [1]]);
    m.name = 'decoder';
    expect(m.name).toBe('decoder');
    expect(m(tg.ones(1, 2)).shape).toEqual([1, 2]);
    expect(Object.keys(m)).toEqual(['training', 'name', 'length', 'prototype', 'caller', 'arguments', 'lin']);
    const plain = new nn.Linear(2, 2);
    expect(Object.keys(plain)).toEqual(['training', 'inFeatures', 'outFeatures', 'weight', 'bias']);
    expect('name' in plain || 'length' in plain).toBe(false);
    expect(new nn.Sequential(plain, new nn.ReLU()).length).toBe(2); // the getter, not Function's length
    expect(new nn.ModuleList([plain]).length).toBe(1);
  });

  it('prints as PyTorch prints it: toString, template strings, util.inspect, console.log', () => {
    const net = new Net();
    expect(String(net)).toBe(fixture.reprs.regression);
    expect(`${net}`).toBe(fixture.reprs.regression);
    expect(inspect(net)).toBe(fixture.reprs.regression);
    expect(inspect({ net: new nn.ReLU() })).toBe('{ net: ReLU() }');
    expect(inspect([new nn.Identity()])).toBe('[ Identity() ]');
  });

  it('JSON.stringify gives undefined for a module, as for any function; its stateDict is what to save', () => {
    const net = new Net();
    expect(JSON.stringify(net)).toBeUndefined();
    expect(JSON.stringify({ net })).toBe('{}');
  });

  it('an instance forward replaces the class one for calls too', () => {
    const lin = new nn.Linear(2, 2);
    lin.forward = (x: tg.Tensor) => x.mul(3);
    expect(lin(tg.ones(2)).tolist()).toEqual([3, 3]);
    expect(Object.keys(lin.stateDict())).toEqual(['weight', 'bias']);
  });

  it('modules in messages are named by their class', () => {
    expect(() => new nn.Linear(2, 2, new nn.ReLU() as never)).toThrow('Linear(): expected an options object { bias, dtype, device }, but got a ReLU');
  });
});

function F_crossEntropy(logits: tg.Tensor, target: tg.Tensor): number {
  return tg.nn.functional.crossEntropy(logits, target).item();
}
