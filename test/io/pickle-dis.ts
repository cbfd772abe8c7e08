/**
 * A tiny pickle disassembler for the tests: the opcodes of a protocol-2 pickle, with their
 * arguments, named as Python's pickletools names them.
 */
export type Op = [name: string, arg?: string | number | bigint];

const NO_ARG: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x4e: 'NONE', 0x51: 'BINPERSID', 0x52: 'REDUCE', 0x5d: 'EMPTY_LIST', 0x61: 'APPEND',
  0x62: 'BUILD', 0x65: 'APPENDS', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x75: 'SETITEMS', 0x7d: 'EMPTY_DICT', 0x29: 'EMPTY_TUPLE',
  0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE',
};

/** Python's pickle.decode_long: little-endian two's complement. */
function decodeLong(b: Buffer): bigint {
  if (b.length === 0) return 0n;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return b[b.length - 1] & 0x80 ? v - (1n << BigInt(8 * b.length)) : v;
}

export function disassemble(pickle: Uint8Array): Op[] {
  const b = Buffer.from(pickle.buffer, pickle.byteOffset, pickle.byteLength);
  const ops: Op[] = [];
  let i = 0;
  while (i < b.length) {
    const code = b[i++];
    if (code in NO_ARG) {
      ops.push([NO_ARG[code]]);
      continue;
    }
    switch (code) {
      case 0x80: ops.push(['PROTO', b[i]]); i += 1; break;
      case 0x71: ops.push(['BINPUT', b[i]]); i += 1; break;
      case 0x68: ops.push(['BINGET', b[i]]); i += 1; break;
      case 0x72: ops.push(['LONG_BINPUT', b.readUInt32LE(i)]); i += 4; break;
      case 0x6a: ops.push(['LONG_BINGET', b.readUInt32LE(i)]); i += 4; break;
      case 0x4b: ops.push(['BININT1', b[i]]); i += 1; break;
      case 0x4d: ops.push(['BININT2', b.readUInt16LE(i)]); i += 2; break;
      case 0x4a: ops.push(['BININT', b.readInt32LE(i)]); i += 4; break;
      case 0x47: ops.push(['BINFLOAT', b.readDoubleBE(i)]); i += 8; break;
      case 0x8a: {
        const n = b[i];
        ops.push(['LONG1', decodeLong(b.subarray(i + 1, i + 1 + n))]);
        i += 1 + n;
        break;
      }
      case 0x8b: {
        const n = b.readUInt32LE(i);
        ops.push(['LONG4', decodeLong(b.subarray(i + 4, i + 4 + n))]);
        i += 4 + n;
        break;
      }
      case 0x58: {
        const n = b.readUInt32LE(i);
        ops.push(['BINUNICODE', b.subarray(i + 4, i + 4 + n).toString('utf8')]);
        i += 4 + n;
        break;
      }
      case 0x63: {
        const first = b.indexOf(0x0a, i);
        const second = b.indexOf(0x0a, first + 1);
        ops.push(['GLOBAL', `${b.subarray(i, first).toString('utf8')} ${b.subarray(first + 1, second).toString('utf8')}`]);
        i = second + 1;
        break;
      }
      default:
        throw new Error(`unknown opcode 0x${code.toString(16)} at ${i - 1}`);
    }
  }
  return ops;
}

/** The opcodes without the memo's bookkeeping (BINPUT, LONG_BINPUT), which most checks ignore. */
export function opsOf(pickle: Uint8Array): Op[] {
  return disassemble(pickle).filter(([name]) => name !== 'BINPUT' && name !== 'LONG_BINPUT');
}
