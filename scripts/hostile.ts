/**
 * Hostile inputs, each run in a child process of its own: files crafted to exhaust memory or time
 * (zip bombs, lying zip directories, deeply nested headers) or to confuse the loaders (prototype
 * keys, special files), and a save killed midway. Per case it prints the outcome (the error's class
 * and the start of its message, or 'ok'), the exit status, the wall time and the child's peak RSS,
 * and fails (exit status 1) when a case crashes, gets the wrong outcome, runs past its time limit,
 * or peaks above max(200 MB, 2 x the bytes the file legitimately declares).
 *
 *   npx tsx scripts/hostile.ts              # every case, the library from src/ (through tsx)
 *   npx tsx scripts/hostile.ts --dist       # the library from dist/ (require of the repo root)
 *   npx tsx scripts/hostile.ts --only npz   # the cases whose name contains 'npz'
 *   npx tsx scripts/hostile.ts --fast       # leave out the cases marked slow
 *   npx tsx scripts/hostile.ts --no-rss     # outcomes and times only (a sanitizer build's RSS is not the library's)
 *
 * More cases (other API misuse) go in CASES: `run` is JavaScript run in the child, with in scope
 * `tg` (the library), `fs`, `path`, `zlib`, `tmp` (a fresh directory, removed afterwards) and the
 * helpers of PRELUDE; it may be async and should throw what the library throws.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const MB = 1 << 20;

export interface HostileCase {
  name: string;
  /** The bytes the file legitimately asks for (0 if none): peak RSS may reach max(200 MB, 2x this). */
  declaredBytes: number;
  /** The outcome wanted: an error class name ('FormatError', 'TypeError'...) or 'ok'. */
  expect: string;
  /** JavaScript for the child (see above). */
  run?: string;
  /** Or a check run from this process, which reports the outcome, time and RSS itself. */
  parent?: () => Promise<Outcome>;
  /** The time limit in seconds, the child's start included (default 5). */
  seconds?: number;
  /** Left out by --fast. */
  slow?: boolean;
}

export interface Outcome {
  /** 'ok', or the class of the error thrown. */
  result: string;
  message?: string;
  /** Exit status, or the signal that ended the child. */
  exit: string;
  /** The case's own time (after the library loaded), and the child's wall time from its spawn. */
  ms: number;
  wallMs?: number;
  maxRSS: number;
}

