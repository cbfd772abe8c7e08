/**
 * npm run bench:soak: the seed loop (autograd, float32) for 100k steps with RSS sampled every 1000
 * steps. Passes when RSS grows by no more than 20 MB after the warm-up (the first 10k steps).
 * Options: --steps N. Writes bench/results/soak.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from 'tensorgrad';

const args = process.argv.slice(2);
const i = args.indexOf('--steps');
const steps = i >= 0 ? Number(args[i + 1]) : 100_000;
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
const result = { steps, warmup, seconds: (Date.now() - t0) / 1000, rssAtWarmupMB: atWarmup, peakRssAfterWarmupMB: peak, growthMB: growth, limitMB: LIMIT_MB, pass: growth <= LIMIT_MB, samples };
mkdirSync(join(__dirname, 'results'), { recursive: true });
writeFileSync(join(__dirname, 'results', 'soak.json'), JSON.stringify(result, null, 2));
console.log(`${steps} steps in ${result.seconds.toFixed(0)} s; RSS after warm-up ${atWarmup.toFixed(1)} MB, peak after ${peak.toFixed(1)} MB: growth ${growth.toFixed(1)} MB (limit ${LIMIT_MB}) ${result.pass ? 'PASS' : 'FAIL'}`);
process.exitCode = result.pass ? 0 : 1;
