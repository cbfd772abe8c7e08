// tensorgrad's allreduce of a float32 buffer between local processes, for bench/distributed.ts (the
// counterpart of anchors/allreduce.py), started by tensorgrad-run. Usage: allreduce-worker.ts ELEMENTS REPS
import * as tg from 'tensorgrad';
import { median } from './median';

const [n, reps] = process.argv.slice(2).map(Number);
tg.setNumThreads(1);
tg.distributed.initProcessGroup();
const t = tg.ones(n);
for (let i = 0; i < 3; i++) tg.distributed.allReduce(t);
const ms: number[] = [];
for (let i = 0; i < reps; i++) {
  tg.distributed.barrier();
  const t0 = performance.now();
  tg.distributed.allReduce(t);
  ms.push(performance.now() - t0);
}
if (tg.distributed.getRank() === 0) console.log(JSON.stringify({ ms: median(ms) }));
tg.distributed.destroyProcessGroup();
