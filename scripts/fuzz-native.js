#!/usr/bin/env node
// Calls every function the native addon exports with hostile arguments: wrong counts and types,
// typed arrays of every kind (empty, offset into their buffer, on a SharedArrayBuffer, detached),
// and random call metadata (operand records with negative, fractional, NaN or huge sizes, strides
// and offsets reaching past the buffers; parameters of every kind; more or fewer numbers than
// announced). Every call must either return or throw a JavaScript Error; the process must not
// crash. Prints one JSON summary line.
//
//   node scripts/fuzz-native.js [--calls N] [--seed S]      (defaults: 20000 calls, seed 1)
// Uses the compiled package (dist/), so run `npm run build` first.
'use strict';
const path = require('node:path');

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const calls = opt('--calls', 20000);
let seed = opt('--seed', 1) >>> 0;

require(path.join(__dirname, '..', 'dist', 'index.js'));
const { native } = require(path.join(__dirname, '..', 'dist', 'native.js'));

/** A small seeded generator (mulberry32): the same calls for the same seed. */
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

const KINDS = [Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, Uint16Array, Int8Array, Uint32Array];
const ODD_NUMBERS = [0, 1, -1, 2, 3, 0.5, -0.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53, -(2 ** 53), 2 ** 63, -(2 ** 63), 2 ** 64, 1e308, -0];
const OTHERS = [undefined, null, 'x', '', {}, [], [1, 2], true, false, 10n, -1n, Symbol('s'), () => 1, new ArrayBuffer(8), new DataView(new ArrayBuffer(8))];

function typedArray(kind) {
  const K = kind ?? pick(KINDS);
  const n = pick([0, 1, 2, 4, 6, 17, 64]);
  switch (int(0, 9)) {
    case 0: { // detached: its buffer transferred away
      const t = new K(n);
      structuredClone(t.buffer, { transfer: [t.buffer] });
      return t;
    }
    case 1: return new K(new SharedArrayBuffer((n + 2) * K.BYTES_PER_ELEMENT), K.BYTES_PER_ELEMENT, n);
    case 2: return new K(n + 3).subarray(int(0, 3));
    default: {
      const t = new K(n);
      for (let i = 0; i < n; i++) t[i] = K === BigInt64Array ? BigInt(int(-3, 3)) : pick([0, 1, -1, 2, 0.5, NaN, 5]);
      return t;
    }
  }
}

function argument(kind) {
  const r = random();
  if (r < 0.6) return typedArray(kind);
  if (r < 0.9) return random() < 0.5 ? pick(ODD_NUMBERS) : int(-2, 8);
  return pick(OTHERS);
}

const small = (lo, hi) => (random() < 0.1 ? pick(ODD_NUMBERS) : int(lo, hi));

/**
 * Metadata: noise, or plausible operand records (offset, ndim, sizes, strides; a size or stride
 * now and then odd) followed by parameters, one per name the kernel takes or a few more or less.
 */
function fillMeta(spec) {
  const meta = native.meta;
  const values = [];
  if (random() < 0.2 || spec === undefined) {
    const n = int(0, 40);
    for (let i = 0; i < n; i++) values.push(random() < 0.3 ? pick(ODD_NUMBERS) : int(-4, 70));
  } else {
    const shape = Array.from({ length: int(0, 4) }, () => int(0, 5));
    for (let k = 0; k < spec.operands.length + (random() < 0.1 ? int(-1, 1) : 0); k++) {
      if (random() < 0.15) { values.push(0, 0); continue; } // a number, null or state
      const ndim = random() < 0.05 ? 70 : random() < 0.7 ? shape.length : int(0, 4);
      values.push(small(0, 3), ndim);
      for (let d = 0; d < ndim && d < 8; d++) values.push(random() < 0.7 && d < shape.length ? shape[d] : small(0, 5));
      for (let d = 0; d < ndim && d < 8; d++) values.push(small(-1, 20));
    }
    const params = spec.params.length + (random() < 0.1 ? int(-1, 2) : 0);
    for (let i = 0; i < params; i++) values.push(random() < 0.6 ? int(-1, 4) : pick(ODD_NUMBERS));
  }
  const count = random() < 0.1 ? pick([NaN, -1, 1e9, values.length + 3, 0]) : values.length;
  meta[0] = count;
  for (let i = 0; i < values.length && i + 1 < meta.length; i++) meta[i + 1] = values[i];
}

/** One argument per operand the kernel takes (now and then one too many or too few): mostly typed arrays of one kind. */
function kernelArgs(spec, kind) {
  const n = spec.operands.length + (random() < 0.1 ? int(-1, 1) : 0);
  return Array.from({ length: Math.max(0, n) }, (_, k) => {
    const name = spec.operands[k] ?? '';
    const r = random();
    if (name === 'state' && r < 0.7) return random() < 0.8 ? new Uint32Array(native.generatorWords) : new Uint32Array(int(0, 700));
    if (r < 0.75) return typedArray(kind);
    if (r < 0.85) return null;
    if (r < 0.95) return random() < 0.5 ? pick(ODD_NUMBERS) : int(-2, 8);
    return pick(OTHERS);
  });
}

const skip = new Set(['init', 'meta', 'generatorWords', 'ops']);
const functions = Object.keys(native).filter((k) => typeof native[k] === 'function' && !skip.has(k));
const threadCount = native.backendInfo().kernelThreads;
const summary = { calls: 0, threw: 0, returned: 0, functions: functions.length, errors: {} };
for (let i = 0; i < calls; i++) {
  const name = functions[i % functions.length];
  const spec = native.ops[name];
  const sameKind = random() < 0.6 ? pick(KINDS) : undefined;
  // Most calls look like real ones (one argument per operand), to get past the type checks into
  // the metadata, shape and bounds checks; the rest are anything.
  const argv = spec !== undefined && random() < 0.8 ? kernelArgs(spec, sameKind) : Array.from({ length: int(0, 7) }, () => argument(sameKind));
  // setThreads with a valid count would start that many threads: give it only bad ones.
  if (name === 'setThreads' && typeof argv[0] === 'number' && argv[0] >= 1 && argv[0] <= 1024) argv[0] = 0;
  fillMeta(spec);
  summary.calls++;
  try {
    native[name](...argv);
    summary.returned++;
  } catch (e) {
    if (!(e instanceof Error)) {
      console.error(`${name} threw a non-Error: ${String(e)}`);
      process.exit(2);
    }
    summary.threw++;
    const kind = e.constructor.name;
    summary.errors[kind] = (summary.errors[kind] ?? 0) + 1;
  }
}
native.setThreads(threadCount);
console.log(JSON.stringify(summary));
