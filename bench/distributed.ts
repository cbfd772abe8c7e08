/**
 * The distributed part of npm run bench: allReduce of a 25 MB float32 buffer between 2 local
 * processes (tensorgrad's and PyTorch's gloo allreduce, alternated round by round), and the DDP
 * MNIST epoch (examples/mnist-ddp.ts) on 2 processes against 1.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { median } from './median';

const root = join(__dirname, '..');
const launcher = join(root, 'bin', 'tensorgrad-run.js');
let port = 29700 + (process.pid % 100) * 3;

/** Runs a command and parses its last line of output as JSON. */
function lastJson(cmd: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

/** The DDP MNIST example on `world` processes: the median epoch time after the first (ms). */
function ddpEpoch(world: number, epochs: number): number {
  const run = lastJson(process.execPath, [launcher, '--nproc-per-node', String(world), '--master-port', String(port++), join(root, 'examples', 'mnist-ddp.ts'), '--epochs', String(epochs), '--json']);
  return median((run.epochs as { seconds: number }[]).slice(1).map((e) => e.seconds * 1e3)) as number;
}

export interface DistributedBench {
  rows: string[][];
  json: Record<string, unknown>[];
  notes: string[];
}

export function distributedBench(rounds: number, torchPython: string | null): DistributedBench {
  const elements = (25 * 1024 * 1024) / 4, reps = 10, gb = (ms: number) => (elements * 4) / 1e9 / (ms / 1e3);
  const ours: number[] = [], theirs: number[] = [], one: number[] = [], two: number[] = [];
  const notes: string[] = [];
  for (let i = 0; i < rounds; i++) {
    ours.push(lastJson(process.execPath, [launcher, '--nproc-per-node', '2', '--master-port', String(port++), join(__dirname, 'allreduce-worker.ts'), String(elements), String(reps)]).ms as number);
    if (torchPython !== null) theirs.push(lastJson(torchPython, [join(__dirname, 'anchors', 'allreduce.py'), String(port++), String(elements), String(reps)]).ms as number);
    one.push(ddpEpoch(1, 3));
    two.push(ddpEpoch(2, 3));
  }
  if (torchPython === null) notes.push("PyTorch's gloo allreduce skipped: no python with torch found.");
  const fmt = (v: number | undefined, d = 2) => (v === undefined ? '-' : v.toFixed(d));
  const o = median(ours) as number, t = median(theirs), e1 = median(one) as number, e2 = median(two) as number;
  return {
    rows: [
      ['allReduce of 25 MB float32, 2 local processes (GB/s)', fmt(gb(o)), '-', '-', fmt(t === undefined ? undefined : gb(t)), '-', '-', t === undefined ? '-' : `${(gb(o) / gb(t)).toFixed(2)}x`],
      ['DDP MNIST epoch (examples/mnist-ddp.ts), 1 process (ms)', fmt(e1, 0), '-', '-', '-', '-', '-', '-'],
      ['DDP MNIST epoch, 2 processes (ms; time vs 1 process)', `${fmt(e2, 0)} (${(e2 / e1).toFixed(2)}x)`, '-', '-', '-', '-', '-', '-'],
    ],
    json: [
      { benchmark: 'allreduce-25MB', processes: 2, gbPerS: { tensorgrad: gb(o), torch: t === undefined ? undefined : gb(t) } },
      { benchmark: 'ddp-mnist-epoch', ms: { processes1: e1, processes2: e2 } },
    ],
    notes,
  };
}
