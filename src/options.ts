/**
 * Checking the options objects of the public API: an unknown key, a value of the wrong type, or
 * something else where an options object belongs (a positional argument, as in Python) is a
 * TypeError naming the function and the option, never silently ignored.
 */
import { isTensor } from './storage';

/** What an option may hold: a typeof name, 'tensor', or a predicate with the words for it. */
export type OptionKind = 'number' | 'boolean' | 'string' | 'function' | 'object' | 'tensor' | 'any' | { test: (v: unknown) => boolean; what: string };
export type OptionSpec = Readonly<Record<string, OptionKind>>;

/** Common kinds. */
export const kinds = {
  numberOrNull: { test: (v: unknown) => v === null || typeof v === 'number', what: 'a number or null' },
  tensorOrNull: { test: (v: unknown) => v === null || isTensor(v), what: 'a Tensor or null' },
  dims: { test: (v: unknown) => v === null || typeof v === 'number' || (Array.isArray(v) && v.every((d) => typeof d === 'number')), what: 'a dim or an array of dims' },
  oneOf: (...values: readonly unknown[]) => ({ test: (v: unknown) => values.includes(v), what: values.map((x) => JSON.stringify(x)).join(' or ') }),
} as const;

/** The name of v's type in messages: 'null', 'Array', a class name ('Tensor', 'Map'), else typeof's. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'Array';
  // a module is a function object whose prototype chain is its class's, not Function's
  if (typeof v === 'object' || (typeof v === 'function' && !(v instanceof Function))) return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/** How a value is named in messages: its type, or the value itself for short primitives. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') return `${typeof v === 'bigint' ? `${v}n` : String(v)}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  const name = isTensor(v) ? 'Tensor' : typeName(v);
  return `${/^[AEIOUaeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}

/** A plain object: made by a literal or Object.create(null), not by a class (so not an array or a tensor). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Whether v can be an options object: a plain object (not an array, a tensor or a class instance other than Object). */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v);
}

function matches(kind: OptionKind, v: unknown): boolean {
  if (typeof kind === 'object') return kind.test(v);
  if (kind === 'any') return true;
  if (kind === 'tensor') return isTensor(v);
  if (kind === 'object') return typeof v === 'object' && v !== null;
  return typeof v === kind;
}

function kindWords(kind: OptionKind): string {
  if (typeof kind === 'object') return kind.what;
  return kind === 'tensor' ? 'a Tensor' : kind === 'object' ? 'an object' : `a ${kind}`;
}

/**
 * Checks `opts` (undefined allowed unless required) against spec and returns it: every own key
 * must be in spec, and every value not undefined must be of its kind.
 */
export function checkOptions<T extends object>(fn: string, opts: T | undefined, spec: OptionSpec, required = false): T | undefined {
  if (opts === undefined && !required) return undefined;
  const keys = () => Object.keys(spec).join(', ') || 'none';
  if (!isOptionsObject(opts)) {
    throw new TypeError(`${fn}(): expected an options object { ${keys()} }, but got ${describeValue(opts)}`);
  }
  for (const key in opts) {
    if (!Object.hasOwn(opts, key)) continue;
    if (!Object.hasOwn(spec, key)) throw new TypeError(`${fn}(): unknown option '${key}' (it takes ${keys()})`);
    const v = opts[key];
    if (v !== undefined && !matches(spec[key], v)) {
      throw new TypeError(`${fn}(): option '${key}' must be ${kindWords(spec[key])}, but got ${describeValue(v)}`);
    }
  }
  return opts;
}

/** Checks that a positional argument is of its kind (undefined allowed). */
export function checkArg(fn: string, name: string, v: unknown, kind: OptionKind): void {
  if (v !== undefined && !matches(kind, v)) throw new TypeError(`${fn}(): argument '${name}' must be ${kindWords(kind)}, but got ${describeValue(v)}`);
}

/**
 * Arguments as PyTorch takes them, positionally and by keyword: `args` are the positional values
 * in spec's order, and the last one given may be an options object naming the rest (`x.sum(1, {
 * keepdim: true })` is `x.sum(1, keepdim=True)`, `x.sum({ dim: 1, keepdim: true })` names both).
 * A name given both ways, too many arguments, and an unknown option are TypeErrors.
 */
export function positionalOrNamed<T extends object>(fn: string, args: readonly unknown[], spec: OptionSpec): T {
  const names = Object.keys(spec);
  let last = args.length - 1;
  while (last >= 0 && args[last] === undefined) last--;
  const named = last >= 0 && isOptionsObject(args[last]) ? (args[last] as Record<string, unknown>) : undefined;
  const positional = named === undefined ? args.slice(0, last + 1) : args.slice(0, last);
  if (positional.some(isOptionsObject)) throw new TypeError(`${fn}(): the options object must come last, after the positional arguments (got both)`);
  if (positional.length > names.length) throw new TypeError(`${fn}(): takes at most ${names.length} arguments (${names.join(', ')}), but got ${positional.length}`);
  const out: Record<string, unknown> = {};
  positional.forEach((v, i) => {
    checkArg(fn, names[i], v, spec[names[i]]);
    if (v !== undefined) out[names[i]] = v;
  });
  if (named !== undefined) {
    checkOptions(fn, named, spec);
    for (const key of Object.keys(named)) {
      if (key in out) throw new TypeError(`${fn}(): got '${key}' both as an argument and in the options object`);
      if (named[key] !== undefined) out[key] = named[key];
    }
  }
  return out as T;
}
