/**
 * npm run bench (which first compiles the package: the benchmark runs dist/, as users do): the seed tutorial's 64x1000x100x10 loop and friends on tensorgrad, NumPy and
 * PyTorch, alternated round by round in one run so that a noisy machine still compares fairly.
 * Prints a table of medians and ratios and writes bench/results/latest.json.
 *
 * Options: --rounds N (default 5), --steps N (default 500), --quick (3 rounds, 200 steps),
 * --only KIND[,KIND] (only those benchmarks: loop, op, gemm, elementwise, mnist, transformer, lstm, distributed).
 * TENSORGRAD_BENCH_PYTHON: a python with torch (and numpy) for the anchors; otherwise python3 and
 * .venv/bin/python are tried. A missing anchor is skipped with a note.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as tg from 'tensorgrad';
import { median } from './median';
import { ELEMENTWISE_OPS, ELEMENTWISE_SIZES, type Config } from './configs';
import { distributedBench } from './distributed';

const root = join(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const quick = args.includes('--quick');
const rounds = flag('--rounds', quick ? 3 : 5);
const steps = flag('--steps', quick ? 200 : 500);
const all = os.cpus().length;
const threadCounts = all > 1 ? [1, all] : [1];
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set(args[onlyAt + 1].split(',')) : null;

type Impl = 'tensorgrad' | 'numpy' | 'numpy-tuned' | 'torch';
interface Result extends Config { value: number; warm?: number; loss?: number; rssMB: number }

// ---- the pythons -----------------------------------------------------------------------------

function probe(python: string, module: string): string | null {
  const r = spawnSync(python, ['-c', `import ${module}; print(${module}.__version__)`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function findPython(module: string): { python: string; version: string } | null {
  const candidates = [process.env.TENSORGRAD_BENCH_PYTHON, 'python3', join(root, '.venv', 'bin', 'python')].filter((p): p is string => !!p);
  for (const python of candidates) {
    const version = probe(python, module);
    if (version !== null) return { python, version };
  }
  return null;
}

const numpyPy = findPython('numpy');
const torchPy = findPython('torch');
const notes: string[] = [];
if (numpyPy === null) notes.push('NumPy anchor skipped: no python3 with numpy found.');
if (torchPy === null) notes.push('PyTorch anchor skipped: no python with torch found (set TENSORGRAD_BENCH_PYTHON).');

/** NumPy "tuned": OpenBLAS's AVX-512 kernels where the CPU has them, and a malloc that does not trim. */
const info = tg.backendInfo();
const tunedEnv: Record<string, string> = { MALLOC_TRIM_THRESHOLD_: '2147483647', MALLOC_MMAP_THRESHOLD_: '33554432', MALLOC_TOP_PAD_: '67108864' };
if (info.cpu.avx512) tunedEnv.OPENBLAS_CORETYPE = 'SkylakeX';
else notes.push('NumPy tuned: this CPU has no AVX-512, so only its malloc is tuned.');

// ---- configurations -------------------------------------------------------------------------------

