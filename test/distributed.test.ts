// tg.distributed on gloo: 2 and 3 processes on this machine, every collective and dtype against a
// reference computed here, the three init methods, and the failures (a rank that never joins, a
// rank that dies mid-training, bad environment variables) as clear errors within the timeout.
// Needs the distributed addon (scripts/build-distributed.js, where libgloo-dev is installed);
// .ci/run installs gloo, so there these tests always run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';

const worker = join(__dirname, 'distributed', 'worker.cjs');
const available = tg.distributed.isAvailable();
let nextPort = 29600 + (process.pid % 200) * 10;

interface Result { rank?: number; size?: number; error?: string | null; ms?: number; [k: string]: unknown }

/** Runs worldSize ranks of a scenario; each one's printed result, or its exit code. */
function ranks(worldSize: number, scenario: string, method: string, env: Record<string, string> = {}, only?: number[]): Promise<{ results: Result[]; codes: (number | null)[] }> {
  const port = String(nextPort++);
  const ids = only ?? Array.from({ length: worldSize }, (_, r) => r);
  return new Promise((resolve) => {
    const results: Result[] = [], codes: (number | null)[] = [];
    let left = ids.length;
    for (const r of ids) {
      const child = spawn(process.execPath, [worker, scenario, method.replace('PORT', port)], {
        env: { ...process.env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: port, RANK: String(r), WORLD_SIZE: String(worldSize), TEST_RANK: String(r), TEST_WORLD: String(worldSize), ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (b: Buffer) => (text += b.toString()));
      child.on('exit', (code) => {
        codes[r] = code;
        const line = text.trim().split('\n').pop() ?? '';
        results[r] = line.startsWith('{') ? (JSON.parse(line) as Result) : {};
        if (--left === 0) resolve({ results, codes });
      });
    }
  });
}

/** What every rank must hold after the collectives scenario (worker.cjs) on n ranks. */
function reference(n: number, dtype: tg.DType): Record<string, unknown> {
  const base = (r: number) => tg.arange(6, { dtype: 'float64' }).reshape(2, 3).add(r);
  const all = Array.from({ length: n }, (_, r) => base(r));
  const fold = (f: (a: tg.Tensor, b: tg.Tensor) => tg.Tensor) => all.reduce(f).to(dtype).tolist();
  const out: Record<string, unknown> = {
    sum: fold((a, b) => a.add(b)),
    product: fold((a, b) => a.mul(b)),
    max: fold((a, b) => a.maximum(b)),
    min: fold((a, b) => a.minimum(b)),
    transposed: all.reduce((a, b) => a.add(b)).t().to(dtype).tolist(),
    broadcast: base(n - 1).to(dtype).tolist(),
    gathered: all.map((t) => t.select(0, 1).to(dtype).tolist()),
  };
  if (dtype.startsWith('float')) out.avg = all.reduce((a, b) => a.add(b)).div(n).to(dtype).tolist();
  return out;
}

describe.skipIf(!available)('tg.distributed over gloo, on local processes', () => {
  for (const [n, method] of [[2, 'env'], [3, 'tcp://127.0.0.1:PORT']] as const) {
    it(`${n} ranks (${method === 'env' ? 'env://' : 'tcp://'}): every collective and dtype, sync and async, on views and copies`, async () => {
      const { results, codes } = await ranks(n, 'collectives', method);
      expect(codes).toEqual(new Array(n).fill(0));
      results.forEach((res, r) => {
        expect(res.error, `rank ${r}`).toBeUndefined();
        expect([res.rank, res.size]).toEqual([r, n]);
        for (const dtype of ['float32', 'float64', 'int32', 'int64'] as const) expect(res[dtype], `rank ${r} ${dtype}`).toEqual(reference(n, dtype));
        expect(res.async).toEqual(new Array(4).fill((n * (n + 1)) / 2));
        const view = new Array(8).fill(0);
        for (let i = 2; i < 6; i++) view[i] = (n * (n - 1)) / 2;
        expect(res.view).toEqual(view); // only the view's elements change
        expect(res.initialized).toBe(false);
      });
    }, 60000);
  }

  it('file:// rendezvous through a shared directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-rendezvous-'));
    const { results, codes } = await ranks(2, 'collectives', `file://${dir}`);
    rmSync(dir, { recursive: true, force: true });
    expect(codes).toEqual([0, 0]);
    expect(results[1].float32).toEqual(reference(2, 'float32'));
  }, 60000);

  it('a rank that never joins: the others fail within the timeout, naming the rendezvous', async () => {
    const t0 = Date.now();
    const { results } = await ranks(2, 'collectives', 'tcp://127.0.0.1:PORT', {}, [0]);
    expect(results[0].error).toMatch(/timed out after 5000 ms .* a rank did not arrive/);
    expect(Date.now() - t0).toBeLessThan(20000);
  }, 60000);

  it('a rank that dies mid-training: the survivor gets an error, nothing hangs', async () => {
    const { results, codes } = await ranks(2, 'crash', 'env');
    expect(codes[1]).toBe(7);
    expect(results[0].error).toMatch(/closed|reset|timed out|Connection/i);
    expect(results[0].ms as number).toBeLessThan(10000);
  }, 60000);

  it('bad environment variables and options are clear errors', async () => {
    const missing = await ranks(1, 'collectives', 'env', { MASTER_ADDR: '' });
    expect(missing.results[0].error).toMatch(/MASTER_ADDR expected/);
    const badRank = await ranks(2, 'collectives', 'env', { RANK: 'two' }, [0]);
    expect(badRank.results[0].error).toMatch(/RANK must be a non-negative integer, got "two"/);
    const outside = await ranks(2, 'collectives', 'env', { RANK: '5' }, [0]);
    expect(outside.results[0].error).toMatch(/rank must be an integer in \[0, 2\), got 5/);
    expect(() => tg.distributed.initProcessGroup({ backend: 'nccl' as 'gloo' })).toThrow("backend \"nccl\" is not available");
    expect(() => tg.distributed.initProcessGroup({ initMethod: 'tcp://nowhere' })).toThrow(TypeError);
    expect(() => tg.distributed.initProcessGroup({ worldsize: 2 } as never)).toThrow("unknown option 'worldsize'");
    expect(() => tg.distributed.getRank()).toThrow('has not been initialized');
    expect(() => tg.distributed.allReduce(tg.ones(2))).toThrow('has not been initialized');
  }, 60000);
});

describe('tg.distributed without its addon', () => {
  it('says how to get it', () => {
    if (available) return; // built here: the message is checked where gloo is missing
    expect(() => tg.distributed.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1', rank: 0, worldSize: 1 })).toThrow('apt-get install libgloo-dev');
  });
});
