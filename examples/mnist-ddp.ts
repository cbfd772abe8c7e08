// The MNIST example (examples/mnist.ts) trained data-parallel with DistributedDataParallel: every
// rank draws the same shuffled global batches of 64 and trains on its share of each, DDP averaging
// the gradients, so the run follows the single-process one (same seeds, same global batches).
// Rank 0 prints each epoch's mean loss over all ranks and the test accuracy.
//
//   npm run example:mnist-ddp                       2 processes on this machine (tensorgrad-run)
//   npx tensorgrad-run --nproc-per-node 4 examples/mnist-ddp.ts [--epochs N] [--dtype float64] [--check] [--json]
//
// --check compares every rank's parameters after every step (they must be identical); --json
// prints the per-epoch numbers as JSON instead of lines.
import { parseArgs } from 'node:util';
import * as tg from 'tensorgrad';
import { loadDigits, makeModel, splitDigits } from './mnist-data';

const { distributed: dist } = tg;
const { values } = parseArgs({
  options: { epochs: { type: 'string', default: '3' }, dtype: { type: 'string', default: 'float32' }, check: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
});
const epochs = Number(values.epochs);
const dtype = values.dtype as 'float32' | 'float64';
if (process.env.RANK === undefined) {
  console.error('mnist-ddp: start it with tensorgrad-run, as: npx tensorgrad-run --nproc-per-node 2 examples/mnist-ddp.ts');
  process.exit(1);
}

dist.initProcessGroup({ backend: 'gloo' });
const rank = dist.getRank(), world = dist.getWorldSize();
const batch = 64;
if (batch % world !== 0) throw new Error(`the global batch of ${batch} must divide among ${world} ranks`);
const share = batch / world;

// exactly as the single-process example: seeds, split, loader order, model initialisation
tg.setDefaultDtype(dtype);
tg.manualSeed(0);
const { images, labels } = loadDigits();
const { train, test } = splitDigits(images.to(dtype), labels);
const loader = new tg.utils.data.DataLoader(train, { batchSize: batch, shuffle: true, generator: new tg.Generator().manualSeed(0) });
const testLoader = new tg.utils.data.DataLoader(test, { batchSize: 500 });
const net = makeModel();
const model = new tg.nn.parallel.DistributedDataParallel(net);
const lossFn = new tg.nn.CrossEntropyLoss();
const optimizer = new tg.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });

/** Whether every rank holds exactly these parameters: the elementwise max and min over the ranks agree. */
function identical(): boolean {
  const flat = tg.noGrad(() => tg.cat([...net.parameters()].map((p) => p.reshape(-1))));
  const hi = flat.clone(), lo = flat.clone();
  dist.allReduce(hi, { op: dist.ReduceOp.MAX });
  dist.allReduce(lo, { op: dist.ReduceOp.MIN });
  return hi.equal(lo);
}

const history: { epoch: number; loss: number; testAccuracy: number; seconds: number }[] = [];
let checked = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  const started = performance.now();
  let lossSum = 0, seen = 0;
  for (const [x, y] of loader) {
    const mine = (t: tg.Tensor) => t.narrow(0, rank * (t.shape[0] / world), t.shape[0] / world);
    if (x.shape[0] !== batch) throw new Error('the example expects full global batches');
    const loss = lossFn(model(mine(x)), mine(y));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    const global = loss.detach().clone();
    dist.allReduce(global, { op: dist.ReduceOp.AVG }); // the mean over the whole global batch
    lossSum += global.item() * batch;
    seen += batch;
    if (values.check) {
      if (!identical()) throw new Error(`rank ${rank}: parameters differ between ranks after step ${checked}`);
      checked++;
    }
  }
  const seconds = (performance.now() - started) / 1e3;
  net.eval();
  let correct = 0, count = 0;
  tg.noGrad(() => {
    for (const [x, y] of testLoader) {
      correct += (net(x).argmax(1).eq(y).sum().item() as number);
      count += y.shape[0];
    }
  });
  net.train();
  history.push({ epoch, loss: lossSum / seen, testAccuracy: correct / count, seconds });
  if (rank === 0 && !values.json) console.log(`epoch ${epoch}/${epochs} | loss ${(lossSum / seen).toFixed(4)} | test acc ${(correct / count).toFixed(4)} | ${seconds.toFixed(1)}s on ${world} processes (${share} images each per step)`);
}
if (rank === 0) {
  if (values.json) console.log(JSON.stringify({ world, dtype, checkedSteps: checked, epochs: history }));
  else if (values.check) console.log(`parameters identical on all ${world} ranks after each of ${checked} steps`);
}
dist.destroyProcessGroup();
