// Andrej Karpathy's "makemore part 1", ported line for line: a bigram model of names, first as
// counts (sampled with tg.multinomial from a seeded generator), then as a one-layer network on
// one-hot inputs trained by gradient descent by hand. Names: examples/data/names.txt.
// Run: npm run example:makemore-bigram [-- --steps 100] [-- --json]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from 'tensorgrad';

const F = tg.nn.functional;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const steps = arg('--steps', 100);
const json = process.argv.includes('--json');
const log = (...a: unknown[]) => { if (!json) console.log(...a); };

const words = readFileSync(join(__dirname, 'data', 'names.txt'), 'utf8').split('\n').filter((w) => w.length > 0);
const chars = [...new Set(words.join(''))].sort();
const stoi: Record<string, number> = Object.fromEntries(chars.map((s, i) => [s, i + 1]));
stoi['.'] = 0;
const itos: Record<number, string> = Object.fromEntries(Object.entries(stoi).map(([s, i]) => [i, s]));
const V = Object.keys(stoi).length;

// the counts of each character following each other, '.' marking the start and the end
const N = tg.zeros([V, V], { dtype: tg.int32 });
for (const w of words) {
  const chs = ['.', ...w, '.'];
  for (let k = 0; k + 1 < chs.length; k++) N.index(stoi[chs[k]], stoi[chs[k + 1]]).add_(1); // N[ix1, ix2] += 1
}
const P = N.add(1).float();
P.div_(P.sum(1, { keepdim: true }));

let g = new tg.Generator().manualSeed(2147483647);
const samples: string[] = [];
for (let i = 0; i < 5; i++) {
  const out: string[] = [];
  let ix = 0;
  for (;;) {
    const p = P.index(ix);
    ix = tg.multinomial(p, 1, { replacement: true, generator: g }).item() as number;
    out.push(itos[ix]);
    if (ix === 0) break;
  }
  samples.push(out.join(''));
  log(out.join(''));
}

// the average negative log likelihood of the training set under the counts model
let logLikelihood = 0, n = 0;
for (const w of words) {
  const chs = ['.', ...w, '.'];
  for (let k = 0; k + 1 < chs.length; k++) {
    logLikelihood += tg.log(P.index(stoi[chs[k]], stoi[chs[k + 1]])).item() as number;
    n++;
  }
}
const nll = -logLikelihood / n;
log(`nll/n=${nll}`);

// the same model as a network: one-hot inputs, one weight matrix, softmax, trained by hand
const xsList: number[] = [], ysList: number[] = [];
for (const w of words) {
  const chs = ['.', ...w, '.'];
  for (let k = 0; k + 1 < chs.length; k++) {
    xsList.push(stoi[chs[k]]);
    ysList.push(stoi[chs[k + 1]]);
  }
}
const xs = tg.tensor(xsList, { dtype: tg.int64 }), ys = tg.tensor(ysList, { dtype: tg.int64 });
const num = xs.nelement();
g = new tg.Generator().manualSeed(2147483647);
const W = tg.randn([V, V], { generator: g, requiresGrad: true });
const losses: number[] = [];
for (let k = 0; k < steps; k++) {
  const xenc = F.oneHot(xs, V).float();
  const logits = xenc.matmul(W);
  const counts = logits.exp();
  const probs = counts.div(counts.sum(1, { keepdim: true }));
  const loss = probs.index(tg.arange(num, { dtype: tg.int64 }), ys).log().mean().neg().add(W.pow(2).mean().mul(0.01));
  losses.push(loss.item() as number);
  log(loss.item());
  W.grad = null;
  loss.backward();
  W.data.add_(W.grad!.mul(-50)); // W.data += -50 * W.grad
}
if (json) console.log(JSON.stringify({ samples, nll, losses }));