/** A folder (removed at exit) with the data and initial weights bench/<name>.ts exports for both sides. */
function exported(name: string): string {
  const dir = mkdtempSync(join(os.tmpdir(), `tensorgrad-bench-${name}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [join(__dirname, `${name}.ts`), dir]);
  return dir;
}
const mnistDir = exported('mnist'), transformerDir = exported('transformer'), lstmDir = exported('lstm');
const MNIST_EPOCHS = quick ? 3 : 5;
const TRANSFORMER_STEPS = quick ? 40 : 100;
const LSTM_STEPS = quick ? 30 : 60;

function configs(impl: Impl, threads: number): Config[] {
  const out: Config[] = [];
  const modes: ('autograd' | 'manual')[] = impl === 'tensorgrad' || impl === 'torch' ? ['autograd', 'manual'] : ['manual'];
  for (const mode of modes) for (const dtype of ['float32', 'float64'] as const) out.push({ kind: 'loop', mode, dtype, threads, steps });
  if (threads === 1) {
    if (impl !== 'numpy-tuned') {
      out.push({ kind: 'op', mode: 'manual', threads });
      if (impl !== 'numpy') out.push({ kind: 'op', mode: 'autograd', threads });
    }
    if (impl === 'tensorgrad' || impl === 'torch') {
      for (const size of ELEMENTWISE_SIZES) for (const op of ELEMENTWISE_OPS) out.push({ kind: 'elementwise', op, size, threads });
    }
  }
  out.push({ kind: 'gemm', dtype: 'float32', threads }, { kind: 'gemm', dtype: 'float64', threads });
  if (impl === 'tensorgrad' || impl === 'torch') {
    out.push({ kind: 'mnist', threads, epochs: MNIST_EPOCHS, data: mnistDir });
    out.push({ kind: 'transformer', threads, steps: TRANSFORMER_STEPS, data: transformerDir });
    if (threads === 1) out.push({ kind: 'lstm', threads, steps: LSTM_STEPS, data: lstmDir });
    if (threads === 1) out.push({ kind: 'attention', threads, steps: TRANSFORMER_STEPS });
  }
  return only === null ? out : out.filter((c) => only.has(c.kind));
}

/** Our measurements for one thread count, in a process of their own (as each Python anchor's are). */
function runOurs(threads: number): Result[] {
  const list = configs('tensorgrad', threads);
  if (list.length === 0) return [];
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const out = execFileSync(tsx, [join(__dirname, 'seed-loop.ts'), JSON.stringify(list)], {
    encoding: 'utf8', maxBuffer: 1 << 24,
  });
  return out.trim().split('\n').map((l) => JSON.parse(l) as Result);
}

function runPython(impl: Impl, python: string, threads: number): Result[] {
  const lib = impl === 'torch' ? 'torch' : 'numpy';
  if (configs(impl, threads).length === 0) return [];
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  if (impl === 'numpy-tuned') Object.assign(env, tunedEnv);
  const out = execFileSync(python, [join(__dirname, 'anchors', 'seed_loop.py'), lib, JSON.stringify(configs(impl, threads))], {
    encoding: 'utf8', env, maxBuffer: 1 << 24,
  });
  return out.trim().split('\n').map((l) => JSON.parse(l) as Result);
}

// ---- rounds -----------------------------------------------------------------------------------------

const samples = new Map<string, number[]>();
const rss = new Map<Impl, number>();
/** The last loss of each training benchmark, by kind|impl|threads. */
const losses = new Map<string, number>();
const key = (impl: Impl, c: Config, warm = false) =>
  [impl, c.kind, c.mode ?? '', c.dtype ?? '', c.op ?? '', c.size ?? '', c.threads, warm ? 'warm' : ''].join('|');
function collect(impl: Impl, results: Result[]): void {
  for (const r of results) {
    const k = key(impl, r);
    samples.set(k, [...(samples.get(k) ?? []), r.value]);
    if (r.warm !== undefined && r.warm !== null) samples.set(key(impl, r, true), [...(samples.get(key(impl, r, true)) ?? []), r.warm]);
    rss.set(impl, Math.max(rss.get(impl) ?? 0, r.rssMB));
    if (typeof r.loss === 'number') losses.set(`${r.kind}|${impl}|${r.threads}`, r.loss);
  }
}

console.log(`tensorgrad ${info.version} on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${all} cores), ${info.blas} ${info.blasCoreType}`);
console.log(`${rounds} rounds of ${steps}-step loops, alternating implementations...`);
for (let r = 0; r < rounds; r++) {
  for (const t of threadCounts) {
    collect('tensorgrad', runOurs(t));
    if (numpyPy) {
      collect('numpy', runPython('numpy', numpyPy.python, t));
      collect('numpy-tuned', runPython('numpy-tuned', numpyPy.python, t));
    }
    if (torchPy) collect('torch', runPython('torch', torchPy.python, t));
  }
  process.stdout.write(`  round ${r + 1}/${rounds} done\n`);
}

// ---- the table ------------------------------------------------------------------------------------

const get = (impl: Impl, c: Config, warm = false) => median(samples.get(key(impl, c, warm)));
const fmt = (v: number | undefined, digits = 1) => (v === undefined ? '-' : v.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '-' : `${(a / b).toFixed(2)}x`);

const rows: string[][] = [];
const json: Record<string, unknown>[] = [];
// The matrix products of one step: x@w1 and x^T@grad_h (64x1000x100), h@w2, h^T@g, g@w2^T (64x100x10).
const GFLOP_PER_STEP = (2 * (2 * 64 * 1000 * 100) + 3 * (2 * 64 * 100 * 10)) / 1e9;
for (const warm of [false, true]) {
  for (const t of threadCounts) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const mode of ['autograd', 'manual'] as const) {
        const c: Config = { kind: 'loop', mode, dtype, threads: t, steps };
        const ours = get('tensorgrad', c, warm);
        const np = get('numpy', { ...c, mode: 'manual' }, warm), npt = get('numpy-tuned', { ...c, mode: 'manual' }, warm), th = get('torch', c, warm);
        const label = `seed loop ${mode} ${dtype}, ${t} thread${t > 1 ? 's' : ''}, ${warm ? `next ${steps} steps` : `first ${steps} steps`} (ms)`;
        rows.push([label, fmt(ours), fmt(np), fmt(npt), fmt(th), ratio(ours, np), ratio(ours, npt), ratio(ours, th)]);
        json.push({ benchmark: 'seed-loop', phase: warm ? 'warm' : 'cold', mode, dtype, threads: t, steps, ms: { tensorgrad: ours, numpy: np, numpyTuned: npt, torch: th } });
      }
    }
  }
}
for (const mode of ['manual', 'autograd'] as const) {
  const c: Config = { kind: 'op', mode, threads: 1 };
  const ours = get('tensorgrad', c), th = get('torch', c), np = mode === 'manual' ? get('numpy', c) : undefined;
  rows.push([`tiny op (4-element add)${mode === 'autograd' ? ' recording grad' : ''} (us)`, fmt(ours, 2), fmt(np, 2), '-', fmt(th, 2), ratio(ours, np), '-', ratio(ours, th)]);
  json.push({ benchmark: 'tiny-op', grad: mode === 'autograd', us: { tensorgrad: ours, numpy: np, torch: th } });
}
for (const t of threadCounts) {
  for (const dtype of ['float32', 'float64'] as const) {
    const c: Config = { kind: 'gemm', dtype, threads: t };
    const ours = get('tensorgrad', c), np = get('numpy', c), npt = get('numpy-tuned', c), th = get('torch', c);
    rows.push([`${dtype === 'float32' ? 's' : 'd'}gemm 1024^3, ${t} thread${t > 1 ? 's' : ''} (GFLOP/s)`, fmt(ours), fmt(np), fmt(npt), fmt(th), ratio(ours, np), ratio(ours, npt), ratio(ours, th)]);
    json.push({ benchmark: 'gemm', dtype, threads: t, gflops: { tensorgrad: ours, numpy: np, numpyTuned: npt, torch: th } });
  }
}
for (const size of ELEMENTWISE_SIZES) {
  for (const op of ELEMENTWISE_OPS) {
    const c: Config = { kind: 'elementwise', op, size, threads: 1 };
    const ours = get('tensorgrad', c), th = get('torch', c);
    rows.push([`${op === 'sum' ? 'sum(1) of [n/128, 128]' : op}, n = ${size} float32, 1 thread (us)`, fmt(ours, 2), '-', '-', fmt(th, 2), '-', '-', ratio(ours, th)]);
    json.push({ benchmark: 'elementwise', op, size, threads: 1, us: { tensorgrad: ours, torch: th } });
  }
}
for (const t of threadCounts) {
  for (const warm of [false, true]) {
    const c: Config = { kind: 'mnist', threads: t };
    const ours = get('tensorgrad', c, warm), th = get('torch', c, warm);
    const label = `MNIST epoch (8000 images, batch 64, SGD), ${t} thread${t > 1 ? 's' : ''}, ${warm ? `median of epochs 2-${MNIST_EPOCHS}` : 'first epoch'} (ms)`;
    rows.push([label, fmt(ours), '-', '-', fmt(th), '-', '-', ratio(ours, th)]);
    json.push({ benchmark: 'mnist-epoch', phase: warm ? 'warm' : 'cold', threads: t, ms: { tensorgrad: ours, torch: th } });
  }
}
for (const t of threadCounts) {
  for (const warm of [false, true]) {
    const c: Config = { kind: 'transformer', threads: t };
    const ours = get('tensorgrad', c, warm), th = get('torch', c, warm);
    const label = `transformer training step (2 layers, 64 channels, 32x32 tokens, AdamW), ${t} thread${t > 1 ? 's' : ''}, ${warm ? `median of steps 11-${TRANSFORMER_STEPS}` : 'median of the first 10 steps'} (ms)`;
    rows.push([label, fmt(ours, 2), '-', '-', fmt(th, 2), '-', '-', ratio(ours, th)]);
    json.push({ benchmark: 'transformer-step', phase: warm ? 'warm' : 'cold', threads: t, ms: { tensorgrad: ours, torch: th } });
  }
}
for (const warm of [false, true]) {
  const c: Config = { kind: 'lstm', threads: 1 };
  const ours = get('tensorgrad', c, warm), th = get('torch', c, warm);
  const label = `LSTM step (nn.LSTM(64, 128), batch 32, 32 steps, forward + backward), 1 thread, ${warm ? `median of steps 11-${LSTM_STEPS}` : 'median of the first 10 steps'} (ms)`;
  rows.push([label, fmt(ours, 2), '-', '-', fmt(th, 2), '-', '-', ratio(ours, th)]);
  json.push({ benchmark: 'lstm-step', phase: warm ? 'warm' : 'cold', threads: 1, ms: { tensorgrad: ours, torch: th } });
}
for (const warm of [false, true]) {
  const c: Config = { kind: 'attention', threads: 1 };
  const ours = get('tensorgrad', c, warm), th = get('torch', c, warm);
  const label = `attention block (TransformerEncoderLayer 64/4/256, dropout 0.1) forward+backward on [32, 32, 64], 1 thread, ${warm ? `median of steps 11-${TRANSFORMER_STEPS}` : 'median of the first 10 steps'} (ms)`;
  rows.push([label, fmt(ours, 2), '-', '-', fmt(th, 2), '-', '-', ratio(ours, th)]);
  json.push({ benchmark: 'attention-block', phase: warm ? 'warm' : 'cold', threads: 1, ms: { tensorgrad: ours, torch: th } });
}
// the distributed part: allReduce bandwidth and the DDP MNIST epoch (bench/distributed.ts)
if (only !== null && !only.has('distributed')) {
  notes.push('Distributed benchmarks skipped (--only).');
} else if (tg.distributed.isAvailable()) {
  const d = distributedBench(Math.min(rounds, 3), torchPy?.python ?? null);
  rows.push(...d.rows);
  json.push(...d.json);
  notes.push(...d.notes);
} else {
  notes.push('Distributed benchmarks skipped: tg.distributed is not built here (apt-get install libgloo-dev, then npm rebuild tensorgrad).');
}
const peakRows = (['tensorgrad', 'numpy', 'numpy-tuned', 'torch'] as Impl[]).map((i) => fmt(rss.get(i), 0));
rows.push(['peak RSS of the benchmark process (MB)', ...peakRows, '-', '-', '-']);

const header = ['benchmark (median)', 'tensorgrad', 'NumPy', 'NumPy tuned', 'PyTorch', 'tg / NumPy', 'tg / NumPy tuned', 'tg / PyTorch'];
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');

// derived targets (warm)
const loop1 = get('tensorgrad', { kind: 'loop', mode: 'autograd', dtype: 'float32', threads: 1, steps }, true);
const loopAll = get('tensorgrad', { kind: 'loop', mode: 'autograd', dtype: 'float32', threads: all, steps }, true);
const sgemm = get('tensorgrad', { kind: 'gemm', dtype: 'float32', threads: 1 });
const derived = [
  loop1 && sgemm ? `seed loop (autograd, float32, 1 thread, warm) throughput: ${((GFLOP_PER_STEP * steps) / (loop1 / 1e3)).toFixed(1)} GFLOP/s = ${(((GFLOP_PER_STEP * steps) / (loop1 / 1e3)) / sgemm * 100).toFixed(0)}% of tensorgrad's sgemm peak` : '',
  ...threadCounts.map((t) => {
    const ours = losses.get(`mnist|tensorgrad|${t}`), th = losses.get(`mnist|torch|${t}`);
    return ours !== undefined && th !== undefined
      ? `MNIST, ${t} thread${t > 1 ? 's' : ''}: mean loss of epoch ${MNIST_EPOCHS} ${ours.toFixed(6)} (PyTorch ${th.toFixed(6)}, relative difference ${(Math.abs(ours - th) / th).toExponential(1)})`
      : '';
  }),
  ...threadCounts.map((t) => {
    const ours = losses.get(`transformer|tensorgrad|${t}`), th = losses.get(`transformer|torch|${t}`);
    return ours !== undefined && th !== undefined
      ? `transformer, ${t} thread${t > 1 ? 's' : ''}: loss after ${TRANSFORMER_STEPS} steps ${ours.toFixed(6)} (PyTorch ${th.toFixed(6)})`
      : '';
  }),
  losses.has('lstm|tensorgrad|1') && losses.has('lstm|torch|1')
    ? `LSTM: loss after ${LSTM_STEPS} steps ${losses.get('lstm|tensorgrad|1')!.toFixed(6)} (PyTorch ${losses.get('lstm|torch|1')!.toFixed(6)})`
    : '',
  (() => {
    const ours = losses.get('attention|tensorgrad|1'), th = losses.get('attention|torch|1');
    return ours !== undefined && th !== undefined ? `attention block: loss of the last step ${ours.toFixed(6)} (PyTorch ${th.toFixed(6)}: the same weights, input and dropout draws)` : '';
  })(),
  loop1 && loopAll && all > 1 ? `${all} threads vs 1 thread (autograd, float32, warm): ${(loopAll / loop1).toFixed(2)}x the time` : '',
].filter(Boolean);

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${all} cores; ${info.blas} (${info.blasCoreType} kernels, chosen by ${info.blasCoreChoice}); Node ${process.versions.node}` +
  `${numpyPy ? `; NumPy ${numpyPy.version}` : ''}${torchPy ? `; PyTorch ${torchPy.version}` : ''}`;
console.log(`\n${machine}\n\n${table}\n\n${derived.join('\n')}${notes.length ? `\n\nNotes:\n${notes.map((n) => `- ${n}`).join('\n')}` : ''}`);
mkdirSync(join(__dirname, 'results'), { recursive: true });
writeFileSync(join(__dirname, 'results', 'latest.json'), JSON.stringify({ date: new Date().toISOString(), machine, rounds, steps, results: json, derived, notes, table }, null, 2));
console.log('\nwritten: bench/results/latest.json');
