// Crafting pickles and torch.save files byte by byte, any field a lie, for the hostile-file tests.
import { zip, type Member } from './craft';

type Part = string | number[] | Uint8Array;

/** The concatenation of parts: strings as latin1 (opcodes and their text), arrays as bytes. */
export function pk(...parts: Part[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/** BINUNICODE: a str. */
export const str = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return pk('X', u32(b.length), b);
};

/** LONG1: any int. */
export const long = (n: bigint) => {
  const bytes: number[] = [];
  for (let v = n; ; ) {
    const b = Number(v & 0xffn);
    bytes.push(b);
    v >>= 8n;
    if ((v === 0n && !(b & 0x80)) || (v === -1n && b & 0x80)) break;
  }
  return pk([0x8a, bytes.length], bytes);
};

/** An int: BININT where it fits in 32 bits, else LONG1. */
export const int = (n: number): Buffer => {
  if (n < -(2 ** 31) || n >= 2 ** 31) return long(BigInt(n));
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return pk('J', b);
};

/** GLOBAL module.name. */
export const global = (module: string, name: string) => pk(`c${module}\n${name}\n`);

/** A tuple (MARK ... TUPLE) of ints (or of pickled parts). */
export const tuple = (...items: (number | Part)[]) => pk('(', ...items.map((x) => (typeof x === 'number' ? int(x) : x)), 't');

export interface TensorArgs {
  key?: string;
  storage?: string;
  numel: number;
  offset?: number;
  size: number[];
  stride: number[];
  requiresGrad?: boolean;
}

/** The persistent id of a storage in the zip format: ('storage', torch.<Storage>, key, 'cpu', numel). */
export const storageId = (key: string, numel: number, storage = 'FloatStorage') =>
  pk('(', str('storage'), global('torch', storage), str(key), str('cpu'), int(numel), 't', 'Q');

/** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict()). */
export function tensor(a: TensorArgs): Buffer {
  return pk(
    global('torch._utils', '_rebuild_tensor_v2'),
    '(', storageId(a.key ?? '0', a.numel, a.storage), int(a.offset ?? 0), tuple(...a.size), tuple(...a.stride),
    a.requiresGrad ? [0x88] : [0x89], global('collections', 'OrderedDict'), ')R', 't', 'R',
  );
}

/** A protocol-2 pickle of {name: value, ...} (values already pickled), ending with STOP. */
export function dictPickle(entries: [string, Part][]): Buffer {
  return pk([0x80, 2], '}(', ...entries.flatMap(([k, v]) => [str(k), v]), 'u.');
}

/** A protocol-2 pickle of one pickled value. */
export const valuePickle = (v: Part) => pk([0x80, 2], v, '.');

/** A torch.save zip: <prefix>/data.pkl, byteorder, the storages as data/<key>, and version, as PyTorch lays them out. */
export function torchZip(pkl: Uint8Array, storages: Record<string, Uint8Array> = {}, opts: { prefix?: string; byteorder?: string; extra?: Member[] } = {}): Buffer {
  const prefix = opts.prefix ?? 'archive';
  return zip([
    { name: `${prefix}/data.pkl`, data: pkl },
    { name: `${prefix}/byteorder`, data: Buffer.from(opts.byteorder ?? 'little') },
    ...Object.entries(storages).map(([k, data]) => ({ name: `${prefix}/data/${k}`, data })),
    { name: `${prefix}/version`, data: Buffer.from('3\n') },
    ...(opts.extra ?? []),
  ]);
}

/** float32 elements, little-endian. */
export const f32 = (...xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);

/** A legacy (pre-1.6) torch.save file: magic, protocol, sys_info, the pickle, its storage keys, then each storage (count, bytes). */
export function legacyFile(pkl: Uint8Array, storages: [string, number, Uint8Array][]): Buffer {
  const count = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(n));
    return b;
  };
  return pk(
    valuePickle(long(0x1950a86a20f9469cfc6cn)), valuePickle(pk('M', [0xe9, 0x03])), valuePickle(pk('}')), pkl,
    valuePickle(pk(']', '(', ...storages.map(([k]) => str(k)), 'e')),
    ...storages.flatMap(([, n, data]) => [count(n), data]),
  );
}

/** The persistent id of a legacy storage: ('storage', torch.<Storage>, key, 'cpu', numel, view_metadata or None). */
export const legacyStorageId = (key: string, numel: number, view?: [string, number, number]) =>
  pk('(', str('storage'), global('torch', 'FloatStorage'), str(key), str('cpu'), int(numel), view ? tuple(str(view[0]), view[1], view[2]) : 'N', 't', 'Q');

/** A legacy tensor over storage key (the v2 rebuild with a legacy persistent id), or over a view of it. */
export function legacyTensor(key: string, numel: number, size: number[], stride: number[], view?: [string, number, number]): Buffer {
  return pk(global('torch._utils', '_rebuild_tensor_v2'), '(', legacyStorageId(key, numel, view), int(0), tuple(...size), tuple(...stride), [0x89], '}', 't', 'R');
}
