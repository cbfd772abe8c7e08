/**
 * A Python unpickler for untrusted input, as torch.load(weights_only=True) runs one: it builds
 * JavaScript values (lists and tuples as arrays, dicts as plain objects, str as strings, int as
 * numbers or BigInts, bytes as Uint8Arrays) and leaves every global, call (REDUCE, NEWOBJ), BUILD
 * and persistent id to hooks that allow only what they know (torch-globals.ts). It reads the
 * opcodes of protocols 0 to 5 that pickle writes for these values, and refuses the rest by name
 * (INST, OBJ, the extension registry, out-of-band buffers, protocol 0's quoted strings).
 *
 * Nothing here trusts a length: every one is checked against the bytes left before anything is
 * read or allocated, so nothing allocated is larger than the input. Each opcode pushes at most one
 * value, so the stack, the MARK stack, the memo and the count of objects are all bounded by the
 * input's length, and so is what the calls the hooks allow copy out of their arguments; the loop
 * never recurses, so deep nesting cannot overflow the JavaScript stack.
 */
import type { FormatError } from '../errors';
import { utf8, type PickleInput } from './pickle-input';

/** Tuples, dicts and sets made by the unpickler (lists are plain arrays; tuples and sets are arrays too). */
const tuples = new WeakSet<unknown[]>();
const dicts = new WeakSet<object>();
const sets = new WeakSet<unknown[]>();

export const isTuple = (v: unknown): v is unknown[] => Array.isArray(v) && tuples.has(v);
export const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && dicts.has(v);

export function newTuple(items: unknown[]): unknown[] {
  tuples.add(items);
  return items;
}

export function newDict(): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  dicts.add(d);
  return d;
}

export function newSet(items: unknown[]): unknown[] {
  sets.add(items);
  return items;
}

/** The int keys of each dict that has some, by the property that holds them. */
const intKeys = new WeakMap<object, Map<string, number | bigint>>();

/**
 * Python's `d[key] = value` for the keys a JavaScript object can hold: str, and int as its decimal
 * string. A dict with both the int 1 and the str '1' as keys cannot be one object: refused.
 */
export function setItem(d: Record<string, unknown>, key: unknown, value: unknown, fail: (why: string) => Error): void {
  const ints = intKeys.get(d);
  let k: string;
  if (typeof key === 'string') {
    k = key;
    if (ints?.has(k)) throw fail(`a dict with both the int key ${k} and the str key ${JSON.stringify(k)}, which would be one property`);
  } else if ((typeof key === 'number' && Number.isInteger(key)) || typeof key === 'bigint') {
    k = String(key);
    if (!ints?.has(k)) {
      if (Object.hasOwn(d, k)) throw fail(`a dict with both the str key ${JSON.stringify(k)} and the int key ${k}, which would be one property`);
      if (ints === undefined) intKeys.set(d, new Map([[k, key]]));
      else ints.set(k, key);
    }
  } else {
    throw fail(`a dict key that is ${describe(key)} (only str and int keys are read)`);
  }
  // defineProperty, so that a key such as '__proto__' is an ordinary property
  Object.defineProperty(d, k, { value, enumerable: true, writable: true, configurable: true });
}

/** A dict's keys as the pickle gave them: str as strings, int as numbers (BigInts beyond 2^53). */
export function dictKeys(d: Record<string, unknown>): (string | number | bigint)[] {
  const ints = intKeys.get(d);
  return ints === undefined ? Object.keys(d) : Object.keys(d).map((k) => ints.get(k) ?? k);
}

/** The error to throw for a refused or malformed opcode: names the pickle and the opcode's position. */
export type Fail = (why: string) => FormatError;

/** See PickleHooks.reduce: `n` elements of `bytesEach` bytes (8 unless told) are about to be copied. */
export type Copying = (n: number, bytesEach?: number) => void;

