// Prints tensorgrad's random numbers beside PyTorch's for the same seeds (the values PyTorch
// drew are in test/fixtures/random.json and nn_seed.json, written by scripts/fixtures/).
// Run: npm run example:random
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from 'tensorgrad';

interface Summary { head: number[] }
const fixtures = join(__dirname, '..', 'test', 'fixtures');
const random = JSON.parse(readFileSync(join(fixtures, 'random.json'), 'utf8')) as {
  records: { seed: string; calls: [string, unknown[]][]; results: Summary[] }[];
};
const seedNn = JSON.parse(readFileSync(join(fixtures, 'nn_seed.json'), 'utf8')) as {
  regression: { y: { data: number[] }; initial: Record<string, { data: number[] }> };
};

function row(label: string, ours: number[], theirs: number[]): void {
  const same = ours.every((v, i) => Object.is(v, theirs[i]));
  console.log(`${label.padEnd(34)} ${same ? 'identical' : 'DIFFERENT'}`);
  console.log(`  tensorgrad ${ours.map((v) => v.toFixed(8)).join(' ')}`);
  console.log(`  PyTorch    ${theirs.map((v) => v.toFixed(8)).join(' ')}`);
}

for (const seed of ['0', '42']) {
  const rec = random.records.find((r) => r.seed === seed && r.calls[0][0] === 'randn')!;
  tg.manualSeed(BigInt(seed));
  rec.calls.slice(0, 5).forEach(([, args], i) => {
    const [shape, dtype] = args as [number[], 'float32' | 'float64'];
    const t = tg.randn(shape, { dtype });
    row(`manualSeed(${seed}) randn(${shape}) ${dtype}`, (t.reshape(-1).tolist() as number[]).slice(0, 4), rec.results[i].head);
  });
}

tg.manualSeed(1);
const x = tg.linspace(-1, 1, 100).unsqueeze(1);
const y = x.pow(2).add(tg.rand(x.size()).mul(0.2));
row('manualSeed(1) regression data y[:4]', (y.reshape(-1).tolist() as number[]).slice(0, 4), seedNn.regression.y.data.slice(0, 4));
const hidden = new tg.nn.Linear(1, 10);
row('then Net: hidden.weight[:4]', (hidden.weight.reshape(-1).tolist() as number[]).slice(0, 4), seedNn.regression.initial['hidden.weight'].data.slice(0, 4));
