/**
 * Reading a safetensors header from an untrusted file, in memory bounded by its size: the header
 * is parsed straight from its bytes by a parser that accepts only the format (an object whose
 * values are tensor entries `{"dtype": string, "shape": [at most 64 integers], "data_offsets":
 * [begin, end]}`, plus an optional "__metadata__" object of strings), so nesting deeper than that
 * is refused at its first bracket, and no JSON.parse builds objects of whatever the file holds.
 * Names from the file are looked up as own keys only (a Map), never through a prototype.
 */
import { isUtf8 } from 'node:buffer';
import { FormatError, shapeStr } from '../errors';
import type { Stored } from './bytes';

/** The reference implementation's limit on the header (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;
/** The most dimensions a shape may have. */
const MAX_DIMS = 64;

const le = (kind: Stored['kind'], size: Stored['size']): Stored => ({ kind, size, littleEndian: true });
/** The format's dtype names, in its order (increasing alignment), and how each is stored (null: not loadable). */
export const DTYPES: ReadonlyMap<string, Stored | null> = new Map([
  ['BOOL', le('b', 1)], ['U8', le('u', 1)], ['I8', le('i', 1)], ['F8_E5M2', null], ['F8_E4M3', null],
  ['I16', le('i', 2)], ['U16', le('u', 2)], ['F16', le('f', 2)], ['BF16', le('bf', 2)],
  ['I32', le('i', 4)], ['U32', le('u', 4)], ['F32', le('f', 4)], ['F64', le('f', 8)], ['I64', le('i', 8)], ['U64', le('u', 8)],
]);

export interface Entry {
  name: string;
  stored: Stored;
  shape: number[];
  begin: number;
  end: number;
}

export interface Header {
  /** Where the data section starts: 8 + N. */
  dataStart: number;
  /** The tensors, in the order of their data. */
  entries: Entry[];
  /** `__metadata__` as [key, value] pairs (null when absent, or not asked for). */
  metadata: [string, string][] | null;
}

/** The header length from the first 8 bytes, checked against the limit and the file's size. */
export function headerLength(prefix: Uint8Array, fileSize: number, name: string): number {
  if (fileSize < 8) throw new FormatError(`${name}: not a safetensors file: ${fileSize} bytes, fewer than the 8 of the header length (HeaderTooSmall)`);
  const n = Buffer.from(prefix.buffer, prefix.byteOffset, 8).readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new FormatError(`${name}: the safetensors header claims ${n} bytes, more than the ${MAX_HEADER_BYTES} allowed (HeaderTooLarge)`);
  }
  if (Number(n) + 8 > fileSize) {
    throw new FormatError(`${name}: the safetensors header claims ${n} bytes, but the file has only ${fileSize - 8} after the length (InvalidHeaderLength)`);
  }
  return Number(n);
}

const [SPACE, TAB, LF, CR, QUOTE, COMMA, COLON, LBRACKET, RBRACKET, LBRACE, RBRACE, BACKSLASH] = [...' \t\n\r",:[]{}\\'].map((c) => c.charCodeAt(0));
const ESCAPES: ReadonlyMap<number, string> = new Map([...'"\\/bfnrt'].map((c, i) => [c.charCodeAt(0), '"\\/\b\f\n\r\t'[i]]));

/** A JSON reader over the header's bytes for the few shapes of value the format has. */
class Reader {
  i = 0;
  constructor(private readonly b: Buffer, private readonly name: string) {}

  syntax(what: string): FormatError {
    return new FormatError(`${this.name}: the safetensors header is not valid JSON: ${what} at byte ${this.i} (InvalidHeaderDeserialization)`);
  }

  /** The next byte that is not whitespace (the reader stays on it). */
  peek(): number {
    const b = this.b;
    while (this.i < b.length && (b[this.i] === SPACE || b[this.i] === LF || b[this.i] === CR || b[this.i] === TAB)) this.i++;
    if (this.i >= b.length) throw this.syntax('the header ends early');
    return b[this.i];
  }