/** What torch-globals.ts decides for the opcodes that name or call Python objects. */
export interface PickleHooks {
  /** GLOBAL / STACK_GLOBAL: the value of module.name; `fail(why)` (thrown) when it is not allowed. */
  global(module: string, name: string, fail: Fail): unknown;
  /**
   * REDUCE (and NEWOBJ): callable(...args). A call that copies n elements (or bytes) out of its
   * arguments says so first with `copying(n, bytesEach)`, which throws once the calls of one pickle
   * have copied more than it has bytes (see unpickle).
   */
  reduce(callable: unknown, args: unknown[], fail: Fail, copying: Copying): unknown;
  /** BUILD: sets state on inst. */
  build(inst: unknown, state: unknown, fail: Fail): void;
  /** BINPERSID: the object a persistent id stands for. */
  persistent(pid: unknown, fail: Fail): unknown;
}

/**
 * What a pickle's values are estimated to take in memory, charged against a limit (the loaders'
 * maxBytes): a JavaScript list, dict or tuple costs far more than the byte or two that makes it
 * (an array holding one element takes about 180 bytes), so a hostile pickle of nested lists could
 * otherwise take a hundred times its size.
 */
export interface PickleBudget {
  readonly maxBytes: number;
  /** Bytes estimated so far (unpickle adds to it). */
  used: number;
  /** The error when `used` passes maxBytes. */
  refuse(bytes: number): Error;
}

/**
 * Estimated bytes each opcode's result takes beyond its stack slot: containers and MARK frames,
 * objects made by hooks (a call's result may be a tensor: its spec, then its Tensor, about 430
 * bytes; what it copies is charged as it copies it), memo entries.
 */
const COST = new Uint16Array(256);
for (const op of [0x29, 0x74, 0x85, 0x86, 0x87, 0x5d, 0x6c, 0x7d, 0x64, 0x8f, 0x91, 0x28]) COST[op] = 192;
for (const op of [0x52, 0x81]) COST[op] = 448;
for (const op of [0x63, 0x93, 0x51]) COST[op] = 96;
for (const op of [0x70, 0x71, 0x72, 0x94]) COST[op] = 48;
const SLOT = 8;

/** A value as messages name it, in Python's terms (an int read as 1.0 is named as the int 1). */
export function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v === undefined) return 'no value';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'bigint' || Number.isInteger(v)) return `the int ${v}`;
  if (typeof v === 'number') return `the float ${Number.isNaN(v) ? 'nan' : Number.isFinite(v) ? v : v > 0 ? 'inf' : '-inf'}`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v instanceof Uint8Array) return 'a bytes object';
  if (isTuple(v)) return `a tuple of ${v.length}`;
  if (Array.isArray(v)) return sets.has(v) ? 'a set' : `a list of ${v.length}`;
  if (isDict(v)) return 'a dict';
  const what = (v as { describe?: () => string }).describe;
  return typeof what === 'function' ? what.call(v) : typeof v;
}

/** Python refuses to convert decimal strings of more digits than this to int (sys.int_info). */
const MAX_DIGITS = 4300;
/** The longest binary integer (LONG4) read: far beyond any number a checkpoint holds. */
const MAX_LONG_BYTES = 1 << 16;

/** A little-endian two's complement integer (LONG1, LONG4): a number where exact, else a BigInt. */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  if (b.length <= 6) {
    let v = 0;
    for (let i = b.length - 1; i >= 0; i--) v = v * 256 + b[i];
    return b[b.length - 1] & 0x80 ? v - 2 ** (8 * b.length) : v;
  }
  let hex = '';
  for (let i = b.length - 1; i >= 0; i--) hex += b[i].toString(16).padStart(2, '0');
  let v = BigInt(`0x${hex}`);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return narrow(v);
}

/** A BigInt as a number when that is exact. */
const narrow = (v: bigint): number | bigint => (v >= -Number.MAX_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER ? Number(v) : v);

/** Protocol 0's decimal integers ("I42\n", "L42L\n"); "I01"/"I00" are True/False. */
function decimal(text: string, input: PickleInput, at: number, bools: boolean): number | bigint | boolean {
  if (bools && text === '01') return true;
  if (bools && text === '00') return false;
  const m = /^([+-]?)(\d+)L?$/.exec(text);
  if (m === null) throw input.fail(`${JSON.stringify(text.slice(0, 40))} is not an integer`, at);
  if (m[2].length > MAX_DIGITS) throw input.fail(`an integer of ${m[2].length} digits (Python reads at most ${MAX_DIGITS})`, at);
  return narrow(BigInt(m[1] + m[2]));
}