/** Helpers for the cases' JavaScript: .npy and zip files with any field a lie, safetensors files. */
const PRELUDE = String.raw`
/** CRC-32 (zlib's polynomial), for Node versions without zlib.crc32. */
function crc32Js(buf) {
  let c = ~0;
  for (const b of buf) { c ^= b; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
  return ~c >>> 0;
}
const crc32 = typeof zlib.crc32 === 'function' ? zlib.crc32 : crc32Js;
/** Calls each f; each must throw an error of class Cls (another error is thrown on). Ends with a Cls. */
function refuseAll(Cls, ...fs) {
  for (const f of fs) {
    try { f(); } catch (e) { if (!(e instanceof Cls)) throw e; continue; }
    throw new Error('no error: ' + f);
  }
  throw new Cls('all ' + fs.length + ' refused');
}
/** An .npy file (version 1.0): the header for descr and shape, then data (a Buffer). */
function npy(descr, shape, data) {
  const dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape.join(', ') + (shape.length === 1 ? ',' : '') + '), }';
  const pad = 64 - ((10 + dict.length + 1) % 64);
  const header = Buffer.from(dict + ' '.repeat(pad % 64) + '\n', 'latin1');
  const len = Buffer.alloc(2);
  len.writeUInt16LE(header.length);
  return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), len, header, data]);
}
/** A zip file of members { name, data (the bytes as stored), method, size, crc }: size and crc default to data's. */
function zip(members) {
  const parts = [], central = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const size = m.size ?? m.data.length, crc = m.crc ?? crc32(m.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(m.method ?? 0, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(m.data.length, 18); local.writeUInt32LE(size >= 2 ** 32 ? 0xffffffff : size, 22); local.writeUInt16LE(name.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(m.method ?? 0, 10);
    c.writeUInt32LE(crc, 16); c.writeUInt32LE(m.data.length, 20); c.writeUInt32LE(size >= 2 ** 32 ? 0xffffffff : size, 24); c.writeUInt16LE(name.length, 28); c.writeUInt32LE(offset, 42);
    let extra = Buffer.alloc(0);
    if (size >= 2 ** 32) { extra = Buffer.alloc(12); extra.writeUInt16LE(1, 0); extra.writeUInt16LE(8, 2); extra.writeBigUInt64LE(BigInt(size), 4); c.writeUInt16LE(12, 30); }
    central.push(c, name, extra);
    parts.push(local, name, m.data);
    offset += 30 + name.length + m.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(members.length, 8); end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}
/** Raw DEFLATE data that inflates to n MB of zeros in about n KB: one flushed block repeated. */
function zerosDeflated(n) {
  const block = zlib.deflateRawSync(Buffer.alloc(1 << 20), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array(n).fill(block), Buffer.from([3, 0])]);
}
/** A safetensors file: the 8-byte length, the header text, then n data bytes. */
function st(header, n = 0) {
  const h = Buffer.from(header);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, Buffer.alloc(n)]);
}
/** BINUNICODE s; LONG1 of a 64-bit n (pickle opcodes). */
function pstr(s) { const b = Buffer.from(s); const n = Buffer.alloc(4); n.writeUInt32LE(b.length); return Buffer.concat([Buffer.from('X'), n, b]); }
function plong(n) { const b = Buffer.alloc(10); b[0] = 0x8a; b[1] = 8; b.writeBigInt64LE(BigInt(n), 2); return b; }
/** A torch.save pickle of { w: a float32 tensor of size [n] over storage '0', declared as numel elements }. */
function torchPkl(numel, n) {
  const l = (s) => Buffer.from(s, 'latin1');
  return Buffer.concat([l('\x80\x02}('), pstr('w'), l('ctorch._utils\n_rebuild_tensor_v2\n(('), pstr('storage'), l('ctorch\nFloatStorage\n'),
    pstr('0'), pstr('cpu'), plong(numel), l('tQ'), plong(0), l('('), plong(n), l('t('), plong(1), l('t\x89}tRu.')]);
}
function file(name, bytes) {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, bytes);
  return p;
}
`;