  /**
   * Reads an object: `member(key)` reads each value. `notObject` is the error when there is none.
   * With `keepKeys` false the keys are checked but not made into strings ('' is passed).
   */
  object(member: (key: string) => void, notObject: () => FormatError, keepKeys = true): void {
    if (this.peek() !== LBRACE) throw notObject();
    this.i++;
    if (this.peek() === RBRACE) {
      this.i++;
      return;
    }
    for (;;) {
      const key = this.string(() => this.syntax('expected a string key'), keepKeys);
      if (this.peek() !== COLON) throw this.syntax("expected ':'");
      this.i++;
      member(key);
      const c = this.peek();
      if (c !== COMMA && c !== RBRACE) throw this.syntax("expected ',' or '}'");
      this.i++;
      if (c === RBRACE) return;
    }
  }

  /** A string; with `keep` false it is checked and skipped, and '' returned. */
  string(notString: () => FormatError, keep = true): string {
    if (this.peek() !== QUOTE) throw notString();
    const b = this.b;
    let start = ++this.i;
    let out = '';
    for (;;) {
      if (this.i >= b.length) throw this.syntax('an unterminated string');
      const c = b[this.i];
      if (c === QUOTE) {
        if (keep) out += b.toString('utf8', start, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) throw this.syntax('a control character in a string');
      if (c === BACKSLASH) {
        if (keep) out += b.toString('utf8', start, this.i);
        const e = b[this.i + 1];
        if (e === 0x75 /* u */) {
          const hex = b.toString('latin1', this.i + 2, this.i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.syntax('a bad \\u escape');
          if (keep) out += String.fromCharCode(parseInt(hex, 16));
          this.i += 6;
        } else {
          const s = ESCAPES.get(e);
          if (s === undefined) throw this.syntax('a bad escape');
          if (keep) out += s;
          this.i += 2;
        }
        start = this.i;
        continue;
      }
      this.i++;
    }
  }

  /** An array of at most `max` non-negative integers (safe integers, no fraction or exponent). */
  counts(max: number, bad: (what: string) => FormatError): number[] {
    if (this.peek() !== LBRACKET) throw bad('not an array');
    this.i++;
    const out: number[] = [];
    if (this.peek() === RBRACKET) {
      this.i++;
      return out;
    }
    for (;;) {
      this.peek();
      const b = this.b, start = this.i;
      while (this.i < b.length && b[this.i] >= 0x30 && b[this.i] <= 0x39) this.i++;
      const digits = b.toString('latin1', start, this.i);
      const next = this.peek();
      if (digits === '' || (digits.length > 1 && digits[0] === '0') || (next !== COMMA && next !== RBRACKET)) throw bad('an item that is not a non-negative integer');
      const v = Number(digits);
      if (!Number.isSafeInteger(v)) throw bad(`${digits}, too large`);
      out.push(v);
      if (out.length > max) throw bad(`more than ${max} items`);
      this.i++;
      if (next === RBRACKET) return out;
    }
  }
}

/**
 * Parses and checks the header (the n bytes after the length) against the size of the data
 * section that follows it. Every tensor's bytes must agree with its shape and dtype and lie in the
 * data, and the tensors must cover the data exactly once, as the reference implementation requires.
 */
export function parseHeader(json: Uint8Array, fileSize: number, name: string, wantMetadata = false): Header {
  const b = Buffer.from(json.buffer, json.byteOffset, json.length);
  if (!isUtf8(b)) throw new FormatError(`${name}: the safetensors header is not valid UTF-8 (InvalidHeader)`);
  if (b[0] !== LBRACE) throw new FormatError(`${name}: the safetensors header does not start with '{' (InvalidHeaderStart)`);
  const r = new Reader(b, name);
  const entries: Entry[] = [];
  const names = new Set<string>();
  let metadata: [string, string][] | null = null;
  const badMetadata = () => new FormatError(`${name}: __metadata__ must map strings to strings (InvalidHeaderDeserialization)`);
  r.object((key) => {
    if (names.has(key)) throw new FormatError(`${name}: '${key}' appears twice in the header (InvalidHeaderDeserialization)`);
    names.add(key);
    if (key !== '__metadata__') {
      entries.push(readEntry(r, key, name));
      return;
    }
    const pairs: [string, string][] = [];
    r.object((k) => {
      const v = r.string(badMetadata, wantMetadata);
      if (wantMetadata) pairs.push([k, v]);
    }, badMetadata, wantMetadata);
    if (wantMetadata) metadata = pairs;
  }, () => r.syntax("expected '{'"));
  if (r.i < b.length && b.subarray(r.i).some((c) => c !== SPACE && c !== LF && c !== CR && c !== TAB)) throw r.syntax('text after the header');

  entries.sort((x, y) => x.begin - y.begin);
  const n = json.length;
  const dataSize = fileSize - 8 - n;
  let at = 0;
  for (const e of entries) {
    if (e.begin !== at) {
      const what = e.begin > at ? `leaves bytes ${at} to ${e.begin} unused` : `overlaps the tensor before it, which ends at ${at}`;
      throw new FormatError(`${name}: tensor '${e.name}' starts at byte ${e.begin} of the data and ${what} (InvalidOffset)`);
    }
    const bytes = e.shape.reduce((p, s) => p * BigInt(s), 1n) * BigInt(e.stored.size);
    if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new FormatError(`${name}: tensor '${e.name}' of shape ${shapeStr(e.shape)} needs ${bytes} bytes, more than any file can hold (ValidationOverflow)`);
    }
    if (bytes !== BigInt(e.end - e.begin)) {
      throw new FormatError(
        `${name}: tensor '${e.name}' of shape ${shapeStr(e.shape)} needs ${bytes} bytes, ` +
          `but its data_offsets [${e.begin}, ${e.end}] hold ${e.end - e.begin} (TensorInvalidInfo)`,
      );
    }
    if (e.end > dataSize) {
      throw new FormatError(`${name}: tensor '${e.name}' ends at byte ${e.end} of the data, but the file holds ${dataSize} data bytes (InvalidOffset)`);
    }
    at = e.end;
  }
  if (at !== dataSize) {
    throw new FormatError(`${name}: the tensors' data ends at byte ${at}, but the file holds ${dataSize} data bytes (MetadataIncompleteBuffer)`);
  }
  return { dataStart: 8 + n, entries, metadata };
}

/** One tensor's entry: its three keys, each once. */
function readEntry(r: Reader, key: string, name: string): Entry {
  const bad = (what: string) => new FormatError(`${name}: tensor '${key}': ${what} (InvalidHeaderDeserialization)`);
  let dtype: string | undefined, shape: number[] | undefined, offsets: number[] | undefined;
  r.object((field) => {
    if (field === 'dtype' && dtype === undefined) dtype = r.string(() => bad('dtype must be a string'));
    else if (field === 'shape' && shape === undefined) {
      shape = r.counts(MAX_DIMS, (what) => bad(`shape must be an array of non-negative integers, with at most ${MAX_DIMS} (${what})`));
    } else if (field === 'data_offsets' && offsets === undefined) {
      offsets = r.counts(2, (what) => bad(`data_offsets must be two integers [begin, end] with begin <= end (${what})`));
    } else {
      throw bad(`${JSON.stringify(field)} is ${['dtype', 'shape', 'data_offsets'].includes(field) ? 'given twice' : 'not a key of a tensor entry (dtype, shape, data_offsets)'}`);
    }
  }, () => bad('its entry is not an object'));
  if (dtype === undefined || shape === undefined || offsets === undefined) throw bad('it needs dtype, shape and data_offsets');
  if (!DTYPES.has(dtype)) throw bad(`unknown dtype ${JSON.stringify(dtype)}`);
  const stored = DTYPES.get(dtype)!;
  if (stored === null) throw new FormatError(`${name}: tensor '${key}': tensorgrad cannot load ${dtype} tensors`);
  if (offsets.length !== 2 || offsets[1] < offsets[0]) throw bad('data_offsets must be two integers [begin, end] with begin <= end');
  return { name: key, stored, shape, begin: offsets[0], end: offsets[1] };
}
