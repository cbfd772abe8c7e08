// worker_threads: the addon is context-aware (one instance per thread, its own state and kernel
// threads), so workers train side by side with the main thread and come and go without leaks.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';

const root = join(__dirname, '..');

interface Result {
  losses: number[];
  w1: Uint8Array;
  w2: Uint8Array;
  adam: number[];
}

// Plain JavaScript, run as it is in the workers and through new Function on the main thread: the
// seed's autograd loop (64x1000x100x10), then a small nn + Adam model.
const TRAIN = `
  tg.manualSeed(seed);
  const x = tg.randn(64, 1000, { dtype }), y = tg.randn(64, 10, { dtype });
  const w1 = tg.randn(1000, 100, { dtype, requiresGrad: true }), w2 = tg.randn(100, 10, { dtype, requiresGrad: true });
  const losses = [];
  for (let t = 0; t < 30; t++) {
    const loss = x.mm(w1).clamp(0).mm(w2).sub(y).pow(2).sum();
    losses.push(loss.item());
    loss.backward();
    tg.noGrad(() => {
      w1.sub_(w1.grad.mul(1e-6));
      w2.sub_(w2.grad.mul(1e-6));
      w1.grad.zero_();
      w2.grad.zero_();
    });
  }
  const model = new tg.nn.Sequential(new tg.nn.Linear(1000, 100), new tg.nn.ReLU(), new tg.nn.Linear(100, 10)).to(dtype);
  const opt = new tg.optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new tg.nn.MSELoss();
  const adam = [];
  for (let t = 0; t < 10; t++) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    adam.push(loss.item());
    loss.backward();
    opt.step();
  }
  const bytes = (t) => new Uint8Array(t.detach().toTypedArray().buffer);
  return { losses, w1: bytes(w1), w2: bytes(w2), adam };
`;

const trainHere = new Function('tg', 'seed', 'dtype', TRAIN) as (t: typeof tg, seed: number, dtype: tg.DType) => Result;

