/**
 * A makemore-style transformer training step as a benchmark: token and position embeddings, two
 * pre-norm blocks of causal self-attention (4 heads, a tril mask) and a GELU MLP, a final
 * LayerNorm and the vocabulary head, cross entropy, AdamW; batches of 32 sequences of 32 tokens,
 * 64 channels, a vocabulary of 27. `tsx bench/transformer.ts DIR` writes the initial weights and
 * the batches to DIR as .npy files, which this file and bench/anchors/transformer_step.py both
 * train from, so both sides take the same steps from the same weights.
 */
import { join } from 'node:path';
import * as tg from 'tensorgrad';

const { nn } = tg;
export const VOCAB = 27, BLOCK = 32, EMBD = 64, HEADS = 4, LAYERS = 2, BATCH = 32, BATCHES = 8;

class SelfAttention extends nn.Module {
  cAttn = new nn.Linear(EMBD, 3 * EMBD);
  cProj = new nn.Linear(EMBD, EMBD);
  override forward(x: tg.Tensor, mask: tg.Tensor): tg.Tensor {
    const [b, t, c] = x.shape;
    const hs = c / HEADS;
    const [q, k, v] = this.cAttn.forward(x).split(EMBD, 2).map((z) => z.view(b, t, HEADS, hs).transpose(1, 2));
    const att = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(hs)).maskedFill(mask, -Infinity).softmax(-1);
    return this.cProj.forward(att.matmul(v).transpose(1, 2).contiguous().view(b, t, c));
  }
}

class Block extends nn.Module {
  ln1 = new nn.LayerNorm(EMBD);
  attn = new SelfAttention();
  ln2 = new nn.LayerNorm(EMBD);
  fc = new nn.Linear(EMBD, 4 * EMBD);
  gelu = new nn.GELU();
  proj = new nn.Linear(4 * EMBD, EMBD);
  override forward(x: tg.Tensor, mask: tg.Tensor): tg.Tensor {
    x = x.add(this.attn.forward(this.ln1.forward(x), mask));
    return x.add(this.proj.forward(this.gelu.forward(this.fc.forward(this.ln2.forward(x)))));
  }
}

export class Transformer extends nn.Module {
  wte = new nn.Embedding(VOCAB, EMBD);
  wpe = new nn.Embedding(BLOCK, EMBD);
  h = new nn.ModuleList(Array.from({ length: LAYERS }, () => new Block()));
  lnF = new nn.LayerNorm(EMBD);
  lmHead = new nn.Linear(EMBD, VOCAB);
  /** true above the diagonal: the positions a token may not attend to. */
  mask = tg.ones(BLOCK, BLOCK).tril().eq(0);
  pos = tg.arange(BLOCK, { dtype: 'int64' });
  override forward(idx: tg.Tensor): tg.Tensor {
    let x = this.wte.forward(idx).add(this.wpe.forward(this.pos));
    for (const block of this.h) x = (block as Block).forward(x, this.mask);
    return this.lmHead.forward(this.lnF.forward(x));
  }
}

/** The initial weights (PyTorch's names) and BATCHES batches of random tokens, as .npy files in dir. */
export function exportTransformer(dir: string): void {
  tg.manualSeed(0);
  const sd = new Transformer().stateDict();
  for (const [name, t] of Object.entries(sd)) tg.saveNpy(t, join(dir, `${name}.npy`));
  const data = tg.randint(0, VOCAB, [BATCHES, BATCH, BLOCK + 1]);
  tg.saveNpy(data, join(dir, 'tokens.npy'));
}

/** Milliseconds of each of `steps` training steps, and the last step's loss. */
export function transformerSteps(dir: string, steps: number): { ms: number[]; loss: number } {
  const model = new Transformer();
  model.loadStateDict(Object.fromEntries(Object.keys(model.stateDict()).map((name) => [name, tg.loadNpy(join(dir, `${name}.npy`))])));
  const tokens = tg.loadNpy(join(dir, 'tokens.npy'));
  const batches = tokens.unbind(0).map((b) => [b.narrow(1, 0, BLOCK).contiguous(), b.narrow(1, 1, BLOCK).contiguous()]);
  const optimizer = new tg.optim.AdamW(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const ms: number[] = [];
  let loss = 0;
  for (let s = 0; s < steps; s++) {
    const [x, y] = batches[s % BATCHES];
    const t0 = process.hrtime.bigint();
    const logits = model.forward(x);
    const l = lossFn.forward(logits.view(-1, VOCAB), y.view(-1));
    optimizer.zeroGrad();
    l.backward();
    optimizer.step();
    loss = l.item();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms, loss };
}

if (require.main === module) exportTransformer(process.argv[2]);
