// nn.Module regression: y = x^2 + noise fitted by Linear(1, 10) -> ReLU -> Linear(10, 1) with SGD
// (lr 0.2) and MSELoss for 100 steps, from manualSeed(1) as the PyTorch original. Plots the points,
// the fitted curve and the loss every 10 steps, and the loss curve.
// Run: npm run example:regression   (writes examples/out/regression*.svg and .png)
import * as tg from 'tensorgrad';
import { savePlot } from './plot';

const { nn, F, optim } = tg;

tg.manualSeed(1);
const x = tg.linspace(-1, 1, 100).unsqueeze(1); // x data (tensor), shape [100, 1]
const y = x.pow(2).add(tg.rand(x.size()).mul(0.2)); // noisy y data (tensor), shape [100, 1]

class Net extends nn.Module {
  hidden: tg.nn.Linear;
  predict: tg.nn.Linear;

  constructor(nFeature: number, nHidden: number, nOutput: number) {
    super();
    this.hidden = new nn.Linear(nFeature, nHidden); // hidden layer
    this.predict = new nn.Linear(nHidden, nOutput); // output layer
  }

  override forward(x: tg.Tensor): tg.Tensor {
    x = F.relu(this.hidden(x)); // activation function for the hidden layer
    return this.predict(x); // linear output
  }
}

const net = new Net(1, 10, 1);
console.log(String(net));

const optimizer = new optim.SGD(net.parameters(), { lr: 0.2 });
const lossFunc = new nn.MSELoss(); // mean squared error

const xs = x.reshape(-1).tolist() as number[], ys = y.reshape(-1).tolist() as number[];
const snapshots: { step: string; x: number; y: number; fit: number }[] = [];
const losses: { step: number; loss: number }[] = [];
for (let t = 0; t < 100; t++) {
  const prediction = net(x);
  const loss = lossFunc(prediction, y);
  losses.push({ step: t, loss: loss.item() });

  optimizer.zeroGrad(); // clear gradients for this step
  loss.backward(); // backpropagation
  optimizer.step(); // apply gradients

  if (t % 10 === 0) {
    const fit = prediction.detach().reshape(-1).tolist() as number[];
    const label = `step ${t}: Loss=${loss.item().toFixed(4)}`;
    console.log(label);
    xs.forEach((xi, i) => snapshots.push({ step: label, x: xi, y: ys[i], fit: fit[i] }));
  }
}

// The points and the fitted curve, told apart by a legend ("data" and "fit").
const fitSymbol = (then: string | number, otherwise: string | number) => ({ signal: `datum.value === 'fit' ? ${JSON.stringify(then)} : ${JSON.stringify(otherwise)}` });
const colour = {
  scale: { domain: ['data', 'fit'], range: ['#4c78a8', '#e45756'] },
  legend: {
    title: null,
    encode: { symbols: { update: { shape: fitSymbol('stroke', 'circle'), stroke: { scale: 'color', field: 'value' }, strokeWidth: fitSymbol(4, 0) } } },
  },
};
const fitLayers = (data: unknown[]) => ({
  data: { values: data },
  layer: [
    {
      mark: { type: 'point', filled: true, size: 20, opacity: 0.8 },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative', title: 'y' }, color: { datum: 'data', ...colour } },
    },
    {
      mark: { type: 'line', strokeWidth: 4 },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'fit', type: 'quantitative' }, color: { datum: 'fit', ...colour } },
    },
  ],
});
const lastStep = snapshots[snapshots.length - 1].step;
const last = snapshots.filter((s) => s.step === lastStep);
const steps = Number(/^step (\d+)/.exec(lastStep)![1]), lastLoss = losses[steps].loss;
(async () => {
  const paths = [
    ...(await savePlot('regression', {
      ...fitLayers(last),
      width: 560,
      height: 300,
      title: {
        text: `nn.Module regression: noisy y = x² data and the net's fit after ${steps} steps`,
        subtitle: `Linear(1, 10) → ReLU → Linear(10, 1), SGD (lr 0.2); MSE loss ${lastLoss.toFixed(4)}`,
      },
    })),
    ...(await savePlot('regression-steps', {
      data: { values: snapshots },
      facet: { field: 'step', type: 'ordinal', title: null, sort: null },
      columns: 5,
      spec: { width: 160, height: 120, layer: fitLayers([]).layer },
      title: {
        text: `nn.Module regression: the net's fit to noisy y = x² data every 10 steps, from step 0 to ${steps}`,
        subtitle: 'each panel: the step and its MSE loss, as the example prints them',
      },
    })),
    ...(await savePlot('regression-loss', {
      data: { values: losses },
      mark: 'line',
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'loss', type: 'quantitative', title: 'MSE loss' },
      },
      width: 560,
      height: 300,
      title: `nn.Module regression: MSE training loss at each of the ${losses.length} steps`,
    })),
  ];
  console.log(`plots: ${paths.join(', ')}`);
})();
