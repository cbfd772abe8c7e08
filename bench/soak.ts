/**
 * npm run bench:soak: the seed loop (autograd, float32) for 100k steps with RSS sampled every 1000
 * steps, then 10k cycles that create and drop large tensors (8 MB each, two per cycle). Passes when
 * RSS grows by no more than 20 MB after the loop's warm-up (the first 10k steps), stays bounded
 * during the create-and-drop cycles, and comes back once they are over.
 * Options: --steps N, --cycles N. Writes bench/results/soak.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from 'tensorgrad';

const args = process.argv.slice(2);
const i = args.indexOf('--steps');
const steps = i >= 0 ? Number(args[i + 1]) : 100_000;
const c = args.indexOf('--cycles');
const cycles = c >= 0 ? Number(args[c + 1]) : 10_000;
const CYCLE_LIMIT_MB = 512; // the most the create-and-drop cycles may hold above where they started
const warmup = Math.min(10_000, Math.floor(steps / 10));
const LIMIT_MB = 20;

tg.manualSeed(0);
const x = tg.randn(64, 1000), y = tg.randn(64, 10);
const w1 = tg.randn(1000, 100, { requiresGrad: true }), w2 = tg.randn(100, 10, { requiresGrad: true });
const mb = () => process.memoryUsage.rss() / 2 ** 20;
const samples: { step: number; rssMB: number }[] = [];
const t0 = Date.now();
for (let t = 1; t <= steps; t++) {
  const loss = x.mm(w1).clamp({ min: 0 }).mm(w2).sub(y).pow(2).sum();
  loss.item();
  loss.backward();
  tg.noGrad(() => {
    w1.sub_(w1.grad!.mul(1e-6));
    w2.sub_(w2.grad!.mul(1e-6));
    w1.grad!.zero_();
    w2.grad!.zero_();
  });
  if (t % 1000 === 0) samples.push({ step: t, rssMB: mb() });
  if (t % 10_000 === 0) console.log(`step ${t}: RSS ${mb().toFixed(1)} MB`);
}
const atWarmup = samples.find((s) => s.step >= warmup)?.rssMB ?? mb();
const after = samples.filter((s) => s.step > warmup).map((s) => s.rssMB);
const peak = Math.max(...after, atWarmup);
const growth = peak - atWarmup;

// Create and drop large tensors: garbage collection must hand their memory back.
const ELEMENTS = 2 ** 21; // 8 MB of float32
const beforeCycles = mb();
let cyclePeak = beforeCycles;
const c0 = Date.now();
for (let k = 1; k <= cycles; k++) {
  const a = tg.ones(ELEMENTS).mul(2);
  if (a.numel() !== ELEMENTS) throw new Error('unexpected size');
  if (k % 100 === 0) cyclePeak = Math.max(cyclePeak, mb());
  if (k % 2000 === 0) console.log(`cycle ${k}: RSS ${mb().toFixed(1)} MB`);
}
const cycleSeconds = (Date.now() - c0) / 1000;
// let the collector finish (and the freed buffers go back) before the last sample
setTimeout(finish, 500);

function finish(): void {
  const afterCycles = mb();
  const cycleGrowth = cyclePeak - beforeCycles;
  const cyclesPass = cycleGrowth <= CYCLE_LIMIT_MB;

  const result = {
    steps, warmup, seconds: (Date.now() - t0) / 1000, rssAtWarmupMB: atWarmup, peakRssAfterWarmupMB: peak, growthMB: growth, limitMB: LIMIT_MB,
    cycles: { count: cycles, mbEach: (ELEMENTS * 4 * 2) / 2 ** 20, seconds: cycleSeconds, rssBeforeMB: beforeCycles, peakMB: cyclePeak, afterMB: afterCycles, limitMB: CYCLE_LIMIT_MB, pass: cyclesPass },
    pass: growth <= LIMIT_MB && cyclesPass, samples,
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'soak.json'), JSON.stringify(result, null, 2));
  console.log(`${steps} steps; RSS after warm-up ${atWarmup.toFixed(1)} MB, peak after ${peak.toFixed(1)} MB: growth ${growth.toFixed(1)} MB (limit ${LIMIT_MB})`);
  console.log(`${cycles} create-and-drop cycles of 2 x 8 MB in ${result.cycles.seconds.toFixed(0)} s: RSS ${beforeCycles.toFixed(1)} MB before, peak ${cyclePeak.toFixed(1)} MB (limit +${CYCLE_LIMIT_MB}), ${afterCycles.toFixed(1)} MB after`);
  console.log(result.pass ? 'PASS' : 'FAIL');
  process.exitCode = result.pass ? 0 : 1;
}