/** A save killed with SIGKILL at several moments: the path must hold the old file or a new one, whole. */
async function killDuringSave(lib: string): Promise<Outcome> {
  const dir = fs.mkdtempSync(join(tmpdir(), 'tg-hostile-kill-'));
  const started = Date.now();
  let maxRSS = 0;
  try {
    const n = 16 * MB / 4; // 16 MB of float32 per file
    const files = { st: join(dir, 'w.safetensors'), npz: join(dir, 'w.npz') };
    const saver = `
      const files = ${JSON.stringify(files)};
      const save = (v) => { const w = tg.full([${n}], v); tg.save({ w }, files.st); tg.saveNpz({ w }, files.npz); };
      save(1);
      process.stdout.write('ready\\n');
      for (let v = 2; ; v++) save(v);`;
    for (const delay of [30, 120, 250, 400]) {
      await runChild(lib, saver, 20, (child, text) => {
        if (text.includes('ready')) setTimeout(() => child.kill('SIGKILL'), delay);
      });
      const check = await runChild(lib, `
        const files = ${JSON.stringify(files)};
        for (const t of [tg.load(files.st).w, tg.loadNpz(files.npz).w]) {
          const [lo, hi] = [t.min().item(), t.max().item()];
          if (t.numel() !== ${n} || lo !== hi || lo < 1) throw new Error('a mixed or partial file: values ' + lo + ' to ' + hi);
        }`, 10);
      maxRSS = Math.max(maxRSS, check.maxRSS);
      if (check.result !== 'ok') return { ...check, ms: Date.now() - started };
      for (const f of fs.readdirSync(dir)) if (f.endsWith('.tmp')) fs.rmSync(join(dir, f)); // what the kills left
    }
    return { result: 'ok', exit: '0', ms: Date.now() - started, maxRSS };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const CASES: HostileCase[] = [
  {
    name: 'npz: zip64 end record claiming 2^32-1 entries (98 bytes)',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `
      const b = Buffer.alloc(98);
      b.writeUInt32LE(0x06064b50, 0); b.writeBigUInt64LE(44n, 4); b.writeUInt16LE(45, 12); b.writeUInt16LE(45, 14);
      b.writeBigUInt64LE(0xffffffffn, 24); b.writeBigUInt64LE(0xffffffffn, 32); b.writeBigUInt64LE(98n, 48); // the directory: at the end
      b.writeUInt32LE(0x07064b50, 56); b.writeUInt32LE(1, 72);
      b.writeUInt32LE(0x06054b50, 76); b.writeUInt16LE(0xffff, 84); b.writeUInt16LE(0xffff, 86); b.writeUInt32LE(0xffffffff, 88); b.writeUInt32LE(0xffffffff, 92);
      tg.loadNpz(file('bomb.npz', b));`,
  },
  {
    name: 'npz: member claiming 1 GB uncompressed for a 1-element array',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `
      const data = zlib.deflateRawSync(Buffer.concat([npy('<f4', [1], Buffer.alloc(4)), require('crypto').randomBytes(1 << 20)]));
      tg.loadNpz(file('huge.npz', zip([{ name: 'a.npy', data, method: 8, size: 1 << 30 }])));`,
  },
  {
    name: 'npz: 1-element array followed by 1 GB of deflated zeros (bomb)',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `
      const head = npy('<f4', [1], Buffer.alloc(4));
      const data = Buffer.concat([zlib.deflateRawSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH }), zerosDeflated(1024)]);
      tg.loadNpz(file('bomb.npz', zip([{ name: 'a.npy', data, method: 8, size: head.length, crc: crc32(head) }])));`,
  },
  {
    name: 'npz: member that is not .npy (1 GB of deflated zeros)',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.loadNpz(file('zeros.npz', zip([{ name: 'a.npy', data: zerosDeflated(1024), method: 8, size: 1 << 30, crc: 0 }])));`,
  },
  {
    name: 'npz: one flipped byte (CRC-32)',
    declaredBytes: 4096,
    expect: 'FormatError',
    run: `
      const b = zip([{ name: 'a.npy', data: npy('<f4', [1024], Buffer.alloc(4096, 7)) }]);
      b[30 + 5 + 128 + 100] ^= 1;
      tg.loadNpz(file('flipped.npz', b));`,
  },
  {
    name: "npz: loadNpz('/dev/zero')",
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.loadNpz('/dev/zero');`,
  },
  {
    name: 'npz: save and load 64 MB (peak memory)',
    declaredBytes: 64 * MB,
    expect: 'ok',
    seconds: 10,
    run: `
      const p = path.join(tmp, 'big.npz');
      (() => { tg.saveNpz({ w: tg.full([${(64 * MB) / 4}], 3) }, p); })();
      global.gc?.();
      const w = tg.loadNpz(p).w;
      if (w.numel() !== ${(64 * MB) / 4} || w.min().item() !== 3 || w.max().item() !== 3) throw new Error('wrong values');`,
  },
  {
    name: 'safetensors: 100 MB header of nested arrays',
    declaredBytes: 100e6,
    expect: 'FormatError',
    seconds: 10,
    run: `
      const p = path.join(tmp, 'nested.safetensors');
      const fd = fs.openSync(p, 'w');
      const n = 100e6 - 8, len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(n));
      fs.writeSync(fd, len);
      fs.writeSync(fd, '{"a":{"dtype":"F32","shape":');
      const chunk = Buffer.alloc(1 << 20, '[');
      for (let left = n - 28; left > 0; left -= chunk.length) fs.writeSync(fd, chunk, 0, Math.min(left, chunk.length));
      fs.closeSync(fd);
      tg.load(p);`,
  },
  {
    name: 'safetensors: 100 MB header of 14M metadata entries',
    declaredBytes: 100e6,
    expect: 'ok',
    seconds: 10,
    slow: true,
    run: `
      const p = path.join(tmp, 'meta.safetensors');
      const fd = fs.openSync(p, 'w');
      const n = 100e6 - 8, len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(n));
      fs.writeSync(fd, len);
      fs.writeSync(fd, '{"__metadata__":{');
      const chunk = Buffer.from('"k":"",'.repeat(1 << 17));
      let left = n - 17 - 7;
      for (; left >= chunk.length; left -= chunk.length) fs.writeSync(fd, chunk);
      fs.writeSync(fd, ' '.repeat(left) + '"":""}}');
      fs.closeSync(fd);
      const t = tg.load(p);
      if (Object.keys(t).length !== 0) throw new Error('tensors from nowhere');`,
  },
  {
    name: 'safetensors: shape of 65 dims',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.load(file('dims.safetensors', st(JSON.stringify({ a: { dtype: 'F32', shape: Array(65).fill(1), data_offsets: [0, 4] } }), 4)));`,
  },
  {
    name: 'safetensors: shape whose product overflows',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.load(file('overflow.safetensors', st(JSON.stringify({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40, 2 ** 40], data_offsets: [0, 4] } }), 4)));`,
  },
  {
    name: 'safetensors: dtype "constructor"',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.load(file('ctor.safetensors', st('{"a":{"dtype":"constructor","shape":[1],"data_offsets":[0,4]}}', 4)));`,
  },
  {
    name: 'safetensors: tensor named "__proto__"',
    declaredBytes: 4,
    expect: 'ok',
    run: `
      const r = tg.load(file('proto.safetensors', st('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4)));
      if (Object.getPrototypeOf(r) !== Object.prototype || !Object.hasOwn(r, '__proto__') || Object.keys(r).join() !== '__proto__') throw new Error('the prototype changed');`,
  },
  {
    name: 'torch: a storage declaring 2^40 float32 elements over a 16-byte record',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.load(file('big.pt', zip([{ name: 'a/data.pkl', data: torchPkl(2 ** 40, 4) }, { name: 'a/data/0', data: Buffer.alloc(16) }])));`,
  },
  {
    name: 'torch: a tensor of 2^40 elements over a 4-element storage',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `tg.load(file('big.pt', zip([{ name: 'a/data.pkl', data: torchPkl(4, 2 ** 40) }, { name: 'a/data/0', data: Buffer.alloc(16) }])));`,
  },
  {
    name: 'torch: data.pkl of 1 GB deflated into 1 MB, maxBytes 64 MB',
    declaredBytes: 0,
    expect: 'RangeError',
    run: `tg.load(file('bomb.pt', zip([{ name: 'a/data.pkl', data: zerosDeflated(1024), method: 8, size: 1 << 30, crc: 0 }])), { maxBytes: 64 << 20 });`,
  },
  {
    name: 'torch: a 1 MB pickle of 1M nested lists, maxBytes 64 MB',
    declaredBytes: 0,
    expect: 'RangeError',
    run: `
      const n = 1 << 20;
      tg.load(file('deep.pt', zip([{ name: 'a/data.pkl', data: Buffer.from('\\x80\\x02' + ']'.repeat(n) + 'a'.repeat(n - 1) + '.', 'latin1') }])), { maxBytes: 64 << 20 });`,
  },
  {
    name: 'torch: a pickle of 256K nested lists',
    declaredBytes: 0,
    expect: 'ok',
    run: `
      const n = 1 << 18;
      let v = tg.load(file('deep.pt', zip([{ name: 'a/data.pkl', data: Buffer.from('\\x80\\x02' + ']'.repeat(n) + 'a'.repeat(n - 1) + '.', 'latin1') }])));
      let depth = 0;
      for (; Array.isArray(v); v = v[0]) depth++;
      if (depth !== n) throw new Error('depth ' + depth);`,
  },
  {
    name: 'torch: a pickle calling os.system',
    declaredBytes: 0,
    expect: 'FormatError',
    run: `
      const marker = path.join(tmp, 'ran');
      const pkl = Buffer.concat([Buffer.from('\\x80\\x02cposix\\nsystem\\n(', 'latin1'), pstr('touch ' + marker), Buffer.from('tR.')]);
      try { tg.load(file('system.pt', zip([{ name: 'a/data.pkl', data: pkl }]))); } finally { if (fs.existsSync(marker)) throw new Error('it ran'); }`,
  },
  {
    name: 'api: tensor() of an array nested in itself',
    declaredBytes: 0,
    expect: 'RangeError',
    run: `const a = [1]; a[0] = a; tg.tensor(a);`,
  },
  {
    name: 'api: tensor() of 3000 x 40000 nested numbers (past V8\'s array length limit)',
    declaredBytes: 3000 * 40000 * (8 + 4), // the nested arrays (8 bytes a number) and the float32 tensor
    expect: 'ok',
    seconds: 30,
    slow: true,
    run: `
      const rows = [];
      for (let i = 0; i < 3000; i++) { const r = new Array(40000); for (let j = 0; j < 40000; j++) r[j] = (i + j) % 7; rows.push(r); }
      const t = tg.tensor(rows);
      if (t.shape.join() !== '3000,40000' || t.sum(1).double().sum().item() !== 359999992) throw new Error('wrong tensor: ' + t.shape);`,
  },
  {
    name: 'api: int64 beyond 2^63 in tensor(), full and fill_',
    declaredBytes: 0,
    expect: 'RangeError',
    run: `refuseAll(RangeError, () => tg.tensor([2n ** 63n]), () => tg.full([1], 2n ** 70n), () => tg.zeros(1, { dtype: 'int64' }).fill_(2 ** 64));`,
  },
  {
    name: 'api: fill_(undefined) and a dtype named "toString"',
    declaredBytes: 0,
    expect: 'TypeError',
    run: `refuseAll(TypeError, () => tg.zeros(2).fill_(undefined), () => tg.zeros(2, { dtype: 'toString' }));`,
  },
  {
    name: 'api: unknown and misplaced options',
    declaredBytes: 0,
    expect: 'TypeError',
    run: `
      refuseAll(TypeError, () => tg.ones(2, 3).sum({ dims: 1 }), () => new tg.optim.SGD([tg.zeros(1, { requiresGrad: true })], { lr: 0.1, momentom: 0.9 }),
        () => tg.zeros(2).add(1, 2));`,
  },
  {
    name: 'api: aliasing (scatter_ from itself, an expanded parameter, w.grad = w)',
    declaredBytes: 0,
    expect: 'ok',
    run: `
      const refuse = (f) => { try { f(); } catch { return; } throw new Error('no error: ' + f); };
      const a = tg.tensor([1, 2, 3, 4]);
      refuse(() => a.scatter_(0, tg.tensor([3, 2, 1, 0], { dtype: 'int64' }), a));
      const p = tg.ones(1).expand(4).requiresGrad_(), opt = new tg.optim.SGD([p], 0.1);
      p.sum().backward();
      refuse(() => opt.step());
      const w = tg.ones(2, { requiresGrad: true });
      refuse(() => { w.grad = w; });`,
  },
  {
    name: 'save and saveNpz killed with SIGKILL midway (4 moments)',
    declaredBytes: 32 * MB,
    expect: 'ok',
    seconds: 30,
    parent: () => killDuringSave(libPath),
  },
];

let libPath = join(ROOT, 'src', 'index.ts');

/** Runs JavaScript in a child with the library loaded; `onOutput` sees its stdout as it comes. */
function runChild(lib: string, run: string, seconds: number, onOutput?: (child: ReturnType<typeof spawn>, text: string) => void): Promise<Outcome> {
  const MARK = '@@hostile@@';
  const tmp = fs.mkdtempSync(join(tmpdir(), 'tg-hostile-'));
  const source = `
    const tg = require(${JSON.stringify(lib)});
    const fs = require('fs'), path = require('path'), zlib = require('zlib');
    const tmp = ${JSON.stringify(tmp)};
    ${PRELUDE}
    const started = Date.now();
    const report = (o) => {
      process.stdout.write('\\n${MARK}' + JSON.stringify({ ...o, ms: Date.now() - started, maxRSS: process.resourceUsage().maxRSS * 1024 }) + '\\n');
    };
    (async () => { ${run}\n })().then(
      () => report({ result: 'ok' }),
      (e) => report({ result: (e && e.name) || typeof e, message: String((e && e.message) || e).split(tmp).join('<tmp>').slice(0, 200) }),
    );`;
  const args = lib.endsWith('.ts') ? ['--require', require.resolve('tsx/cjs')] : [];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args, '--expose-gc', '-e', source], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), seconds * 1000);
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      onOutput?.(child, d.toString());
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      fs.rmSync(tmp, { recursive: true, force: true });
      const exit = signal ?? String(code);
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (line === undefined) {
        const ms = Date.now() - started;
        resolve({ result: signal === 'SIGKILL' ? 'killed' : 'crashed', message: err.trim().split('\n').slice(-3).join(' ').slice(0, 200), exit, ms, wallMs: ms, maxRSS: 0 });
      } else {
        resolve({ ...(JSON.parse(line.slice(MARK.length)) as Omit<Outcome, 'exit'>), exit, wallMs: Date.now() - started });
      }
    });
  });
}

