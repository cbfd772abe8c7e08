/**
 * The bytes of a pickle as the unpickler (pickle.ts) reads them: from memory, or a chunk at a time
 * from a file, every length checked against what remains before anything is read, with messages
 * that name the pickle and the position.
 */
import { FormatError } from '../errors';
import type { ByteSource } from './bytes';

const CHUNK = 1 << 16;
const MAX_LINE = 1 << 16;

/** The pickle's bytes, read a chunk at a time from a ByteSource (or all in memory). */
export class PickleInput {
  private buf: Uint8Array;
  private bufStart: number;
  /** Where the next opcode starts; where the pickle began (positions in messages count from it). */
  pos: number;
  readonly base: number;

  constructor(
    /** How messages name the pickle: "model.pt" or "model.pt (archive/data.pkl)". */
    readonly label: string,
    private readonly src: ByteSource | Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = this.base = start;
    this.buf = src instanceof Uint8Array ? src : new Uint8Array(0);
    this.bufStart = 0;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(why: string, at = this.pos): FormatError {
    return new FormatError(`${this.label}: ${why} (at byte ${at - this.base} of the pickle)`);
  }

  truncated(what: string, n: number | bigint): FormatError {
    return new FormatError(`${this.label}: truncated pickle at byte ${this.pos - this.base}: ${what} needs ${n} bytes, but ${this.remaining} remain`);
  }

  /** Makes bytes [pos, pos + n) available in buf; n must not exceed what remains. */
  private ensure(n: number): void {
    if (this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length) return;
    const src = this.src as ByteSource;
    const len = Math.min(Math.max(n, CHUNK), this.end - this.pos);
    this.buf = new Uint8Array(len);
    this.bufStart = this.pos;
    src.readInto(this.buf, this.pos);
  }

  byte(what = 'an opcode'): number {
    if (this.pos >= this.end) throw this.truncated(what, 1);
    this.ensure(1);
    return this.buf[this.pos++ - this.bufStart];
  }

  /** The next n bytes (a view: copy them to keep them); n is checked against what remains first. */
  bytes(n: number, what: string): Uint8Array {
    if (n > this.remaining) throw this.truncated(what, n);
    this.ensure(n);
    const at = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(at, at + n);
  }

  u32(what: string): number {
    const b = this.bytes(4, what);
    return (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 2 ** 24;
  }

  /** A text line without its newline (protocol 0's arguments), at most 64 KB. */
  line(what: string): string {
    const start = this.pos;
    const chars: number[] = [];
    for (;;) {
      if (this.pos >= this.end) {
        this.pos = start;
        throw this.truncated(`${what} (a line)`, chars.length + 1);
      }
      const c = this.byte();
      if (c === 0x0a) break;
      if (chars.length >= MAX_LINE) throw this.fail(`${what}: a line longer than ${MAX_LINE} bytes`, start);
      chars.push(c);
    }
    return utf8(Uint8Array.from(chars), this, start);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as UTF-8 text; with `surrogatePass`, as Python decodes a pickle's str (BINUNICODE and its
 * kin: 'surrogatepass'), a lone surrogate encoded as three bytes (ED A0..BF 80..BF) too.
 */
export function utf8(b: Uint8Array, input: PickleInput, at: number, surrogatePass = false): string {
  try {
    return decoder.decode(b);
  } catch {
    if (surrogatePass) {
      const s = withSurrogates(b);
      if (s !== null) return s;
    }
    throw input.fail('a string that is not valid UTF-8', at);
  }
}

/** UTF-8 with encoded surrogates (see utf8), or null if it is not. */
function withSurrogates(b: Uint8Array): string | null {
  const parts: string[] = [];
  let start = 0;
  try {
    for (let i = 0; i + 2 < b.length; i++) {
      // 0xED is only ever a lead byte, so this finds no sequence inside another character
      if (b[i] !== 0xed || b[i + 1] < 0xa0 || b[i + 1] > 0xbf || b[i + 2] < 0x80 || b[i + 2] > 0xbf) continue;
      parts.push(decoder.decode(b.subarray(start, i)), String.fromCharCode(0xd000 | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f)));
      start = i + 3;
      i += 2;
    }
    parts.push(decoder.decode(b.subarray(start)));
  } catch {
    return null;
  }
  return parts.join('');
}
