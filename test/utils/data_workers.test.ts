// DataLoader with numWorkers > 0: batches loaded in worker threads from datasets that do real work
// (reading and decoding image files) are those of numWorkers 0, in the same order, with the same
// draws; errors and dead workers surface in the main thread; workers stop at the end and on a break
// and never keep the process alive. This file runs the compiled library (dist/) in the main thread
// too, as the workers do: a thread holds one instance of the addon, and the datasets' modules load
// the package. Nothing here measures time.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as TG from '../../src/index';

const root = join(__dirname, '..', '..');
const load = createRequire(__filename);
const tg = load(root) as typeof TG;
const { DataLoader } = tg.utils.data;
const imagesModule = join(__dirname, 'datasets', 'images.cjs');
const whoModule = join(__dirname, 'datasets', 'who.cjs');

type Sample = { image: TG.Tensor; label: number; name: string };
type Batch = { image: TG.Tensor; label: TG.Tensor; name: string[] };
const { Images, writeImages } = load(imagesModule) as {
  Images: new (files: string[], exitAt?: number) => TG.utils.data.Dataset<Sample>;
  writeImages: (dir: string, n: number, badAt?: number) => string[];
};
interface Who { index: number; worker: number; numWorkers: number; seed: string; datasetLength: number; initialised: number; draw: number }
const { Who } = load(whoModule) as { Who: new (n: number, sleepMs?: number) => TG.utils.data.Dataset<Who> };

const dir = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-loader-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const files = writeImages(dir, 23);

/** A batch as plain data: pixels as bytes (bit for bit), labels and names. */
const plain = (b: Batch) => ({ shape: b.image.shape, bytes: Buffer.from(b.image.toTypedArray().buffer), label: b.label.tolist(), name: b.name });

async function epoch<B>(loader: AsyncIterable<B>): Promise<B[]> {
  const out: B[] = [];
  for await (const b of loader) out.push(b);
  return out;
}

