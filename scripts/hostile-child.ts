/**
 * What scripts/hostile.ts runs its cases with: the case and outcome types, the helpers the cases'
 * JavaScript has in scope (PRELUDE), the child process each case runs in, and the killed-save case.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
export const MB = 1 << 20;

export interface HostileCase {
  name: string;
  /** The bytes the file legitimately asks for (0 if none): peak RSS may reach max(200 MB, 2x this). */
  declaredBytes: number;
  /** The outcome wanted: an error class name ('FormatError', 'TypeError'...) or 'ok'. */
  expect: string;
  /** JavaScript for the child (see above). */
  run?: string;
  /** Or a check run from this process, which reports the outcome, time and RSS itself. */
  parent?: (lib: string) => Promise<Outcome>;
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
export const PRELUDE = String.raw`
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
export async function killDuringSave(lib: string): Promise<Outcome> {
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

/** Runs JavaScript in a child with the library loaded; `onOutput` sees its stdout as it comes. */
export function runChild(lib: string, run: string, seconds: number, onOutput?: (child: ReturnType<typeof spawn>, text: string) => void): Promise<Outcome> {
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

