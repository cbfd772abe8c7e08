// Runs the op fuzz suite (test/fuzz/ops-fuzz.ts) over many seeds and prints a summary:
//   npx tsx scripts/fuzz-ops.ts [--cases N] [--from SEED]      (defaults: 20000 cases from seed 1)
import { runCase, type Failure } from '../test/fuzz/ops-fuzz';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const cases = opt('--cases', 20000), from = opt('--from', 1);
const failures: Failure[] = [];
const perOp = new Map<string, number>();
const t0 = performance.now();
for (let seed = from; seed < from + cases; seed++) {
  const op = runCase(seed, failures);
  perOp.set(op, (perOp.get(op) ?? 0) + 1);
}
for (const f of failures.slice(0, 20)) console.log(`seed ${f.seed} ${f.op}: ${f.detail}`);
console.log(JSON.stringify({ cases, failures: failures.length, ops: perOp.size, seconds: +((performance.now() - t0) / 1e3).toFixed(1) }));
process.exit(failures.length > 0 ? 1 : 0);
