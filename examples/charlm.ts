// A character-level transformer language model on names (makemore-style): token and position
// embeddings, norm-first nn.TransformerEncoderLayer blocks under the causal mask, a final LayerNorm
// and a Linear head, trained with AdamW, a OneCycleLR schedule and gradient clipping on minibatches
// drawn with tg.randint, then names sampled with tg.multinomial. Every draw is PyTorch's for the
// same seed, so the same model in PyTorch (scripts/fixtures/charlm.py) gives the same loss curve
// and the same names. The model is saved in torch.save's format: in Python,
// model.load_state_dict(torch.load('examples/out/charlm.pt', weights_only=True)).
// Names: examples/data/names.txt (383 given names; the model learns them well in 300 steps).
//
//   npm run example:charlm                        train, print the loss every 50 steps and 10 names, save the model
//   npm run example:charlm -- --resume --steps 0  load the saved model and sample from it
//   options: --steps N (300), --seed S (1337), --dtype float64, --checkpoint FILE, --resume, --json
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import * as tg from 'tensorgrad';

const { nn } = tg;
const F = nn.functional;
const [N_EMBD, N_HEAD, N_LAYER, BATCH, LR, N_SAMPLES] = [32, 4, 2, 32, 1e-2, 10];

class UsageError extends Error {}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        steps: { type: 'string', default: '300' }, seed: { type: 'string', default: '1337' }, dtype: { type: 'string', default: 'float32' },
        checkpoint: { type: 'string', default: join(__dirname, 'out', 'charlm.pt') }, resume: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const steps = Number(values.steps), seed = Number(values.seed);
  if (!Number.isInteger(steps) || steps < 0) throw new UsageError(`--steps must be a non-negative integer, got '${values.steps}'`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got '${values.seed}'`);
  if (values.dtype !== 'float32' && values.dtype !== 'float64') throw new UsageError(`--dtype must be float32 or float64, got '${values.dtype}'`);
  return { steps, seed, dtype: values.dtype as tg.DType, checkpoint: values.checkpoint, resume: values.resume, json: values.json };
}

/** Each name as a row: inputs the start token 0, the name, then 0s; targets the name, 0, then -1 (ignored by the loss). */
function dataset() {
  const words = readFileSync(join(__dirname, 'data', 'names.txt'), 'utf8').split('\n').filter((w) => w.length > 0);
  const chars = [...new Set(words.join(''))].sort();
  const stoi = new Map(chars.map((c, i) => [c, i + 1]));
  const blockSize = Math.max(...words.map((w) => w.length)) + 1;
  const X = tg.zeros([words.length, blockSize], { dtype: tg.int64 });
  const Y = tg.full([words.length, blockSize], -1, { dtype: tg.int64 });
  words.forEach((w, i) => {
    const ix = tg.tensor([...w].map((c) => stoi.get(c)!), { dtype: tg.int64 });
    X.index(i, `1:${1 + w.length}`).copy_(ix);
    Y.index(i, `:${w.length}`).copy_(ix);
    Y.index(i, w.length).fill_(0);
  });
  return { X, Y, chars: ['.', ...chars], vocabSize: chars.length + 1, blockSize };
}

/** The model; its attributes carry PyTorch's names, which are the state dict's keys (ln_f.weight, ...). */
class CharLM extends nn.Module {
  readonly blockSize: number;
  wte: tg.nn.Embedding;
  wpe: tg.nn.Embedding;
  blocks: tg.nn.ModuleList;
  ln_f: tg.nn.LayerNorm;
  lm_head: tg.nn.Linear;

  constructor(vocabSize: number, blockSize: number) {
    super();
    this.blockSize = blockSize;
    this.wte = new nn.Embedding(vocabSize, N_EMBD);
    this.wpe = new nn.Embedding(blockSize, N_EMBD);
    this.blocks = new nn.ModuleList(Array.from({ length: N_LAYER }, () => new nn.TransformerEncoderLayer(N_EMBD, N_HEAD, {
      dimFeedforward: 4 * N_EMBD, dropout: 0, activation: 'gelu', batchFirst: true, normFirst: true,
    })));
    this.ln_f = new nn.LayerNorm(N_EMBD);
    this.lm_head = new nn.Linear(N_EMBD, vocabSize);
  }

  /** idx: [B, T] token indices -> [B, T, vocabSize] logits of the next token at each position. */
  override forward(idx: tg.Tensor): tg.Tensor {
    const T = idx.size(1);
    let x = this.wte(idx).add(this.wpe(tg.arange(T)));
    const mask = nn.generateSquareSubsequentMask(T);
    for (const block of this.blocks) x = (block as tg.nn.TransformerEncoderLayer)(x, { srcMask: mask, isCausal: true });
    return this.lm_head(this.ln_f(x));
  }
}

/** n names, one token at a time from the start token, each drawn from the model's softmax with tg.multinomial. */
function sample(model: CharLM, chars: string[], n: number, seed: number): string[] {
  const g = new tg.Generator().manualSeed(seed);
  model.eval();
  let idx = tg.zeros([n, 1], { dtype: tg.int64 });
  tg.noGrad(() => {
    for (let t = 1; t < model.blockSize; t++) {
      const probs = F.softmax(model(idx).index(':', -1, ':'), { dim: -1 });
      idx = tg.cat([idx, tg.multinomial(probs, 1, { generator: g })], 1);
    }
  });
  model.train();
  return (idx.index(':', '1:').tolist() as number[][]).map((row) => (row.includes(0) ? row.slice(0, row.indexOf(0)) : row).map((i) => chars[i]).join(''));
}

function train(model: CharLM, data: ReturnType<typeof dataset>, steps: number, seed: number, log: (s: string) => void): number[] {
  const optimizer = new tg.optim.AdamW(model.parameters(), { lr: LR, weightDecay: 0.01, betas: [0.9, 0.99] });
  const scheduler = new tg.optim.lrScheduler.OneCycleLR(optimizer, { maxLr: LR, totalSteps: steps });
  const g = new tg.Generator().manualSeed(seed); // the batches' own generator
  const losses: number[] = [];
  const started = performance.now();
  for (let step = 0; step < steps; step++) {
    const ix = tg.randint(0, data.X.size(0), [BATCH], { generator: g });
    const logits = model(data.X.index(ix));
    const loss = F.crossEntropy(logits.view(-1, data.vocabSize), data.Y.index(ix).view(-1), { ignoreIndex: -1 });
    optimizer.zeroGrad({ setToNone: true });
    loss.backward();
    nn.utils.clipGradNorm_(model.parameters(), 1.0);
    const lr = optimizer.paramGroups[0].lr;
    optimizer.step();
    scheduler.step();
    losses.push(loss.item());
    if (step % 50 === 0 || step === steps - 1) {
      const ms = (performance.now() - started) / (step + 1);
      log(`step ${String(step).padStart(String(steps).length)}/${steps} | loss ${losses[step].toFixed(4)} | lr ${lr.toExponential(2)} | ${ms.toFixed(1)} ms/step`);
    }
  }
  return losses;
}

function main(): void {
  const opts = options();
  const log = opts.json ? () => {} : (s: string) => console.log(s);
  tg.setDefaultDtype(opts.dtype);
  const data = dataset();
  tg.manualSeed(opts.seed); // the initial parameters, drawn in PyTorch's order
  const model = new CharLM(data.vocabSize, data.blockSize);
  const rel = (p: string) => relative(process.cwd(), p);
  if (opts.resume) {
    if (!existsSync(opts.checkpoint)) throw new UsageError(`no checkpoint at ${rel(opts.checkpoint)}: run \`npm run example:charlm\` first to train one`);
    try {
      model.loadStateDict(tg.load(opts.checkpoint), { strict: true });
    } catch (e) {
      throw new UsageError(`cannot use the checkpoint ${rel(opts.checkpoint)}: ${(e as Error).message}`);
    }
    log(`resumed from ${rel(opts.checkpoint)}`);
  } else {
    const params = [...model.parameters()].reduce((n, p) => n + p.numel(), 0);
    log(`${data.X.size(0)} names, ${data.vocabSize} tokens, context ${data.blockSize}; ${N_LAYER} blocks of width ${N_EMBD}, ${N_HEAD} heads, ${params} parameters (${opts.dtype})`);
  }
  const losses = opts.steps > 0 ? train(model, data, opts.steps, opts.seed, log) : [];
  const samples = sample(model, data.chars, N_SAMPLES, opts.seed + 1);
  if (opts.steps > 0) {
    mkdirSync(dirname(opts.checkpoint), { recursive: true });
    tg.save(model, opts.checkpoint);
  }
  if (opts.json) {
    // the logits of the first four names, to check that the checkpoint reproduces the model
    const probe = tg.noGrad(() => model.eval()(data.X.index('0:4')).reshape(-1).tolist());
    console.log(JSON.stringify({ losses, samples, probe }));
    return;
  }
  log(`samples:\n${samples.map((s) => `  ${s}`).join('\n')}`);
  if (opts.steps > 0) log(`saved ${rel(opts.checkpoint)}`);
}

try {
  main();
} catch (e) {
  console.error(e instanceof UsageError ? `charlm: ${e.message}` : e);
  process.exit(1);
}
