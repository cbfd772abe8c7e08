// A simple network: Linear(1, 1, bias=False) learning y = 2x from three points, with the summed
// squared error and SGD, from manualSeed(2). The original wrote MSELoss(size_average=False), which
// PyTorch has deprecated; { reduction: 'sum' } is the same loss ({ sizeAverage: false } still works,
// with PyTorch's deprecation warning).
// Run: npm run example:linear-no-bias
import * as tg from 'tensorgrad';

const { nn, optim } = tg;

tg.manualSeed(2);
const xData = tg.tensor([[1.0], [2.0], [3.0]]);
const yData = tg.tensor([[2.0], [4.0], [6.0]]);

class Model extends nn.Module {
  linear = new nn.Linear(1, 1, { bias: false });

  override forward(x: tg.Tensor): tg.Tensor {
    return this.linear(x);
  }
}

const model = new Model();
const criterion = new nn.MSELoss({ reduction: 'sum' });
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });

const epochs = 20;
const cost: number[] = [];
for (let epoch = 0; epoch < epochs; epoch++) {
  const yPred = model(xData);
  const loss = criterion(yPred, yData);
  cost.push(loss.item());
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
}
console.log(cost);
console.log([...model.parameters()].map(String).join('\n'));
