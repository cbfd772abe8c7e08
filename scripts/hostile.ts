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
 * More cases (other API misuse) go in CASES (hostile-cases.ts): `run` is JavaScript run in the child, with in scope
 * `tg` (the library), `fs`, `path`, `zlib`, `tmp` (a fresh directory, removed afterwards) and the
 * helpers of PRELUDE; it may be async and should throw what the library throws.
 */
import { join } from 'node:path';
import { CASES } from './hostile-cases';
import { MB, ROOT, runChild, type HostileCase, type Outcome } from './hostile-child';

let libPath = join(ROOT, 'src', 'index.ts');

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
    const o = c.parent ? await c.parent(libPath) : await runChild(libPath, c.run ?? '', (c.seconds ?? 5) + 10);
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

export { CASES };
