// Andrej Karpathy's "makemore part 2" notebook, ported: Bengio et al.'s MLP language model on
// names. Embeddings looked up as C[X], a tanh layer, cross entropy, minibatches drawn with
// tg.randint, gradient descent by hand, then names sampled with tg.multinomial.
// The notebook shuffles the words with Python's random module, which is not PyTorch's and has no
// counterpart here: this port keeps the file's order. Names: examples/data/names.txt.
// Run: npm run example:makemore-part2 [-- --steps 2000] [-- --dtype float64] [-- --json]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from 'tensorgrad';

const F = tg.nn.functional;
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : process.argv[i + 1];
};
const steps = Number(arg('--steps', '2000'));
tg.setDefaultDtype(arg('--dtype', 'float32') as tg.DType);
const json = process.argv.includes('--json');

const words = readFileSync(join(__dirname, 'data', 'names.txt'), 'utf8').split('\n').filter((w) => w.length > 0);
const chars = [...new Set(words.join(''))].sort();
const stoi: Record<string, number> = Object.fromEntries(chars.map((s, i) => [s, i + 1]));
stoi['.'] = 0;
const itos: Record<number, string> = Object.fromEntries(Object.entries(stoi).map(([s, i]) => [i, s]));

const blockSize = 3; // context length: how many characters we take to predict the next one
function buildDataset(words: string[]): [tg.Tensor, tg.Tensor] {
  const X: number[][] = [], Y: number[] = [];
  for (const w of words) {
    let context = new Array<number>(blockSize).fill(0);
    for (const ch of w + '.') {
      const ix = stoi[ch];
      X.push(context);
      Y.push(ix);
      context = [...context.slice(1), ix]; // crop and append
    }
  }
  return [tg.tensor(X, { dtype: tg.int64 }), tg.tensor(Y, { dtype: tg.int64 })];
}

const n1 = Math.trunc(0.8 * words.length), n2 = Math.trunc(0.9 * words.length);
const [Xtr, Ytr] = buildDataset(words.slice(0, n1));
const [Xdev, Ydev] = buildDataset(words.slice(n1, n2));

let g = new tg.Generator().manualSeed(2147483647); // for reproducibility
const C = tg.randn([27, 10], { generator: g });
const W1 = tg.randn([30, 200], { generator: g });
const b1 = tg.randn([200], { generator: g });
const W2 = tg.randn([200, 27], { generator: g });
const b2 = tg.randn([27], { generator: g });
const parameters = [C, W1, b1, W2, b2];
for (const p of parameters) p.requiresGrad = true;

const losses: number[] = [];
for (let i = 0; i < steps; i++) {
  // minibatch construct
  const ix = tg.randint(0, Xtr.shape[0], [32], { generator: g });
  // forward pass
  const emb = C.index(Xtr.index(ix)); // (32, 3, 10)
  const h = tg.tanh(emb.view(-1, 30).matmul(W1).add(b1)); // (32, 200)
  const logits = h.matmul(W2).add(b2); // (32, 27)
  const loss = F.crossEntropy(logits, Ytr.index(ix));
  // backward pass
  for (const p of parameters) p.grad = null;
  loss.backward();
  // update
  const lr = i < Math.trunc(steps / 2) ? 0.1 : 0.01;
  for (const p of parameters) p.data.add_(p.grad!.mul(-lr)); // p.data += -lr * p.grad
  losses.push(loss.item() as number);
}
if (!json) console.log(`training loss ${losses[losses.length - 1]}`);

const devLoss = tg.noGrad(() => {
  const emb = C.index(Xdev);
  const h = tg.tanh(emb.view(-1, 30).matmul(W1).add(b1));
  return F.crossEntropy(h.matmul(W2).add(b2), Ydev).item() as number;
});
if (!json) console.log(`dev loss ${devLoss}`);

// sample from the model
g = new tg.Generator().manualSeed(2147483647 + 10);
const samples: string[] = [];
for (let s = 0; s < 10; s++) {
  const out: number[] = [];
  let context = new Array<number>(blockSize).fill(0); // initialize with all ...
  for (;;) {
    const emb = C.index(tg.tensor([context], { dtype: tg.int64 })); // (1, blockSize, d)
    const h = tg.tanh(emb.view(1, -1).matmul(W1).add(b1));
    const logits = h.matmul(W2).add(b2);
    const probs = F.softmax(logits, { dim: 1 });
    const ix = tg.multinomial(probs, 1, { generator: g }).item() as number;
    context = [...context.slice(1), ix];
    out.push(ix);
    if (ix === 0) break;
  }
  samples.push(out.map((i) => itos[i]).join(''));
  if (!json) console.log(samples[s]);
}
if (json) console.log(JSON.stringify({ losses, devLoss, samples }));