/** Whether peak RSS is held to its limit (--no-rss: not). */
let checkRss = true;

/** What a case broke, or null. */
function verdict(c: HostileCase, o: Outcome): string | null {
  const seconds = c.seconds ?? 5;
  const maxRSS = Math.max(200 * MB, 2 * c.declaredBytes);
  if (o.exit !== '0') return `exit ${o.exit}`;
  if (o.result !== c.expect) return `expected ${c.expect}`;
  if (o.ms > seconds * 1000) return `over ${seconds} s`;
  if (checkRss && o.maxRSS > maxRSS) return `RSS over ${(maxRSS / MB).toFixed(0)} MB`;
  return null;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--dist')) libPath = ROOT;
  checkRss = !argv.includes('--no-rss');
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : '';
  const cases = CASES.filter((c) => c.name.includes(only) && !(argv.includes('--fast') && c.slow));
  const rows: string[][] = [['case', 'outcome', 'exit', 'ms (wall)', 'peak RSS', 'limit', 'verdict']];
  let failed = 0;
  for (const c of cases) {
    const o = c.parent ? await c.parent() : await runChild(libPath, c.run ?? '', (c.seconds ?? 5) + 10);
    const v = verdict(c, o);
    if (v !== null) failed++;
    const outcome = o.result === 'ok' ? 'ok' : `${o.result}: ${(o.message ?? '').replace(/\s+/g, ' ').slice(0, 70)}`;
    const limit = `${(Math.max(200 * MB, 2 * c.declaredBytes) / MB).toFixed(0)} MB, ${c.seconds ?? 5} s`;
    rows.push([c.name, outcome, o.exit, `${o.ms} (${o.wallMs ?? o.ms})`, `${(o.maxRSS / MB).toFixed(0)} MB`, limit, v ?? 'pass']);
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i])).join(' | ').trimEnd());
  console.log(failed === 0 ? `\nall ${cases.length} cases within their limits` : `\n${failed} of ${cases.length} cases broke their limits`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