describe('DataLoader with worker threads', () => {
  it('decoding files in 1, 2 or 3 workers gives the batches of numWorkers 0, in order, and the same generator draws', async () => {
    const run = async (numWorkers: number) => {
      const g = new tg.Generator().manualSeed(5);
      tg.manualSeed(11);
      const loader = new DataLoader<Sample, Batch>(new Images(files), { batchSize: 4, shuffle: true, numWorkers, generator: g });
      const epochs = [(await epoch(loader)).map(plain), (await epoch(loader)).map(plain)];
      return { epochs, after: [tg.rand(2).tolist(), tg.rand(2, { generator: g }).tolist()] };
    };
    const inThread = await run(0);
    expect(inThread.epochs[0]).toHaveLength(6);
    expect(inThread.epochs[0][0].shape).toEqual([4, 1, 5, 6]);
    for (const numWorkers of [1, 2, 3]) expect(await run(numWorkers)).toEqual(inThread);
  });

  it('a collateFn runs in the main thread on the samples the workers send; batchSize null sends samples one by one', async () => {
    const collateFn = (samples: Sample[]) => ({ names: samples.map((s) => s.name), sum: tg.stack(samples.map((s) => s.image)).sum().item() });
    const make = (numWorkers: number) => new DataLoader(new Images(files.slice(0, 7)), { batchSize: 3, numWorkers, collateFn });
    expect(await epoch(make(2))).toEqual(await epoch(make(0)));
    const single = new DataLoader(new Images(files.slice(0, 3)), { batchSize: null, numWorkers: 2 });
    const samples = (await epoch(single)) as unknown as Sample[];
    expect(samples.map((s) => [s.name, s.image.shape])).toEqual(files.slice(0, 3).map((f, k) => [`digit-${k}-${k}.pgm`, [1, 5, 6]]));
  });

  it('each worker knows its id, seed and dataset (getWorkerInfo), is seeded with base seed + id, and runs the workerInitFn', async () => {
    const g = new tg.Generator().manualSeed(3);
    const baseSeed = (tg.randint(0, 2 ** 63, [], { generator: new tg.Generator().manualSeed(3) }).toTypedArray() as BigInt64Array)[0];
    const loader = new DataLoader(new Who(8), {
      batchSize: 2, numWorkers: 2, generator: g, collateFn: (s: Who[]) => s, workerInitFn: { module: whoModule, export: 'markWorker' },
    });
    const batches = (await epoch(loader)) as unknown as Who[][];
    batches.forEach((batch, k) => {
      for (const s of batch) {
        expect(s.worker).toBe(k % 2); // tasks go round-robin
        expect(s.numWorkers).toBe(2);
        expect(s.datasetLength).toBe(8);
        expect(s.initialised).toBe(s.worker);
        expect(s.seed).toBe(String(baseSeed + BigInt(s.worker)));
      }
    });
    for (const w of [0, 1]) {
      const first = batches[w][0];
      expect(first.draw).toBe(tg.rand(1, { dtype: 'float64', generator: new tg.Generator().manualSeed(baseSeed + BigInt(w)) }).item());
    }
    expect(batches.flat().map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('an item that throws is an error of its class, naming the worker and the index, after the batches before it', async () => {
    const bad = writeImages(fs.mkdtempSync(join(dir, 'bad-')), 10, 5);
    const loader = new DataLoader(new Images(bad), { batchSize: 2, numWorkers: 2 });
    const got: string[][] = [];
    const failure = await (async () => {
      for await (const b of loader) got.push((b as Batch).name);
    })().catch((e: unknown) => e as Error);
    expect(failure).toBeInstanceOf(RangeError);
    expect((failure as Error).message).toMatch(/^Caught RangeError in DataLoader worker 0 while loading index 5: digit-5-5\.pgm is not a binary PGM image/);
    expect(((failure as Error).cause as Error).message).toBe('digit-5-5.pgm is not a binary PGM image');
    expect(got).toEqual([['digit-0-0.pgm', 'digit-1-1.pgm'], ['digit-2-2.pgm', 'digit-3-3.pgm']]);
  });

  it('a worker that dies is an error, not a hang', async () => {
    const loader = new DataLoader(new Images(files, 3), { batchSize: 2, numWorkers: 2 });
    await expect(epoch(loader)).rejects.toThrow('DataLoader worker 1 exited unexpectedly with exit code 7');
  });

  it('a worker slower than the timeout is an error', async () => {
    const loader = new DataLoader(new Who(4, 5000), { batchSize: 2, numWorkers: 1, timeout: 0.2 });
    await expect(epoch(loader)).rejects.toThrow('DataLoader timed out after 0.2 seconds');
  });

  it('persistent workers serve several epochs, also after a break; for...of is refused', async () => {
    const loader = new DataLoader<Sample, Batch>(new Images(files.slice(0, 9)), { batchSize: 4, numWorkers: 2, persistentWorkers: true });
    expect(() => [...loader]).toThrow('iterate with for await');
    const names = (bs: Batch[]) => bs.map((b) => b.name);
    const full = names(await epoch(loader));
    for await (const b of loader) {
      expect(b.name).toEqual(full[0]);
      break;
    }
    expect(names(await epoch(loader))).toEqual(full);
    await loader.shutdownWorkers();
    expect(names(await epoch(loader))).toEqual(full); // new workers after shutdownWorkers
    await loader.shutdownWorkers();
  });

  it('workers stop at the end of an epoch and on a break, and never keep the process alive', () => {
    // In a process of its own: it must exit by itself, and its thread count must not grow per epoch.
    const script = join(dir, 'loop.js');
    fs.writeFileSync(script, `
      const fs = require('node:fs');
      const tg = require(${JSON.stringify(root)});
      const { Images } = require(${JSON.stringify(imagesModule)});
      const threads = () => Number(/Threads:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
      const files = ${JSON.stringify(files)};
      (async () => {
        const loader = new tg.utils.data.DataLoader(new Images(files), { batchSize: 2, numWorkers: 3 });
        for await (const b of loader) break;
        for await (const b of loader);
        const warm = threads();
        for (let k = 0; k < 4; k++) {
          for await (const b of loader) break;
          for await (const b of loader);
        }
        const after = threads();
        // an iterator left unfinished, its workers mid-epoch: they must not hold the process
        const it = loader[Symbol.asyncIterator]();
        await it.next();
        console.log(JSON.stringify({ warm, after }));
      })();
    `);
    const out = execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 120_000 });
    const { warm, after } = JSON.parse(out) as { warm: number; after: number };
    expect(after).toBeLessThanOrEqual(warm);
  }, 150_000);
});
