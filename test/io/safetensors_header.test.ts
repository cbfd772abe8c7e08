// The safetensors header of an untrusted file (issue 18, items 4 and 8): parsed in memory bounded
// by its size, nesting deeper than the format refused at its first bracket, shapes checked (at
// most 64 dimensions, no overflowing products), and names from the file never looked up through
// (or written into) a prototype.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { safetensors } from './craft';

const work = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-st-header-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let serial = 0;
const write = (bytes: Uint8Array) => {
  const path = join(work, `f${serial++}.safetensors`);
  fs.writeFileSync(path, bytes);
  return path;
};

function loadError(bytes: Uint8Array): Error {
  try {
    tg.load(write(bytes));
  } catch (e) {
    return e as Error;
  }
  throw new Error('load did not throw');
}

const f32 = (shape: number[], begin = 0, end = 4 * shape.reduce((a, b) => a * b, 1)) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

describe('safetensors: the header within bounded memory (item 4)', () => {
  it('nesting deeper than the format is refused at its first extra bracket (8 MB of nested arrays)', () => {
    for (const header of [
      `{"a":{"dtype":"F32","shape":${'['.repeat(8 << 20)}`,
      `{"a":${'['.repeat(1 << 20)}${']'.repeat(1 << 20)}}`,
      `{"__metadata__":{"k":${'{"k":'.repeat(1 << 16)}"v"${'}'.repeat(1 << 16)}}}`,
    ]) {
      const e = loadError(safetensors(header));
      expect(e).toBeInstanceOf(tg.FormatError);
      expect(e.message).toMatch(/shape must be an array of non-negative integers|its entry is not an object|__metadata__ must map strings to strings/);
    }
  });

  it('a shape of more than 64 dimensions is a FormatError; 64 load', () => {
    const e = loadError(safetensors({ a: f32(Array(65).fill(1)) }, 4));
    expect(e).toBeInstanceOf(tg.FormatError);
    expect(e.message).toMatch(/tensor 'a': shape must be an array of non-negative integers, with at most 64 \(more than 64 items\)/);
    expect(tg.load(write(safetensors({ a: f32(Array(64).fill(1)) }, 4))).a.dim()).toBe(64);
  });

  it('a shape whose product overflows is a FormatError', () => {
    const e = loadError(safetensors({ a: f32([2 ** 40, 2 ** 40, 2 ** 40], 0, 4) }, 4));
    expect(e).toBeInstanceOf(tg.FormatError);
    expect(e.message).toMatch(/tensor 'a' of shape \[1099511627776, 1099511627776, 1099511627776\] needs 5316911983139663491615228241121378304 bytes, more than any file can hold \(ValidationOverflow\)/);
    expect(loadError(safetensors('{"a":{"dtype":"F32","shape":[9007199254740993],"data_offsets":[0,4]}}', 4)).message).toMatch(/9007199254740993, too large/);
    // a zero dimension makes any product 0
    expect(tg.load(write(safetensors({ a: f32([0, 2 ** 50], 0, 0) }))).a.shape).toEqual([0, 2 ** 50]);
  });

  it('refuses what JSON allows but the format does not: unknown or repeated keys, fractions, text after the header', () => {
    const cases: [string, RegExp][] = [
      ['{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}', /tensor 'a': "extra" is not a key of a tensor entry/],
      ['{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}', /tensor 'a': "dtype" is given twice/],
      ['{"a":{"dtype":"F32","shape":[1]}}', /tensor 'a': it needs dtype, shape and data_offsets/],
      ['{"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}', /shape must be an array of non-negative integers/],
      ['{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}', /data_offsets must be two integers/],
      ['{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', /'a' appears twice in the header/],
      ['{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x', /not valid JSON: text after the header/],
      ['{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}', /not valid JSON: the header ends early/],
      ['{"a\u0001":{}}', /not valid JSON: a control character in a string/],
    ];
    for (const [header, message] of cases) {
      const e = loadError(safetensors(header, 4));
      expect(e, header).toBeInstanceOf(tg.FormatError);
      expect(e.message, header).toMatch(message);
    }
  });

  it('reads what JSON allows and the format does: whitespace, escapes, unicode names, padding', () => {
    const name = 'a "quoted"\\ name é \u{1F600}\n/';
    const header = `{\n  "__metadata__" : { "k\\u00e9" : "v\\"\\t" } ,\n  ${JSON.stringify(name)} : {"dtype":"F32", "shape" : [ 2 ] ,"data_offsets":[0, 8]}\n}     `;
    const path = write(safetensors(header, 8));
    expect(Object.keys(tg.load(path))).toEqual([name]);
    expect(tg.loadMetadata(path)).toEqual({ 'ké': 'v"\t' });
    const escaped = write(safetensors('{"\\u0061\\ud83d\\ude00":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4));
    expect(Object.keys(tg.load(escaped))).toEqual(['a\u{1F600}']);
  });
});

describe('safetensors: names from the file are own keys only (item 8)', () => {
  it('dtypes that name Object.prototype members are unknown dtypes (FormatError)', () => {
    for (const dtype of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const e = loadError(safetensors({ a: { dtype, shape: [1], data_offsets: [0, 4] } }, 4));
      expect(e, dtype).toBeInstanceOf(tg.FormatError);
      expect(e.message).toContain(`tensor 'a': unknown dtype "${dtype}"`);
    }
  });

  it('a tensor or metadata key named "__proto__" is a key of the result; no prototype changes', async () => {
    const header = '{"__metadata__":{"__proto__":"x","constructor":"y"},"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"constructor":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    const path = write(safetensors(header, 8));
    for (const got of [tg.load(path), await tg.loadAsync(path)]) {
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      expect(Object.keys(got).sort()).toEqual(['__proto__', 'constructor']);
      expect(tg.isTensor(Object.getOwnPropertyDescriptor(got, '__proto__')!.value)).toBe(true);
    }
    const meta = tg.loadMetadata(path)!;
    expect(Object.getPrototypeOf(meta)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(meta, '__proto__')!.value).toBe('x');
    expect(meta.constructor).toBe('y');
  });

  it('save looks up dtypes by own keys: a tensor named "constructor" is not narrowed by Object.prototype.constructor', () => {
    const path = join(work, 'ctor.safetensors');
    tg.save({ constructor: tg.ones(2), toString: tg.zeros(1) }, path, { dtypes: {} });
    expect((Object.getOwnPropertyDescriptor(tg.load(path), 'constructor')!.value as tg.Tensor).tolist()).toEqual([1, 1]);
    expect(() => tg.save({ a: tg.ones(1, { dtype: 'int32' }) }, path, { dtypes: { a: 'toString' as tg.NarrowDtype } })).toThrow(
      /dtypes\['a'\] must be one of U8, I8, I16, U16, but got "toString"/,
    );
  });
});
