/**
 * Printing tensors the way PyTorch prints them (torch/_tensor_str.py with its default options:
 * precision 4, line width 80, summarised beyond 1000 elements with 3 edge items).
 */
import { getDefaultDtype, isFloatingPoint, torchName } from './dtype';
import type { Tensor } from './tensor';

const PRECISION = 4;
const LINEWIDTH = 80;
const THRESHOLD = 1000;
const EDGEITEMS = 3;

type Value = number | bigint | boolean;

// ---- Python's float formatting -----------------------------------------------------------------

const scratch = new Float64Array(1);
const scratchBits = new BigUint64Array(scratch.buffer);

/** The largest double below x (x > 0, finite). */
function nextDown(x: number): number {
  scratch[0] = x;
  scratchBits[0] -= 1n;
  return scratch[0];
}

/**
 * Python rounds exact ties to even; JavaScript's toFixed / toExponential round them away from
 * zero. A tie is a value whose exact decimal expansion ends in 5 right after the last kept digit.
 */
function isTie(x: number, digitsKept: (s: string) => string | undefined): boolean {
  const rest = digitsKept(x.toPrecision(100));
  return rest !== undefined && /^50*$/.test(rest);
}

function lastDigitOdd(s: string): boolean {
  const m = /(\d)(?:e[+-]\d+)?$/.exec(s);
  return m !== null && Number(m[1]) % 2 === 1;
}

/** Python's format(x, '.{p}f'). */
export function pyFixed(x: number, p: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  let s = a.toFixed(p);
  const tie = a !== 0 && isTie(a, (full) => fixedRest(full, p));
  if (tie && lastDigitOdd(s)) s = nextDown(a).toFixed(p);
  return (x < 0 || Object.is(x, -0) ? '-' : '') + s;
}

/** Digits of an exact expansion (toPrecision(100) output) after the p-th decimal. */
function fixedRest(full: string, p: number): string | undefined {
  const [mant, exp] = full.split('e');
  const e = exp === undefined ? 0 : Number(exp);
  const digits = mant.replace('.', '');
  const intLen = (mant.indexOf('.') < 0 ? mant.length : mant.indexOf('.')) + e;
  const start = intLen + p;
  if (start < 0) return undefined;
  return digits.slice(start) || undefined;
}

/** Python's format(x, '.{p}e'): the exponent has at least two digits. */
export function pyExp(x: number, p: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  let s = a.toExponential(p);
  const significant = (full: string) => full.replace(/e.*$/, '').replace('.', '').replace(/^0+/, '');
  const tie = a !== 0 && isTie(a, (full) => significant(full).slice(p + 1) || undefined);
  if (tie && lastDigitOdd(s)) s = nextDown(a).toExponential(p);
  s = s.replace(/e([+-])(\d)$/, 'e$10$2');
  return (x < 0 || Object.is(x, -0) ? '-' : '') + s;
}

// ---- PyTorch's _Formatter --------------------------------------------------------------------

class Formatter {
  private readonly floating: boolean;
  private intMode = true;
  private sciMode = false;
  maxWidth = 1;

  constructor(values: readonly Value[], floating: boolean) {
    this.floating = floating;
    if (!floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, plain(v).length);
      return;
    }
    const finite = (values as number[]).filter((v) => Number.isFinite(v) && v !== 0);
    if (finite.length === 0) return;
    const abs = finite.map(Math.abs);
    const min = Math.min(...abs), max = Math.max(...abs);
    this.intMode = finite.every((v) => v === Math.ceil(v));
    if (this.intMode) {
      this.sciMode = max / min > 1000 || max > 1e8;
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, this.sciMode ? pyExp(v, PRECISION).length : pyFixed(v, 0).length + 1);
    } else {
      this.sciMode = max / min > 1000 || max > 1e8 || min < 1e-4;
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, (this.sciMode ? pyExp(v, PRECISION) : pyFixed(v, PRECISION)).length);
    }
  }

  format(v: Value): string {
    let s: string;
    if (!this.floating) s = plain(v);
    else if (this.sciMode) s = pyExp(v as number, PRECISION);
    else if (this.intMode) s = pyFixed(v as number, 0) + (Number.isFinite(v as number) ? '.' : '');
    else s = pyFixed(v as number, PRECISION);
    return s.padStart(this.maxWidth);
  }
}