function trainInWorker(seed: number, dtype: tg.DType): Promise<Result> {
  const worker = new Worker(
    `const { parentPort, workerData: { root, seed, dtype } } = require('node:worker_threads');
     const tg = require(root);
     parentPort.postMessage((function () { ${TRAIN} })());`,
    { eval: true, workerData: { root, seed, dtype } },
  );
  return new Promise<Result>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} before answering`)));
  });
}

describe('worker threads', () => {
  it('four workers training at once get exactly the results of the main thread', async () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const running = [0, 1, 2, 3].map((seed) => trainInWorker(seed, dtype));
      const here = [0, 1, 2, 3].map((seed) => trainHere(tg, seed, dtype)); // while the workers run
      const there = await Promise.all(running);
      for (let i = 0; i < 4; i++) {
        expect(there[i].losses).toEqual(here[i].losses);
        expect(there[i].adam).toEqual(here[i].adam);
        expect(Buffer.compare(there[i].w1, here[i].w1)).toBe(0);
        expect(Buffer.compare(there[i].w2, here[i].w2)).toBe(0);
      }
      expect(here[0].losses.at(-1)).toBeLessThan(here[0].losses[0]);
    }
  }, 120_000);

  it('BLAS threads and kernel threads inside workers, all at once, give the single-threaded results', async () => {
    // Large enough that OpenBLAS splits the products and our kernels split the elementwise work.
    const WORK = `
      tg.setNumThreads(threads);
      tg.manualSeed(seed);
      const a = tg.randn(384, 512, { dtype: 'float64' }), b = tg.randn(512, 384, { dtype: 'float64' });
      const big = tg.randn(1 << 20);
      const c = a.mm(b).tanh();
      const e = big.mul(1.5).add(big.exp().clamp(0, 4)).sigmoid();
      return { c: c.sum().item(), cBytes: new Uint8Array(c.toTypedArray().buffer), eBytes: new Uint8Array(e.toTypedArray().buffer) };
    `;
    type Out = { c: number; cBytes: Uint8Array; eBytes: Uint8Array };
    const single = [0, 1, 2, 3].map((seed) => (new Function('tg', 'seed', 'threads', WORK) as (t: typeof tg, s: number, n: number) => Out)(tg, seed, 1));
    const inWorker = (seed: number) => {
      const worker = new Worker(
        `const { parentPort, workerData: { root, seed, threads } } = require('node:worker_threads');
         const tg = require(root);
         parentPort.postMessage((function () { ${WORK} })());`,
        { eval: true, workerData: { root, seed, threads: 2 } },
      );
      return new Promise<Out>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    };
    const before = tg.getNumThreads();
    try {
      const running = [0, 1, 2, 3].map(inWorker);
      const here = (new Function('tg', 'seed', 'threads', WORK) as (t: typeof tg, s: number, n: number) => Out)(tg, 0, 2);
      const there = await Promise.all(running);
      for (let i = 0; i < 4; i++) {
        // dgemm may split its sums differently with more threads: values agree to rounding
        expect(Math.abs(there[i].c - single[i].c)).toBeLessThan(1e-9 * Math.abs(single[i].c) + 1e-9);
        const got = new Float64Array(there[i].cBytes.buffer), want = new Float64Array(single[i].cBytes.buffer);
        for (let k = 0; k < want.length; k += 97) expect(Math.abs(got[k] - want[k])).toBeLessThan(1e-12);
        // elementwise kernels split into chunks: bit for bit the same
        expect(Buffer.compare(Buffer.from(there[i].eBytes), Buffer.from(single[i].eBytes))).toBe(0);
      }
      expect(Buffer.compare(Buffer.from(here.eBytes), Buffer.from(single[0].eBytes))).toBe(0);
    } finally {
      tg.setNumThreads(before);
    }
  }, 120_000);

  it('workers that load the addon and exit, or are terminated mid-training, leak nothing and crash nothing', () => {
    // In a process of its own, so that its memory and thread counts are its own.
    const script = join(fs.mkdtempSync(join(tmpdir(), 'tensorgrad-workers-')), 'churn.js');
    fs.writeFileSync(script, `
      const fs = require('node:fs');
      const { Worker } = require('node:worker_threads');
      const root = ${JSON.stringify(root)};
      const threads = () => Number(/Threads:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
      const code = \`
        const { parentPort, workerData } = require('node:worker_threads');
        const tg = require(workerData.root);
        const a = tg.randn(1000, 1000), b = tg.randn(1000, 1000);
        a.mm(b).relu().add(a).sum().item(); // BLAS, and our kernels on their threads
        if (workerData.forever) {
          parentPort.postMessage('training');
          const w = tg.randn(1000, 100, { requiresGrad: true });
          for (;;) { const l = a.narrow(0, 0, 64).mm(w).pow(2).sum(); l.backward(); tg.noGrad(() => { w.sub_(w.grad.mul(1e-9)); w.grad.zero_(); }); }
        }\`;
      async function once(forever) {
        const w = new Worker(code, { eval: true, workerData: { root, forever } });
        const exited = new Promise((resolve, reject) => { w.once('exit', resolve); w.once('error', reject); });
        if (forever) {
          await new Promise((resolve) => w.once('message', resolve));
          await new Promise((resolve) => setTimeout(resolve, 20));
          await w.terminate();
        }
        return exited;
      }
      (async () => {
        for (let i = 0; i < 6; i++) await once(i % 2 === 1);
        global.gc();
        const before = { rss: process.memoryUsage().rss, threads: threads() };
        for (let i = 0; i < 40; i++) await once(i % 2 === 1);
        await new Promise((resolve) => setTimeout(resolve, 100));
        global.gc();
        const after = { rss: process.memoryUsage().rss, threads: threads() };
        console.log(JSON.stringify({ before, after }));
      })();
    `);
    const out = execFileSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8', timeout: 300_000 });
    fs.rmSync(join(script, '..'), { recursive: true, force: true });
    const { before, after } = JSON.parse(out) as Record<'before' | 'after', { rss: number; threads: number }>;
    expect(after.threads).toBeLessThanOrEqual(before.threads);
    // Under AddressSanitizer (scripts/sanitize.sh) freed memory waits in its quarantine: no RSS bound there.
    if (!/libasan/.test(process.env.LD_PRELOAD ?? '')) expect((after.rss - before.rss) / 2 ** 20).toBeLessThan(40); // 40 workers: under 1 MiB each
  }, 300_000);
});
