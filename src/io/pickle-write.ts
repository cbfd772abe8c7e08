/**
 * A pickle writer for protocol 2, the protocol torch.save uses, emitting what Python's own pickler
 * emits for the same values: the same opcodes, in the same order, with the same memo (every string,
 * non-empty tuple, list, dict, global and reduced object is put in the memo as it is written, and
 * one written again is fetched from it). Strings are remembered by value, where Python remembers
 * the string object: the same for the names a state dict repeats, which Python shares. Only opcodes
 * that torch.load(weights_only=True) accepts are used, except LONG4 for integers of more than 255
 * bytes, which Python writes the same way.
 *
 * The writer knows values, not JavaScript objects: torch-save.ts decides what each object becomes.
 */

// Opcodes (Python's Lib/pickle.py names).
const MARK = 0x28, STOP = 0x2e, BININT = 0x4a, BININT1 = 0x4b, BININT2 = 0x4d, NONE = 0x4e, BINPERSID = 0x51, REDUCE = 0x52;
const BINUNICODE = 0x58, EMPTY_LIST = 0x5d, APPEND = 0x61, GLOBAL = 0x63, APPENDS = 0x65, BINGET = 0x68;
const LONG_BINGET = 0x6a, BINPUT = 0x71, LONG_BINPUT = 0x72, SETITEM = 0x73, TUPLE = 0x74, SETITEMS = 0x75, EMPTY_DICT = 0x7d;
const BINFLOAT = 0x47, EMPTY_TUPLE = 0x29, PROTO = 0x80, TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89;
const LONG1 = 0x8a, LONG4 = 0x8b;
/** Python's pickler appends and sets items in batches of this many. */
const BATCH = 1000;

/** How the items of a list or dict are batched (see PickleWriter.beforeItem). */
export type Batching = 'list' | 'dict' | 'items';

/** A string as UTF-8, lone surrogates included (encoded as Python's 'surrogatepass' does). */
export function utf8SurrogatePass(s: string): Buffer {
  if (!/\p{Cs}/u.test(s)) return Buffer.from(s, 'utf8');
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (c >= 0xd800 && c <= 0xdfff) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(out);
}

/** x as Python's pickle.encode_long writes it: two's complement, little-endian, as few bytes as hold it. */
export function encodeLong(x: bigint): Buffer {
  if (x === 0n) return Buffer.alloc(0);
  const magnitude = x < 0n ? -x : x;
  const n = Math.floor(magnitude.toString(2).length / 8) + 1;
  let v = x < 0n ? (1n << BigInt(8 * n)) + x : x;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  // Python drops a redundant sign byte of a negative number, as in -128 -> 80 (not 80 ff).
  if (x < 0n && n > 1 && out[n - 1] === 0xff && (out[n - 2] & 0x80) !== 0) return out.subarray(0, n - 1);
  return out;
}

export class PickleWriter {
  private buf = Buffer.alloc(1024);
  private length = 0;
  private memoSize = 0;
  private readonly strings = new Map<string, number>();
  private readonly globals = new Map<string, number>();
  private readonly objects = new Map<object, number>();

  constructor() {
    this.bytes(PROTO, 2);
  }

  /** The pickle, ended with STOP. */
  finish(): Buffer {
    this.bytes(STOP);
    return this.buf.subarray(0, this.length);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }

  private bytes(...values: number[]): void {
    this.room(values.length);
    for (const v of values) this.buf[this.length++] = v;
  }

