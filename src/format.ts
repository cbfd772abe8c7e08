/**
 * Printing tensors the way PyTorch prints them (torch/_tensor_str.py), under the options
 * tg.setPrintoptions sets as torch.set_printoptions does (default: precision 4, line width 80,
 * summarised beyond 1000 elements with 3 edge items, scientific notation when the values call for it).
 */
import { getDefaultDtype, isFloatingPoint, torchName } from './dtype';
import { checkOptions, kinds } from './options';
import type { Tensor } from './tensor';

/** The options of tg.setPrintoptions (torch.set_printoptions). */
export interface PrintOptions {
  /** Digits after the decimal point of floating-point values (default 4). */
  precision?: number;
  /** Tensors of more elements than this are summarised with '...' (default 1000; Infinity: never). */
  threshold?: number;
  /** Values shown at each end of a summarised dim (default 3). */
  edgeitems?: number;
  /** Characters per line before values wrap (default 80). */
  linewidth?: number;
  /** Scientific notation on (true) or off (false); null or left out: chosen from the values, as by default. */
  sciMode?: boolean | null;
  /** Presets applied before the other options: 'default', 'short' (precision 2, 2 edge items) or 'full' (never summarised). */
  profile?: 'default' | 'short' | 'full';
}

const PROFILES = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
} as const;

interface PrintState { precision: number; threshold: number; edgeitems: number; linewidth: number; sciMode: boolean | null }
const PRINT: PrintState = { ...PROFILES.default, sciMode: null };

const count = (min: number) => ({ test: (v: unknown) => Number.isInteger(v) && (v as number) >= min, what: `an integer >= ${min}` });
const PRINT_OPTIONS = {
  precision: { test: (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100, what: 'an integer from 0 to 100' },
  threshold: { test: (v: unknown) => typeof v === 'number' && v >= 0, what: 'a number >= 0 (or Infinity)' },
  edgeitems: count(0),
  linewidth: count(1),
  sciMode: { test: (v: unknown) => v === null || typeof v === 'boolean', what: 'a boolean or null' },
  profile: kinds.oneOf('default', 'short', 'full'),
} as const;

/**
 * Sets how tensors print, as torch.set_printoptions: a profile first, then the options given.
 * As in PyTorch, sciMode is set on every call (left out, it goes back to automatic).
 * @example tg.setPrintoptions({ precision: 2 }); tg.tensor([1.12345]).toString() // 'tensor([1.12])'
 * @example tg.setPrintoptions({ profile: 'default' }) // back to PyTorch's defaults
 */
export function setPrintoptions(opts: PrintOptions = {}): void {
  checkOptions('setPrintoptions', opts, PRINT_OPTIONS, true);
  if (opts.profile !== undefined) Object.assign(PRINT, PROFILES[opts.profile]);
  if (opts.precision !== undefined) PRINT.precision = opts.precision;
  if (opts.threshold !== undefined) PRINT.threshold = opts.threshold;
  if (opts.edgeitems !== undefined) PRINT.edgeitems = opts.edgeitems;
  if (opts.linewidth !== undefined) PRINT.linewidth = opts.linewidth;
  PRINT.sciMode = opts.sciMode ?? null;
}

/** The print options in effect (torch._tensor_str.get_printoptions), which setPrintoptions accepts back. */
export function getPrintoptions(): { precision: number; threshold: number; edgeitems: number; linewidth: number; sciMode: boolean | null } {
  return { ...PRINT };
}

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
  private precision = PRINT.precision;
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
    this.precision = PRINT.precision;
    this.sciMode = PRINT.sciMode ?? (max / min > 1000 || max > 1e8 || min < 1e-4);
    const p = this.precision;
    for (const v of finite) {
      const width = this.sciMode ? pyExp(v, p).length : this.intMode ? pyFixed(v, 0).length + 1 : pyFixed(v, p).length;
      this.maxWidth = Math.max(this.maxWidth, width);
    }
  }

  format(v: Value): string {
    let s: string;
    if (!this.floating) s = plain(v);
    else if (this.sciMode) s = pyExp(v as number, this.precision);
    else if (this.intMode) s = pyFixed(v as number, 0) + (Number.isFinite(v as number) ? '.' : '');
    else s = pyFixed(v as number, this.precision);
    return s.padStart(this.maxWidth);
  }
}

/** A shape as Python writes a tuple: (2, 3), (5,), (). */
function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
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
    const edge = PRINT.edgeitems;
    const idx = summarize && size > 2 * edge
      ? [...Array(edge).keys(), -1, ...Array.from({ length: edge }, (_, k) => size - edge + k)]
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
  const perLine = Math.max(1, Math.floor((PRINT.linewidth - indent) / elementLength));
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
    if (lastLineLen + suffix.length + 2 > PRINT.linewidth) {
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
    if (t.shape.length !== 1) suffixes.push(`size=${pyTuple(t.shape)}`);
    if (t.dtype !== getDefaultDtype()) suffixes.push(`dtype=${torchName(t.dtype)}`);
    body = '[]';
  } else {
    if (PRINT.edgeitems === 0) suffixes.push(`size=${pyTuple(t.shape)}`);
    if (!defaultish) suffixes.push(`dtype=${torchName(t.dtype)}`);
    const summarize = t.numel() > PRINT.threshold;
    if (summarize && PRINT.edgeitems === 0 && t.shape.length > 0) {
      body = '[...]'; // no values shown at all
    } else {
      const { node, flat } = read(t, summarize);
      const f = new Formatter(flat, isFloatingPoint(t.dtype));
      body = t.shape.length === 0 ? f.format(node as Value) : nodeStr(node as Node, t.shape.length, indent, f);
    }
  }
  if (gradFnName !== null) suffixes.push(`grad_fn=<${gradFnName}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent);
}
