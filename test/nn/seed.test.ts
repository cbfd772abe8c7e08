// The seed tutorial's nn programs against PyTorch, from the same data and initial weights.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, decodeState, expectState, loadFixture, type EncodedTensor } from '../helpers';

const { nn, F, optim } = tg;
type State = Record<string, EncodedTensor>;
const fixture = loadFixture<{
  regression: { x: EncodedTensor; y: EncodedTensor; initial: State; repr: string; losses: number[]; final: State };
  linear_no_bias: { initial: State; repr: string; losses: number[]; final: State };
}>('nn_seed.json');

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);

class Net extends nn.Module {
  hidden: tg.nn.Linear;
  predict: tg.nn.Linear;
  constructor(nFeature: number, nHidden: number, nOutput: number) {
    super();
    this.hidden = new nn.Linear(nFeature, nHidden);
    this.predict = new nn.Linear(nHidden, nOutput);
  }
  override forward(x: tg.Tensor): tg.Tensor {
    return this.predict.forward(F.relu(this.hidden.forward(x)));
  }
}

class Model extends nn.Module {
  linear = new nn.Linear(1, 1, { bias: false });
  override forward(x: tg.Tensor): tg.Tensor {
    return this.linear.forward(x);
  }
}

describe('seed: nn.Module regression (Net, SGD lr 0.2, MSELoss, 100 steps)', () => {
  it('prints like print(net) and trains to the same losses and weights as PyTorch', () => {
    const f = fixture.regression;
    const x = decode(f.x), y = decode(f.y);
    expect(x.shape).toEqual([100, 1]);
    const net = new Net(1, 10, 1);
    expect(net.toString()).toBe(f.repr);
    net.loadStateDict(decodeState(f.initial));
    const optimizer = new optim.SGD(net.parameters(), { lr: 0.2 });
    const lossFunc = new nn.MSELoss();
    f.losses.forEach((want, t) => {
      const prediction = net.forward(x);
      const loss = lossFunc.forward(prediction, y);
      expect(rel(loss.item(), want), `step ${t}`).toBeLessThan(1e-5);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    });
    expectState(net.stateDict(), f.final, 1e-5);
  });
});

describe('seed: Linear(1, 1, bias=False) with summed MSE (sizeAverage false), SGD lr 0.01, 20 epochs', () => {
  it('matches PyTorch', () => {
    const f = fixture.linear_no_bias;
    const xData = tg.tensor([[1.0], [2.0], [3.0]]);
    const yData = tg.tensor([[2.0], [4.0], [6.0]]);
    const model = new Model();
    expect(model.toString()).toBe(f.repr);
    model.loadStateDict(decodeState(f.initial));
    const criterion = new nn.MSELoss({ sizeAverage: false });
    expect(criterion.reduction).toBe('sum');
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
    const cost: number[] = [];
    for (let epoch = 0; epoch < 20; epoch++) {
      const yPred = model.forward(xData);
      const loss = criterion.forward(yPred, yData);
      cost.push(loss.item());
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    }
    cost.forEach((c, i) => expect(rel(c, f.losses[i]), `epoch ${i}`).toBeLessThan(1e-5));
    expectState(model.stateDict(), f.final, 1e-5);
    expect([...model.parameters()].length).toBe(1);
  });
});