  private raw(data: Uint8Array): void {
    this.room(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  private u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
  }

  /** Puts the value on top of the stack in the memo; returns its index. */
  put(): number {
    const i = this.memoSize++;
    if (i < 256) this.bytes(BINPUT, i);
    else {
      this.bytes(LONG_BINPUT);
      this.u32(i);
    }
    return i;
  }

  private get(i: number): void {
    if (i < 256) this.bytes(BINGET, i);
    else {
      this.bytes(LONG_BINGET);
      this.u32(i);
    }
  }

  /** Puts the value on top of the stack in the memo as the pickle of `obj`. */
  remember(obj: object): void {
    this.objects.set(obj, this.put());
  }

  /** Writes obj again if it is in the memo (and returns true). */
  recall(obj: object): boolean {
    const i = this.objects.get(obj);
    if (i === undefined) return false;
    this.get(i);
    return true;
  }

  none(): void {
    this.bytes(NONE);
  }

  bool(b: boolean): void {
    this.bytes(b ? NEWTRUE : NEWFALSE);
  }

  /** An int: the shortest of BININT1, BININT2, BININT, LONG1 and LONG4 that holds it, as Python picks. */
  int(x: number | bigint): void {
    const n = Number(x);
    if (Number.isSafeInteger(n) && n >= 0 && n <= 0xff) this.bytes(BININT1, n);
    else if (Number.isSafeInteger(n) && n >= 0 && n <= 0xffff) this.bytes(BININT2, n & 0xff, n >> 8);
    else if (Number.isSafeInteger(n) && n >= -0x80000000 && n <= 0x7fffffff) {
      this.bytes(BININT);
      this.room(4);
      this.buf.writeInt32LE(n, this.length);
      this.length += 4;
    } else {
      const encoded = encodeLong(BigInt(x));
      if (encoded.length < 256) this.bytes(LONG1, encoded.length);
      else {
        this.bytes(LONG4);
        this.u32(encoded.length);
      }
      this.raw(encoded);
    }
  }

  float(x: number): void {
    this.bytes(BINFLOAT);
    this.room(8);
    this.buf.writeDoubleBE(x, this.length);
    this.length += 8;
  }

  /** A str (strings are memoized by value: a string written before is fetched from the memo). */
  str(s: string): void {
    const i = this.strings.get(s);
    if (i !== undefined) return this.get(i);
    const encoded = utf8SurrogatePass(s);
    this.bytes(BINUNICODE);
    this.u32(encoded.length);
    this.raw(encoded);
    this.strings.set(s, this.put());
  }

  /** A bytes object (memoized as `data`), as protocol 2 writes one: _codecs.encode(latin-1 text, 'latin1'). */
  pyBytes(data: Uint8Array): void {
    this.global('_codecs', 'encode');
    // Python writes an empty bytes object as builtins.bytes(), which weights_only refuses; this is the same value.
    this.tuple(2, () => {
      this.str(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1'));
      this.str('latin1');
    });
    this.bytes(REDUCE);
    this.remember(data);
  }

  /** GLOBAL module.name (memoized). */
  global(module: string, name: string): void {
    const key = `${module}\n${name}\n`;
    const i = this.globals.get(key);
    if (i !== undefined) return this.get(i);
    this.bytes(GLOBAL);
    this.raw(Buffer.from(key, 'utf8'));
    this.globals.set(key, this.put());
  }

  /** A tuple of n items, which `items` writes. */
  tuple(n: number, items: () => void): void {
    if (n === 0) return this.bytes(EMPTY_TUPLE);
    if (n > 3) this.bytes(MARK);
    items();
    this.bytes(n > 3 ? TUPLE : [TUPLE1, TUPLE2, TUPLE3][n - 1]);
    this.put();
  }

  /** An empty list, memoized as `obj` (see beforeItem). */
  emptyList(obj: object): void {
    this.bytes(EMPTY_LIST);
    this.remember(obj);
  }

  /** An empty dict, memoized as `obj` (see beforeItem). */
  emptyDict(obj: object): void {
    this.bytes(EMPTY_DICT);
    this.remember(obj);
  }

  /*
   * Filling the list or dict on top of the stack with n items (a dict's: key then value), batched
   * as Python's C pickler batches them: MARK ... APPENDS (SETITEMS) per 1000 items, and
   * - 'list' (batch_list_exact), 'dict' (batch_dict_exact): one item alone with APPEND (SETITEM)
   *   when it is the only one, and a dict of a multiple of 1000 items ends with an empty batch;
   * - 'items' (batch_dict, an OrderedDict's items from its __reduce__): a batch of one item is
   *   SETITEM, and nothing follows a last full batch.
   * The caller writes item i between beforeItem(i, n, batching) and afterItem(i, n, batching), in
   * a loop of its own, so that nesting costs few stack frames.
   */

  beforeItem(i: number, n: number, batching: Batching): void {
    if (i % BATCH === 0 && (batching === 'items' ? Math.min(BATCH, n - i) : n) > 1) this.bytes(MARK);
  }

  afterItem(i: number, n: number, batching: Batching): void {
    if ((i + 1) % BATCH !== 0 && i + 1 !== n) return;
    const lone = batching === 'items' ? i % BATCH === 0 : n === 1;
    this.bytes(batching === 'list' ? (lone ? APPEND : APPENDS) : lone ? SETITEM : SETITEMS);
    if (batching === 'dict' && i + 1 === n && n > 1 && n % BATCH === 0) this.bytes(MARK, SETITEMS);
  }

  /** Calls the callable below the argument tuple on top of the stack. */
  reduce(): void {
    this.bytes(REDUCE);
  }

  /** Replaces the persistent id on top of the stack by the object it names. */
  persistentId(): void {
    this.bytes(BINPERSID);
  }
}
