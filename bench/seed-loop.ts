/**
 * The benchmark's measurements on tensorgrad, run in a child process by bench/run.ts. Reads a
 * JSON list of configurations from argv and prints one JSON result per line.
 */
import * as tg from 'tensorgrad';
import type { Config } from './configs';
import { median } from './median';
import { mnistEpochs } from './mnist';
import { transformerSteps } from './transformer';
import { lstmSteps } from './lstm';
import { attentionSteps } from './attention';

const N = 64, D_IN = 1000, H = 100, D_OUT = 10, LR = 1e-6;

/**
 * The seed tutorial's 64x1000x100x10 net, reading the loss every step: milliseconds for the first
 * `steps` steps of a fresh run (cold: what a short script sees) and for the `steps` after them (warm).
 */
function loop(mode: 'autograd' | 'manual', dtype: 'float32' | 'float64', steps: number): [number, number] {
  tg.manualSeed(0);
  const x = tg.randn(N, D_IN, { dtype }), y = tg.randn(N, D_OUT, { dtype });
  const w1 = tg.randn(D_IN, H, { dtype, requiresGrad: mode === 'autograd' });
  const w2 = tg.randn(H, D_OUT, { dtype, requiresGrad: mode === 'autograd' });
  const stepAutograd = () => {
    const loss = x.mm(w1).clamp({ min: 0 }).mm(w2).sub(y).pow(2).sum();
    loss.item();
    loss.backward();
    tg.noGrad(() => {
      w1.sub_(w1.grad!.mul(LR));
      w2.sub_(w2.grad!.mul(LR));
      w1.grad!.zero_();
      w2.grad!.zero_();
    });
  };
  const stepManual = () => {
    const h = x.mm(w1);
    const hRelu = h.clamp({ min: 0 });
    const yPred = hRelu.mm(w2);
    yPred.sub(y).pow(2).sum().item();
    const gradYPred = yPred.sub(y).mul(2.0);
    const gradW2 = hRelu.T.mm(gradYPred);
    const gradH = gradYPred.mm(w2.T).maskedFill_(h.lt(0), 0);
    const gradW1 = x.T.mm(gradH);
    w1.sub_(gradW1.mul(LR));
    w2.sub_(gradW2.mul(LR));
  };
  const step = mode === 'autograd' ? stepAutograd : stepManual;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) step();
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) step();
  return [Number(t1 - t0) / 1e6, Number(process.hrtime.bigint() - t1) / 1e6];
}

/** Microseconds per tiny op (a 4-element add), with or without recording the graph. */
function op(grad: boolean): number {
  const a = tg.randn(4, { requiresGrad: grad });
  const n = 200000;
  for (let i = 0; i < 20000; i++) a.add(a);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) a.add(a);
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}

/** Microseconds per call of an everyday op on `size` float32 elements (median of 5 batches). */
function elementwise(name: string, size: number): number {
  tg.manualSeed(0);
  const a = tg.randn(size), b = tg.randn(size), m = a.reshape(size / 128, 128);
  const fs: Record<string, () => unknown> = {
    add: () => a.add(b), mul: () => a.mul(b), tanh: () => a.tanh(), exp: () => a.exp(), clone: () => a.clone(), sum: () => m.sum(1),
  };
  const f = fs[name];
  const n = Math.max(20, Math.min(20000, Math.floor(5e7 / size)));
  for (let i = 0; i < n; i++) f();
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    times.push(Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  return median(times) as number;
}

/** GFLOP/s of a square matrix product. */
function gemm(dtype: 'float32' | 'float64', n: number): number {
  const a = tg.randn(n, n, { dtype }), b = tg.randn(n, n, { dtype });
  a.mm(b);
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    a.mm(b);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return (2 * n ** 3) / best / 1e9;
}

const configs = JSON.parse(process.argv[2] ?? '[]') as Config[];
for (const c of configs) {
  tg.setNumThreads(c.threads);
  let value: number, warm: number | undefined, loss: number | undefined;
  if (c.kind === 'mnist') {
    const r = mnistEpochs(c.data!, c.epochs ?? 5);
    [value, warm, loss] = [r.ms[0], median(r.ms.slice(1)), r.loss];
  } else if (c.kind === 'transformer') {
    const r = transformerSteps(c.data!, c.steps ?? 100);
    [value, warm, loss] = [median(r.ms.slice(0, 10)) as number, median(r.ms.slice(10)), r.loss];
  } else if (c.kind === 'lstm') {
    const r = lstmSteps(c.data!, c.steps ?? 60);
    [value, warm, loss] = [median(r.ms.slice(0, 10)) as number, median(r.ms.slice(10)), r.loss];
  } else if (c.kind === 'attention') {
    const r = attentionSteps(c.steps ?? 100);
    [value, warm, loss] = [median(r.ms.slice(0, 10)) as number, median(r.ms.slice(10)), r.loss];
  } else if (c.kind === 'loop') [value, warm] = loop(c.mode!, c.dtype!, c.steps ?? 500);
  else if (c.kind === 'op') value = op(c.mode === 'autograd');
  else if (c.kind === 'elementwise') value = elementwise(c.op!, c.size!);
  else value = gemm(c.dtype!, 1024);
  console.log(JSON.stringify({ ...c, value, warm, loss, rssMB: process.resourceUsage().maxRSS / 1024 }));
}
