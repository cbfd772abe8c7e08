/**
 * The MNIST example's training epoch as a benchmark: 8,000 images, batches of 64 shuffled by a
 * seeded generator, MLP 784 -> 128 -> 10, CrossEntropyLoss, SGD with momentum, the loss read every
 * step. `tsx bench/mnist.ts DIR` writes the data and the initial weights to DIR as .npy files, which
 * this file and bench/anchors/mnist_epoch.py both train from.
 */
import { join } from 'node:path';
import * as tg from 'tensorgrad';
import { loadDigits, makeModel, splitDigits, rowsOf } from '../examples/mnist-data';

const PARAMS = ['0.weight', '0.bias', '2.weight', '2.bias'];

export function exportMnist(dir: string): void {
  tg.manualSeed(0);
  const { images, labels } = loadDigits();
  const [x, y] = rowsOf(splitDigits(images, labels).train);
  tg.saveNpy(x, join(dir, 'x_train.npy'));
  tg.saveNpy(y, join(dir, 'y_train.npy'));
  const sd = makeModel().stateDict();
  for (const name of PARAMS) tg.saveNpy(sd[name], join(dir, `${name}.npy`));
}

/** Milliseconds of each of `epochs` epochs, and the last epoch's mean loss. */
export function mnistEpochs(dir: string, epochs: number): { ms: number[]; loss: number } {
  const x = tg.loadNpy(join(dir, 'x_train.npy')), y = tg.loadNpy(join(dir, 'y_train.npy'));
  const model = makeModel();
  model.loadStateDict(Object.fromEntries(PARAMS.map((name) => [name, tg.loadNpy(join(dir, `${name}.npy`))])));
  const loader = new tg.utils.data.DataLoader(new tg.utils.data.TensorDataset(x, y), {
    batchSize: 64, shuffle: true, generator: new tg.Generator().manualSeed(0),
  });
  const lossFn = new tg.nn.CrossEntropyLoss();
  const optimizer = new tg.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const ms: number[] = [];
  let loss = 0;
  for (let e = 0; e < epochs; e++) {
    const t0 = process.hrtime.bigint();
    let sum = 0;
    for (const [xb, yb] of loader) {
      const l = lossFn.forward(model.forward(xb), yb);
      optimizer.zeroGrad();
      l.backward();
      optimizer.step();
      sum += l.item() * yb.shape[0];
    }
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    loss = sum / x.shape[0];
  }
  return { ms, loss };
}

if (require.main === module) exportMnist(process.argv[2]);
