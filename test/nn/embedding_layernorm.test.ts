// nn.Embedding and nn.LayerNorm against PyTorch (scripts/fixtures/layers.py).
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { decode, type EncodedTensor, expectScaled, loadFixture, pattern } from '../helpers';

const { nn } = tg;
interface Emb { padding_idx: number | null; weight: EncodedTensor; out: EncodedTensor; grad: EncodedTensor; repr: string }
interface LN {
  normalized_shape: number[]; affine: boolean; out: EncodedTensor; grad_x: EncodedTensor;
  grad_weight: EncodedTensor | null; grad_bias: EncodedTensor | null; repr: string;
}
const fixture = loadFixture<{ indices: number[][]; embedding: Emb[]; layer_norm: Record<'float32' | 'float64', LN[]> }>('layers.json');

describe('nn.Embedding against PyTorch', () => {
  for (const c of fixture.embedding) {
    it(`paddingIdx ${c.padding_idx}: PyTorch's initial weight, rows, gradient and printing`, () => {
      tg.manualSeed(0);
      const emb = new nn.Embedding(10, 3, { paddingIdx: c.padding_idx });
      expect(emb.weight.tolist()).toEqual(decode(c.weight).tolist()); // the same random numbers, bit for bit
      const out = emb.forward(tg.tensor(fixture.indices, { dtype: 'int64' }));
      expectScaled(out, c.out, 0, 'rows');
      out.mul(pattern(out.shape as number[], 'float32', 61)).sum().backward();
      expectScaled(emb.weight.grad, c.grad, 1e-6, 'weight gradient');
      expect(String(emb)).toBe(c.repr);
    });
  }

  it('int32 indices work too; float indices and a bad paddingIdx are PyTorch errors', () => {
    const emb = new nn.Embedding(4, 2);
    const rows = emb.weight.tolist() as number[][];
    expect(emb.forward(tg.tensor([3, 0], { dtype: 'int32' })).tolist()).toEqual([rows[3], rows[0]]);
    expect(() => emb.forward(tg.tensor([1]))).toThrow(
      "embedding(): expected the indices (argument 'input') to be int64 or int32, but got float32: create them with { dtype: 'int64' } or convert with .long()",
    );
    expect(() => emb.forward(tg.tensor([4], { dtype: 'int64' }))).toThrow(tg.IndexError);
    expect(() => new nn.Embedding(4, 2, { paddingIdx: 4 })).toThrow('paddingIdx must be within numEmbeddings (4), but got 4');
    expect(new nn.Embedding(4, 2, { paddingIdx: -1 }).paddingIdx).toBe(3);
  });
});

for (const dtype of ['float64', 'float32'] as const) {
  const rtol = dtype === 'float64' ? 1e-12 : 2e-5;
  describe(`nn.LayerNorm against PyTorch (${dtype})`, () => {
    for (const c of fixture.layer_norm[dtype]) {
      it(`normalizedShape [${c.normalized_shape}], affine ${c.affine}`, () => {
        const x = pattern([2, 3, 4], dtype, 62).requiresGrad_();
        const ln = new nn.LayerNorm(c.normalized_shape, { elementwiseAffine: c.affine, dtype });
        if (c.affine) {
          tg.noGrad(() => {
            ln.weight!.copy_(pattern(c.normalized_shape, dtype, 63, 0.5, 1.5));
            ln.bias!.copy_(pattern(c.normalized_shape, dtype, 64));
          });
        }
        const out = ln.forward(x);
        expectScaled(out, c.out, rtol, 'out');
        out.mul(pattern([2, 3, 4], dtype, 65)).sum().backward();
        expectScaled(x.grad, c.grad_x, rtol, 'grad x');
        if (c.affine) {
          expectScaled(ln.weight!.grad, c.grad_weight!, rtol, 'grad weight');
          expectScaled(ln.bias!.grad, c.grad_bias!, rtol, 'grad bias');
        } else {
          expect([...ln.parameters()]).toEqual([]);
        }
        expect(String(ln)).toBe(c.repr);
      });
    }

    it('a shape that does not end in normalizedShape is PyTorch\'s error', () => {
      expect(() => new nn.LayerNorm(4).forward(tg.zeros(2, 3))).toThrow('Given normalizedShape [4], expected input with shape [*, 4], but got input of shape [2, 3]');
    });
  });
}
