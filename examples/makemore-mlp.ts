// makemore.py's MLP model (Andrej Karpathy), ported: token embeddings of every previous position
// gathered with tg.roll, an MLP over them, AdamW, and generate() with top-k masking and
// multinomial sampling. Names: examples/data/names.txt.
// Run: npm run example:makemore-mlp [-- --steps 500] [-- --dtype float64] [-- --json]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from 'tensorgrad';

const { nn } = tg;
const F = nn.functional;
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : process.argv[i + 1];
};
const steps = Number(arg('--steps', '500'));
tg.setDefaultDtype(arg('--dtype', 'float32') as tg.DType);
const json = process.argv.includes('--json');

class MLP extends nn.Module {
  blockSize: number;
  vocabSize: number;
  wte: tg.nn.Embedding;
  mlp: tg.nn.Sequential;

  constructor(blockSize: number, vocabSize: number, nEmbd: number, nEmbd2: number) {
    super();
    this.blockSize = blockSize;
    this.vocabSize = vocabSize;
    this.wte = new nn.Embedding(vocabSize + 1, nEmbd); // +1: a <BLANK> token before the start
    this.mlp = new nn.Sequential(new nn.Linear(this.blockSize * nEmbd, nEmbd2), new nn.Tanh(), new nn.Linear(nEmbd2, this.vocabSize));
  }

  getBlockSize(): number {
    return this.blockSize;
  }

  override forward(idx: tg.Tensor, targets?: tg.Tensor): [tg.Tensor, tg.Tensor | null] {
    // gather the word embeddings of the previous blockSize words
    const embs: tg.Tensor[] = [];
    for (let k = 0; k < this.blockSize; k++) {
      const tokEmb = this.wte(idx); // (b, t, nEmbd)
      idx = tg.roll(idx, 1, 1);
      idx.index(':', 0).fill_(this.vocabSize); // idx[:, 0] = self.vocab_size, the <BLANK> token
      embs.push(tokEmb);
    }
    const x = tg.cat(embs, -1); // (b, t, nEmbd * blockSize)
    const logits = this.mlp(x);
    let loss: tg.Tensor | null = null;
    if (targets !== undefined) loss = F.crossEntropy(logits.view(-1, logits.size(-1)), targets.view(-1), { ignoreIndex: -1 });
    return [logits, loss];
  }
}

/** Continues each row of idx by maxNewTokens tokens, sampled (or the most likely), as makemore's generate(). */
function generate(model: MLP, idx: tg.Tensor, maxNewTokens: number, opts: { temperature?: number; doSample?: boolean; topK?: number } = {}): tg.Tensor {
  return tg.noGrad(() => {
    const blockSize = model.getBlockSize();
    for (let i = 0; i < maxNewTokens; i++) {
      const idxCond = idx.size(1) <= blockSize ? idx : idx.index(':', `${-blockSize}:`);
      let [logits] = model(idxCond);
      logits = logits.index(':', -1, ':').div(opts.temperature ?? 1);
      if (opts.topK !== undefined) {
        const [v] = tg.topk(logits, opts.topK);
        logits.indexPut_([logits.lt(v.index(':', [-1]))], -Infinity); // logits[logits < v[:, [-1]]] = -inf
      }
      const probs = F.softmax(logits, { dim: -1 });
      const idxNext = opts.doSample ? tg.multinomial(probs, 1) : tg.topk(probs, 1, { dim: -1 }).indices;
      idx = tg.cat([idx, idxNext], 1);
    }
    return idx;
  });
}

const words = readFileSync(join(__dirname, 'data', 'names.txt'), 'utf8').split('\n').filter((w) => w.length > 0);
const chars = [...new Set(words.join(''))].sort();
const stoi: Record<string, number> = Object.fromEntries(chars.map((c, i) => [c, i + 1]));
const itos: Record<number, string> = Object.fromEntries(Object.entries(stoi).map(([c, i]) => [i, c]));
const maxLen = Math.max(...words.map((w) => w.length));
// inputs start with the 0 token; targets are the word, then 0, then -1 (ignored by the loss)
const X = tg.zeros([words.length, maxLen + 1], { dtype: tg.int64 });
const Y = tg.zeros([words.length, maxLen + 1], { dtype: tg.int64 });
words.forEach((w, i) => {
  const ix = tg.tensor([...w].map((c) => stoi[c]), { dtype: tg.int64 });
  X.index(i, `1:${1 + w.length}`).copy_(ix);
  Y.index(i, `:${w.length}`).copy_(ix);
  Y.index(i, `${w.length + 1}:`).fill_(-1);
});

tg.manualSeed(3407);
const model = new MLP(maxLen + 1, chars.length + 1, 16, 32);
const optimizer = new tg.optim.AdamW(model.parameters(), { lr: 5e-4, weightDecay: 0.01, betas: [0.9, 0.99], eps: 1e-8 });
const losses: number[] = [];
for (let step = 0; step < steps; step++) {
  const ix = tg.randint(0, words.length, [32]);
  const [, loss] = model(X.index(ix), Y.index(ix));
  model.zeroGrad({ setToNone: true });
  loss!.backward();
  optimizer.step();
  losses.push(loss!.item() as number);
  if (!json && step % 100 === 0) console.log(`step ${step} | loss ${losses[step].toFixed(4)}`);
}

const decode = (row: number[]) => (row.includes(0) ? row.slice(0, row.indexOf(0)) : row).map((i) => itos[i]).join('');
const out = generate(model, tg.zeros([5, 1], { dtype: tg.int64 }), maxLen + 1, { doSample: true });
const samples = (out.index(':', '1:').tolist() as number[][]).map(decode);
const topk = generate(model, tg.zeros([2, 1], { dtype: tg.int64 }), 4, { topK: 3, doSample: true }).tolist();
if (json) console.log(JSON.stringify({ losses, samples, topk }));
else for (const s of samples) console.log(s);