const FLOAT_TEXT = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|nan)$/i;

/** Refused opcodes, by what they would do. */
const REFUSED: Record<number, string> = {
  0x69: 'INST (creating an instance of a class)', 0x6f: 'OBJ (creating an instance of a class)',
  0x82: 'EXT1 (the copyreg extension registry)', 0x83: 'EXT2 (the copyreg extension registry)', 0x84: 'EXT4 (the copyreg extension registry)',
  0x97: 'NEXT_BUFFER (an out-of-band buffer)', 0x98: 'READONLY_BUFFER (an out-of-band buffer)',
  0x50: 'PERSID (a text persistent id; torch.save writes BINPERSID)', 0x53: "STRING (protocol 0's quoted strings)", 0x56: "UNICODE (protocol 0's escaped strings)",
  0x92: 'NEWOBJ_EX (keyword arguments to a constructor)',
};

/**
 * Runs the pickle from input.pos to its STOP opcode and returns its value; input.pos is left just
 * after the STOP. Every opcode is checked against the stack (a FormatError naming it, never an
 * exception of JavaScript's own).
 */
export function unpickle(input: PickleInput, hooks: PickleHooks, budget: PickleBudget = { maxBytes: Infinity, used: 0, refuse: () => new Error() }): unknown {
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  let at = input.pos;
  const fail: Fail = (why) => input.fail(why, at);
  const pop = (what: string): unknown => {
    if (stack.length === 0) throw input.fail(`malformed pickle: ${what} finds the stack empty`, at);
    return stack.pop();
  };
  const top = (what: string): unknown => {
    if (stack.length === 0) throw input.fail(`malformed pickle: ${what} finds the stack empty`, at);
    return stack[stack.length - 1];
  };
  const popMark = (what: string): unknown[] => {
    const items = stack;
    const outer = marks.pop();
    if (outer === undefined) throw input.fail(`malformed pickle: ${what} without a MARK`, at);
    stack = outer;
    return items;
  };
  const get = (i: number): unknown => {
    if (!memo.has(i)) throw input.fail(`malformed pickle: a memo reference to ${i}, which was never stored`, at);
    return memo.get(i);
  };
  const put = (i: number) => memo.set(i, top('PUT'));
  const list = (what: string): unknown[] => {
    const l = top(what);
    if (!Array.isArray(l) || tuples.has(l)) throw input.fail(`${what} on ${describe(l)} (only lists can be appended to)`, at);
    return l;
  };
  const dict = (what: string): Record<string, unknown> => {
    const d = top(what);
    if (!isDict(d)) throw input.fail(`${what} on ${describe(d)} (only dicts take items)`, at);
    return d;
  };
  const setItems = (d: Record<string, unknown>, items: unknown[]) => {
    if (items.length % 2 !== 0) throw input.fail('malformed pickle: SETITEMS with an odd number of items', at);
    for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1], fail);
  };
  const charge = (n: number) => {
    budget.used += n;
    if (budget.used > budget.maxBytes) throw budget.refuse(budget.used);
  };
  // A call may copy a container it is given (set(list), bytearray(bytes), a tensor's size), and a
  // pickle can pass one container to a million calls for a few bytes each: what all its calls copy
  // is held to the pickle's length, which a pickle naming each container once never reaches.
  const copyLimit = input.end - input.base;
  let copied = 0;
  const copying: Copying = (n, bytesEach = SLOT) => {
    copied += n;
    if (copied > copyLimit) {
      throw fail(`the pickle's calls copy ${copied} elements out of their arguments, more than the pickle's ${copyLimit} bytes hold (it passes the same values to call after call)`);
    }
    charge(n * bytesEach);
  };
  // (the length is checked against the input before it is charged)
  const str = (n: number, what: string, surrogatePass: boolean) => {
    const b = input.bytes(n, what);
    charge(2 * n);
    return utf8(b, input, at, surrogatePass);
  };
  const bytes = (n: number, what: string) => {
    const b = input.bytes(n, what);
    charge(n);
    return b.slice();
  };
  const len8 = (what: string) => {
    const lo = input.u32(what), hi = input.u32(what);
    const n = (BigInt(hi) << 32n) | BigInt(lo);
    if (n > BigInt(input.remaining)) throw input.truncated(what, n);
    return Number(n);
  };
  const global = (module: unknown, name: unknown) => {
    if (typeof module !== 'string' || typeof name !== 'string') throw input.fail(`STACK_GLOBAL of ${describe(module)} and ${describe(name)} (it takes two strings)`, at);
    return hooks.global(module, name, fail);
  };
  for (;;) {
    at = input.pos;
    const op = input.byte();
    charge(SLOT + COST[op]);
    switch (op) {
      case 0x80: { // PROTO
        const proto = input.byte('PROTO');
        if (proto > 5) throw input.fail(`pickle protocol ${proto} (protocols 0 to 5 are read)`, at);
        break;
      }
      case 0x95: len8('FRAME'); break; // FRAME: a length prefix for buffering; the opcodes follow
      case 0x2e: return pop('STOP'); // STOP
      case 0x28: marks.push(stack); stack = []; break; // MARK
      case 0x30: pop('POP'); break;
      case 0x31: popMark('POP_MARK'); break;
      case 0x32: stack.push(top('DUP')); break;
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: { const b = input.bytes(4, 'BININT'); stack.push(b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)); break; }
      case 0x4b: stack.push(input.byte('BININT1')); break;
      case 0x4d: { const b = input.bytes(2, 'BININT2'); stack.push(b[0] | (b[1] << 8)); break; }
      case 0x8a: stack.push(decodeLong(input.bytes(input.byte('LONG1'), 'LONG1'))); break;
      case 0x8b: {
        const n = input.u32('LONG4');
        if (n > MAX_LONG_BYTES) throw input.fail(`an integer of ${n} bytes (LONG4; tensorgrad reads at most ${MAX_LONG_BYTES})`, at);
        const b = input.bytes(n, 'LONG4');
        charge(2 * n);
        stack.push(decodeLong(b));
        break;
      }
      case 0x49: stack.push(decimal(input.line('INT'), input, at, true)); break; // INT
      case 0x4c: stack.push(decimal(input.line('LONG'), input, at, false)); break; // LONG
      case 0x46: { // FLOAT
        const text = input.line('FLOAT');
        if (!FLOAT_TEXT.test(text)) throw input.fail(`${JSON.stringify(text.slice(0, 40))} is not a float`, at);
        stack.push(/nan/i.test(text) ? NaN : /inf/i.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text));
        break;
      }
      case 0x47: stack.push(new DataView(input.bytes(8, 'BINFLOAT').slice().buffer).getFloat64(0, false)); break; // big-endian
      // str: UTF-8, lone surrogates allowed ('surrogatepass', as Python writes and reads them)
      case 0x58: stack.push(str(input.u32('BINUNICODE'), 'a string (BINUNICODE)', true)); break;
      case 0x8c: stack.push(str(input.byte('SHORT_BINUNICODE'), 'a string (SHORT_BINUNICODE)', true)); break;
      case 0x8d: stack.push(str(len8('BINUNICODE8'), 'a string (BINUNICODE8)', true)); break;
      // Python 2 str: torch.load decodes it as UTF-8, strictly
      case 0x54: stack.push(str(input.u32('BINSTRING'), 'a string (BINSTRING)', false)); break;
      case 0x55: stack.push(str(input.byte('SHORT_BINSTRING'), 'a string (SHORT_BINSTRING)', false)); break;
      case 0x42: stack.push(bytes(input.u32('BINBYTES'), 'a bytes object (BINBYTES)')); break;
      case 0x43: stack.push(bytes(input.byte('SHORT_BINBYTES'), 'a bytes object (SHORT_BINBYTES)')); break;
      case 0x8e: stack.push(bytes(len8('BINBYTES8'), 'a bytes object (BINBYTES8)')); break;
      case 0x96: stack.push(bytes(len8('BYTEARRAY8'), 'a bytearray (BYTEARRAY8)')); break;
      case 0x29: stack.push(newTuple([])); break; // EMPTY_TUPLE
      case 0x74: { const items = popMark('TUPLE'); stack.push(newTuple(items)); break; } // (popMark replaces `stack`)
      case 0x85: stack.push(newTuple([pop('TUPLE1')])); break;
      case 0x86: { const b = pop('TUPLE2'), a = pop('TUPLE2'); stack.push(newTuple([a, b])); break; }
      case 0x87: { const c = pop('TUPLE3'), b = pop('TUPLE3'), a = pop('TUPLE3'); stack.push(newTuple([a, b, c])); break; }
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: { const items = popMark('LIST'); stack.push(items); break; }
      case 0x61: { const item = pop('APPEND'); list('APPEND').push(item); break; }
      case 0x65: { const items = popMark('APPENDS'); const l = list('APPENDS'); for (const x of items) l.push(x); break; }
      case 0x7d: stack.push(newDict()); break; // EMPTY_DICT
      case 0x64: { const items = popMark('DICT'); const d = newDict(); setItems(d, items); stack.push(d); break; }
      case 0x73: { const v = pop('SETITEM'), k = pop('SETITEM'); setItem(dict('SETITEM'), k, v, fail); break; }
      case 0x75: { const items = popMark('SETITEMS'); setItems(dict('SETITEMS'), items); break; }
      case 0x8f: stack.push(newSet([])); break; // EMPTY_SET
      case 0x90: { // ADDITEMS
        const items = popMark('ADDITEMS');
        const s = top('ADDITEMS');
        if (!Array.isArray(s) || !sets.has(s)) throw input.fail(`ADDITEMS on ${describe(s)} (only sets take items)`, at);
        for (const x of items) s.push(x);
        break;
      }
      case 0x91: { const items = popMark('FROZENSET'); stack.push(newSet(items)); break; }
      case 0x67: stack.push(get(index(input.line('GET'), input, at))); break;
      case 0x68: stack.push(get(input.byte('BINGET'))); break;
      case 0x6a: stack.push(get(input.u32('LONG_BINGET'))); break;
      case 0x70: put(index(input.line('PUT'), input, at)); break;
      case 0x71: put(input.byte('BINPUT')); break;
      case 0x72: put(input.u32('LONG_BINPUT')); break;
      case 0x94: put(memo.size); break; // MEMOIZE
      case 0x63: { // GLOBAL
        const module = input.line('GLOBAL');
        stack.push(global(module, input.line('GLOBAL')));
        break;
      }
      case 0x93: { const name = pop('STACK_GLOBAL'), module = pop('STACK_GLOBAL'); stack.push(global(module, name)); break; }
      case 0x52: { // REDUCE
        const args = pop('REDUCE');
        const fn = pop('REDUCE');
        if (!isTuple(args)) throw input.fail(`REDUCE with ${describe(args)} as its arguments (a tuple)`, at);
        stack.push(hooks.reduce(fn, args, fail, copying));
        break;
      }
      case 0x81: { // NEWOBJ: cls.__new__(cls, *args), allowed for what REDUCE allows
        const args = pop('NEWOBJ');
        const cls = pop('NEWOBJ');
        if (!isTuple(args)) throw input.fail(`NEWOBJ with ${describe(args)} as its arguments (a tuple)`, at);
        stack.push(hooks.reduce(cls, args, fail, copying));
        break;
      }
      case 0x62: { const state = pop('BUILD'); hooks.build(top('BUILD'), state, fail); break; }
      case 0x51: stack.push(hooks.persistent(pop('BINPERSID'), fail)); break;
      default:
        if (op in REFUSED) throw input.fail(`the pickle uses ${REFUSED[op]}, which is not allowed`, at);
        throw input.fail(`malformed pickle: unknown opcode 0x${op.toString(16).padStart(2, '0')}`, at);
    }
  }
}

/** A memo index in text (GET, PUT). */
function index(text: string, input: PickleInput, at: number): number {
  if (!/^\d{1,15}$/.test(text)) throw input.fail(`${JSON.stringify(text.slice(0, 40))} is not a memo index`, at);
  return Number(text);
}