function plain(v: Value): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

// ---- layout -----------------------------------------------------------------------------------

/** Nested rows of a tensor's values, with summarised dims cut to their edges. */
interface Node {
  values?: Value[];         // a 1-D row (with null marking the "..." of a summarised row)
  children?: (Node | null)[]; // null marks the "..." of a summarised dim
}

function read(t: Tensor, summarize: boolean): { node: Node | Value; flat: Value[] } {
  const flat: Value[] = [];
  const data = t._storage.data;
  const isBool = t.dtype === 'bool';
  const at = (i: number): Value => (isBool ? data[i] !== 0 : (data[i] as number | bigint));
  const walk = (dim: number, offset: number): Node | Value => {
    if (dim === t.shape.length) {
      const v = at(offset);
      flat.push(v);
      return v;
    }
    const size = t.shape[dim];
    const idx = summarize && size > 2 * EDGEITEMS
      ? [...Array(EDGEITEMS).keys(), -1, ...Array.from({ length: EDGEITEMS }, (_, k) => size - EDGEITEMS + k)]
      : [...Array(size).keys()];
    const parts = idx.map((i) => (i < 0 ? null : walk(dim + 1, offset + i * t._strides[dim])));
    return dim === t.shape.length - 1
      ? { values: parts as Value[] }
      : { children: parts as (Node | null)[] };
  };
  return { node: walk(0, t._offset), flat };
}

function vectorStr(values: readonly (Value | null)[], indent: number, f: Formatter): string {
  const elementLength = f.maxWidth + 2;
  const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / elementLength));
  const items = values.map((v) => (v === null ? ' ...' : f.format(v)));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

function nodeStr(node: Node, dims: number, indent: number, f: Formatter): string {
  if (node.values !== undefined) return vectorStr(node.values, indent, f);
  const slices = (node.children as (Node | null)[]).map((c) => (c === null ? '...' : nodeStr(c, dims - 1, indent + 1, f)));
  return '[' + slices.join(',' + '\n'.repeat(dims - 1) + ' '.repeat(indent + 1)) + ']';
}

function addSuffixes(body: string, suffixes: readonly string[], indent: number): string {
  const parts = [body];
  let lastLineLen = body.length - body.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > LINEWIDTH) {
      parts.push(',\n' + ' '.repeat(indent) + suffix);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(', ' + suffix);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/**
 * PyTorch's repr of a tensor: `tensor([[ 1.0000, -2.5000]])`, with dtype, requires_grad and
 * grad_fn suffixes where PyTorch adds them.
 */
export function formatTensor(t: Tensor, gradFnName: string | null): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  const defaultish = t.dtype === getDefaultDtype() || t.dtype === 'int64' || t.dtype === 'bool';
  let body: string;
  if (t.numel() === 0) {
    if (t.shape.length !== 1) suffixes.push(`size=(${t.shape.join(', ')})`);
    if (t.dtype !== getDefaultDtype()) suffixes.push(`dtype=${torchName(t.dtype)}`);
    body = '[]';
  } else {
    if (!defaultish) suffixes.push(`dtype=${torchName(t.dtype)}`);
    const summarize = t.numel() > THRESHOLD;
    const { node, flat } = read(t, summarize);
    const f = new Formatter(flat, isFloatingPoint(t.dtype));
    body = t.shape.length === 0 ? f.format(node as Value) : nodeStr(node as Node, t.shape.length, indent, f);
  }
  if (gradFnName !== null) suffixes.push(`grad_fn=<${gradFnName}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent);
}
