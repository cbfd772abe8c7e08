// tg.setPrintoptions changes how tensors print as torch.set_printoptions does; expected strings are
// PyTorch's repr under the same options (scripts/fixtures/printoptions.py).
import { afterEach, describe, expect, it } from 'vitest';
import * as tg from '../src/index';
import { decode, decodeValue, loadFixture, type EncodedTensor } from './helpers';

interface Case {
  note: string;
  options: Record<string, number | boolean | string>;
  tensor: EncodedTensor;
  requiresGrad: boolean;
  repr: string;
}

const fixture = loadFixture<{ cases: Case[] }>('printoptions.json');
const optionsOf = (c: Case) =>
  Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, k === 'profile' ? v : decodeValue(v)])) as tg.PrintOptions;

afterEach(() => tg.setPrintoptions({ profile: 'default' }));

describe('setPrintoptions prints as PyTorch under torch.set_printoptions', () => {
  it.each(fixture.cases.map((c) => [c.note, c] as const))('%s', (_note, c) => {
    const t = decode(c.tensor);
    if (c.requiresGrad) t.requiresGrad_();
    tg.setPrintoptions(optionsOf(c));
    expect(t.toString()).toBe(c.repr);
  });
});

describe('setPrintoptions', () => {
  it("profile 'default' restores PyTorch's defaults (the docs example)", () => {
    tg.setPrintoptions({ precision: 2 });
    expect(tg.tensor([1.12345]).toString()).toBe('tensor([1.12])');
    tg.setPrintoptions({ threshold: 5 });
    expect(tg.arange(10).toString()).toBe('tensor([0, 1, 2,  ..., 7, 8, 9])');
    tg.setPrintoptions({ profile: 'default' });
    expect(tg.tensor([1.12345]).toString()).toBe('tensor([1.1235])');
    expect(tg.arange(10).toString()).toBe('tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])');
    expect(tg.getPrintoptions()).toEqual({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
  });

  it('sciMode goes back to automatic on every call that leaves it out, as in PyTorch', () => {
    tg.setPrintoptions({ sciMode: true });
    expect(tg.getPrintoptions().sciMode).toBe(true);
    tg.setPrintoptions({ precision: 3 });
    expect(tg.getPrintoptions()).toMatchObject({ precision: 3, sciMode: null });
  });

  it('getPrintoptions gives back what setPrintoptions takes', () => {
    tg.setPrintoptions({ precision: 6, linewidth: 120, sciMode: false });
    const saved = tg.getPrintoptions();
    tg.setPrintoptions({ profile: 'default' });
    tg.setPrintoptions(saved);
    expect(tg.getPrintoptions()).toEqual(saved);
  });

  it('unknown options, wrong types and bad values are TypeErrors', () => {
    expect(() => tg.setPrintoptions({ precison: 2 } as tg.PrintOptions)).toThrow(TypeError);
    expect(() => tg.setPrintoptions({ precison: 2 } as tg.PrintOptions)).toThrow("setPrintoptions(): unknown option 'precison'");
    expect(() => tg.setPrintoptions({ sci_mode: true } as tg.PrintOptions)).toThrow("unknown option 'sci_mode'");
    expect(() => tg.setPrintoptions({ precision: -1 })).toThrow("option 'precision' must be an integer from 0 to 100, but got -1");
    expect(() => tg.setPrintoptions({ precision: 2.5 })).toThrow(TypeError);
    expect(() => tg.setPrintoptions({ precision: 101 })).toThrow('an integer from 0 to 100');
    expect(() => tg.setPrintoptions({ linewidth: 0 })).toThrow(TypeError);
    expect(() => tg.setPrintoptions({ threshold: NaN })).toThrow(TypeError);
    expect(() => tg.setPrintoptions({ profile: 'long' as 'full' })).toThrow(`option 'profile' must be "default" or "short" or "full"`);
    expect(() => tg.setPrintoptions(2 as unknown as tg.PrintOptions)).toThrow(TypeError);
    expect(tg.getPrintoptions().precision).toBe(4); // nothing changed by the rejected calls
  });
});
