import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';
import { decode, loadFixture, type EncodedTensor } from './helpers';

interface PrintCase {
  note: string;
  tensor: EncodedTensor;
  requiresGrad: boolean;
  repr: string;
}

const fixture = loadFixture<{ cases: PrintCase[] }>('printing.json');

describe('printing matches PyTorch repr', () => {
  it.each(fixture.cases.map((c) => [c.note, c] as const))('%s', (_note, c) => {
    const t = decode(c.tensor);
    if (c.requiresGrad) t.requiresGrad_();
    expect(t.toString()).toBe(c.repr);
  });

  it('console.log and util.inspect print the same text', () => {
    const t = tg.tensor([[1, -2.5]]);
    expect(inspect(t)).toBe('tensor([[ 1.0000, -2.5000]])');
    expect(String(t)).toBe('tensor([[ 1.0000, -2.5000]])');
    expect(`${t}`).toBe('tensor([[ 1.0000, -2.5000]])');
  });

  it('prints views through their strides', () => {
    const t = tg.arange(6).reshape(2, 3);
    expect(t.T.toString()).toBe('tensor([[0, 3],\n        [1, 4],\n        [2, 5]])');
  });
});
