// A PyTorch model mixing BatchNorm1d, a bidirectional two-layer LSTM and a TransformerEncoderLayer
// (with Embedding and Linear as glue), trained a few steps and saved with
// torch.save(model.state_dict()) (scripts/fixtures/mixed_model.py): tensorgrad's same model loads
// the file with strict: true and gives PyTorch's eval-mode output, in float32 and float64.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { type EncodedTensor, expectScaled, loadFixture } from '../helpers';

const { nn } = tg;
type Dt = 'float32' | 'float64';
const fx = loadFixture<{ keys: string[]; num_batches_tracked: number; input: number[][]; eval_out: Record<Dt, EncodedTensor>; repr: string }>('mixed_model.json');
const [VOCAB, EMBED, HIDDEN, MODEL, HEADS, CLASSES] = [11, 8, 12, 16, 4, 5];

/** The fixture script's Mixed, line for line. */
class Mixed extends nn.Module {
  embed: tg.nn.Embedding;
  norm: tg.nn.BatchNorm1d;
  lstm: tg.nn.LSTM;
  proj: tg.nn.Linear;
  encoder: tg.nn.TransformerEncoderLayer;
  head: tg.nn.Linear;

  constructor(dtype: Dt) {
    super();
    this.embed = new nn.Embedding(VOCAB, EMBED, { dtype });
    this.norm = new nn.BatchNorm1d(EMBED, { dtype });
    this.lstm = new nn.LSTM(EMBED, HIDDEN, { numLayers: 2, batchFirst: true, bidirectional: true, dtype });
    this.proj = new nn.Linear(2 * HIDDEN, MODEL, { dtype });
    this.encoder = new nn.TransformerEncoderLayer(MODEL, HEADS, { dimFeedforward: 32, dropout: 0.1, batchFirst: true, normFirst: true, dtype });
    this.head = new nn.Linear(MODEL, CLASSES, { dtype });
  }

  override forward(idx: tg.Tensor): tg.Tensor {
    let x = this.embed(idx);
    x = this.norm(x.transpose(1, 2)).transpose(1, 2);
    [x] = this.lstm(x);
    x = this.encoder(this.proj(x));
    return this.head(x.mean(1));
  }
}

// measured: float32 within 3.1e-7 of the largest output (about 4 ulps), float64 within 4.3e-16
const RTOL: Record<Dt, number> = { float32: 2e-6, float64: 1e-13 };
const FILES: Record<Dt, string> = { float32: 'mixed_model.pt', float64: 'mixed_model_f64.pt' };

describe('a PyTorch model of BatchNorm1d, LSTM and TransformerEncoderLayer, saved with torch.save', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: loads with strict: true and gives PyTorch's eval-mode output`, () => {
      const sd = tg.load(join(__dirname, '..', 'fixtures', 'torch', FILES[dtype])) as Record<string, tg.Tensor>;
      expect(Object.keys(sd)).toEqual(fx.keys);
      const model = new Mixed(dtype);
      expect(Object.keys(model.stateDict())).toEqual(fx.keys);
      expect(model.loadStateDict(sd, { strict: true })).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(String(model)).toBe(fx.repr);
      expect(model.norm.numBatchesTracked!.item()).toBe(fx.num_batches_tracked);
      expect(model.norm.runningMean!.equal(sd['norm.running_mean'])).toBe(true);
      expect(model.lstm.stateDict()['weight_hh_l1_reverse'].equal(sd['lstm.weight_hh_l1_reverse'])).toBe(true);
      model.eval();
      const out = model(tg.tensor(fx.input, { dtype: 'int64' }));
      expectScaled(out, fx.eval_out[dtype], RTOL[dtype], 'eval output');
    });
  }

  it('refuses the file with strict: true when a layer is missing, and names the keys', () => {
    const sd = tg.load(join(__dirname, '..', 'fixtures', 'torch', FILES.float32)) as Record<string, tg.Tensor>;
    const model = new Mixed('float32');
    delete (model as unknown as Record<string, unknown>).head; // not a registered submodule any more
    expect(() => model.loadStateDict(sd, { strict: true })).toThrow(/Unexpected key\(s\) in the state dict: "head.weight", "head.bias"/);
  });
});
