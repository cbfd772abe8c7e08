// tg.distributed on gloo: 2 and 3 processes on this machine, every collective and dtype against a
// reference computed here, the three init methods, and the failures (a rank that never joins, a
// rank that dies mid-training, bad environment variables) as clear errors within the timeout.
// Needs the distributed addon (scripts/build-distributed.js, where libgloo-dev is installed);
// .ci/run installs gloo, so there these tests always run.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../src/index';
import { openAddon } from '../src/distributed/native';

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
      const child = spawn(process.execPath, [worker, scenario, ...method.replace('PORT', port).split(' ')], {
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

  it("DistributedDataParallel: rank 0's start, averaged gradients in buckets, noSync; the single-process run's parameters", async () => {
    const { results, codes } = await ranks(2, 'ddp', 'env');
    expect(codes).toEqual([0, 0]);
    // the same training in one process, on the whole batch, from rank 0's parameters
    tg.manualSeed(100);
    const net = new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.Tanh(), new tg.nn.Linear(8, 2)).to('float64');
    const opt = new tg.optim.SGD(net.parameters(), { lr: 0.1 });
    const x = tg.arange(32, { dtype: 'float64' }).reshape(8, 4).sin(), y = tg.arange(16, { dtype: 'float64' }).reshape(8, 2).cos();
    const want: number[][][] = [];
    for (let step = 0; step < 4; step++) {
      opt.zeroGrad();
      if (step === 3) {
        // each rank's two quarter-batches, accumulated, averaged over the ranks: the whole batch in four quarters
        for (let q = 0; q < 4; q++) tg.F.mseLoss(net.forward(x.narrow(0, 2 * q, 2)), y.narrow(0, 2 * q, 2)).mul(0.25).backward();
      } else {
        tg.F.mseLoss(net.forward(x), y).backward();
      }
      opt.step();
      want.push([...net.parameters()].map((p) => p.tolist() as number[]));
    }
    const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
    for (const res of results) {
      expect(res.error).toBeUndefined();
      (res.params as unknown[][]).forEach((step, i) => {
        const got = flat(step), exp = flat(want[i]);
        got.forEach((v, k) => expect(Math.abs(v - exp[k]), `step ${i} value ${k}`).toBeLessThan(1e-12));
      });
      expect(res.keys).toEqual(['module.0.weight', 'module.0.bias', 'module.2.weight', 'module.2.bias']);
    }
    expect(results[0].params).toEqual(results[1].params); // every rank holds the same parameters
  }, 60000);

  it('gather, scatter, allGatherIntoTensor, reduceScatterTensor, send/recv and isend, and a subgroup from newGroup', async () => {
    const n = 3;
    const { results, codes } = await ranks(n, 'more', 'env');
    expect(codes).toEqual([0, 0, 0]);
    results.forEach((res, r) => {
      expect(res.error).toBeUndefined();
      expect(res.gathered).toEqual(r === 0 ? [[0, 0], [1, 10], [2, 20]] : null);
      expect(res.scattered).toEqual([r, r * r]);
      expect(res.allGathered).toEqual([[0, -0], [1, -1], [2, -2]].map(([a, b]) => [a, b === 0 ? 0 : b]));
      // sum over ranks k of (arange(6) + k), each rank keeping its two
      expect(res.reduceScattered).toEqual([2 * r * n + 3, (2 * r + 1) * n + 3]);
      expect(res.received).toEqual(new Array(3).fill(((r + n - 1) % n) + 0.5));
      if (r === 1) expect(res.nonMember).toMatch(/not a member of the group \(ranks \[0,2\]\)/);
      else expect(res.subgroup).toEqual([[4], r === 0 ? 0 : 1, 2]);
    });
  }, 60000);

  it('DistributedDataParallel: parameters without gradients are an error, or zeros with findUnusedParameters; a rank that dies fails the others', async () => {
    const strict = await ranks(2, 'unused', 'env');
    for (const res of strict.results) expect(res.error).toMatch(/2 parameter\(s\) got no gradient in this backward pass.*findUnusedParameters: true/);
    const found = await ranks(2, 'unused', 'env find');
    for (const res of found.results) {
      expect(res.error).toBeUndefined();
      expect(res.grads).toEqual([[[1.5 * 4, 1.5 * 4, 1.5 * 4], [6, 6, 6]], [[0, 0, 0], [0, 0, 0]]]); // mean over ranks of 4 rows of 1s and 2s
    }
    const crash = await ranks(2, 'ddpcrash', 'env');
    expect(crash.codes[1]).toBe(9);
    expect(crash.results[0].error).toMatch(/closed|reset|timed out|Connection/i);
    expect(crash.results[0].ms as number).toBeLessThan(10000);
  }, 60000);

  it("broadcastBuffers: every rank starts from rank 0's buffers and gets them again before each forward", async () => {
    const on = await ranks(2, 'buffers', 'env');
    for (const [r, res] of on.results.entries()) {
      expect(res.error).toBeUndefined();
      expect(res.start).toEqual([10, 10]); // rank 0's, broadcast at construction
      // before each forward the buffer is rank 0's: 10, then 5.5 (10/2 + 1/2); each rank then adds its own input
      expect(res.seen).toEqual([[5 + (r + 1) / 2, 5 + (r + 1) / 2], [2.75 + (r + 1) / 2, 2.75 + (r + 1) / 2]]);
    }
    const off = await ranks(2, 'buffers', 'env off');
    for (const [r, res] of off.results.entries()) {
      expect(res.start).toEqual([10, 10]); // the start is rank 0's all the same, as in PyTorch
      expect(res.seen).toEqual([[5 + (r + 1) / 2, 5 + (r + 1) / 2], [2.5 + (r + 1) * 0.75, 2.5 + (r + 1) * 0.75]]);
    }
  }, 60000);

  it('file:// rendezvous through a directory, made where missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-rendezvous-'));
    const { results, codes } = await ranks(2, 'collectives', `file://${dir}/made/here`); // made where missing
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
    expect(() => tg.distributed.initProcessGroup({ initMethod: `file://${worker}`, rank: 0, worldSize: 1 })).toThrow(`file://${worker} names the directory the ranks meet in`);
    expect(() => tg.distributed.getRank()).toThrow('has not been initialized');
    expect(() => tg.distributed.allReduce(tg.ones(2))).toThrow('has not been initialized');
  }, 60000);
});

describe('tg.distributed without its addon, or without gloo', () => {
  it('says how to get it', () => {
    if (available) return; // built here: the message is checked where gloo is missing
    expect(() => tg.distributed.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1', rank: 0, worldSize: 1 })).toThrow('apt-get install libgloo-dev');
  });

  // Where gloo's library is missing (or another one), the prebuilt module fails to open: the error
  // says which library to install. A copy of the module asking for libgloo.so.9 stands for that.
  it.skipIf(!available)("a prebuilt module that cannot find gloo's library names libgloo0", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-gloo-'));
    try {
      const module = readFileSync(join(__dirname, '..', 'native', 'distributed', 'build', 'Release', 'tensorgrad_distributed.node'));
      const at = module.indexOf('libgloo.so.0\0');
      expect(at).toBeGreaterThan(0);
      module.write('9', at + 'libgloo.so.'.length);
      const file = join(dir, 'prebuilds', 'linux-x64', 'tensorgrad_distributed.glibc.node');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, module);
      expect(() => openAddon(file)).toThrow(/libgloo\.so\.9.*apt-get install libgloo0/s);
      writeFileSync(file, 'not a shared object');
      expect(() => openAddon(file)).toThrow(`tg.distributed: its addon ${file} did not load`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('DistributedSampler gives each rank the indices PyTorch gives it', () => {
  interface SamplerCase { n: number; numReplicas: number; shuffle: boolean; dropLast: boolean; seed: number; epoch: number; ranks: { indices: number[]; length: number }[] }
  const { sampler } = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'distributed.json'), 'utf8')) as { sampler: SamplerCase[] };
  it(`${sampler.length} cases: sizes, replicas, seeds, epochs, dropLast`, () => {
    for (const c of sampler) {
      c.ranks.forEach((want, rank) => {
        const s = new tg.utils.data.DistributedSampler(Array.from({ length: c.n }, (_, i) => i), { numReplicas: c.numReplicas, rank, shuffle: c.shuffle, seed: c.seed, dropLast: c.dropLast });
        s.setEpoch(c.epoch);
        expect([...s], JSON.stringify({ ...c, ranks: undefined, rank })).toEqual(want.indices);
        expect(s.length).toBe(want.length);
      });
    }
  });

  it('drives a DataLoader, and refuses what PyTorch refuses', () => {
    const ds = new tg.utils.data.TensorDataset(tg.arange(10));
    const s = new tg.utils.data.DistributedSampler(ds, { numReplicas: 2, rank: 1, shuffle: false });
    const loader = new tg.utils.data.DataLoader(ds, { batchSize: 2, sampler: s });
    expect(loader.length).toBe(3);
    expect([...loader].map(([x]) => x.tolist())).toEqual([[1, 3], [5, 7], [9]]);
    expect(() => new tg.utils.data.DataLoader(ds, { sampler: s, shuffle: true })).toThrow('mutually exclusive');
    expect(() => new tg.utils.data.DistributedSampler(ds, { numReplicas: 2, rank: 2 })).toThrow('Invalid rank 2, rank should be in the interval [0, 1]');
    expect(() => new tg.utils.data.DistributedSampler(ds)).toThrow('initialize the default process group');
    expect(() => new tg.utils.data.DistributedSampler(ds, { numReplicas: 2, rank: 0, drop_last: true } as never)).toThrow(TypeError);
  });
});

describe.skipIf(!available)('tensorgrad-run, the launcher', () => {
  const launcher = join(__dirname, '..', 'bin', 'tensorgrad-run.js');
  const script = join(__dirname, 'distributed', 'launched.cjs');
  const launch = (args: string[], signalAfter?: number) => new Promise<{ code: number | null; out: string; err: string; ms: number }>((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [launcher, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    if (signalAfter !== undefined) setTimeout(() => child.kill('SIGTERM'), signalAfter);
    child.on('exit', (code) => resolve({ code, out, err, ms: Date.now() - t0 }));
  });

  it("sets torchrun's environment for each worker", async () => {
    const r = await launch(['--nproc-per-node', '3', '--master-port', String(nextPort++), script, 'ok']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).sort((a, b) => Number(a.rank) - Number(b.rank));
    expect(lines).toEqual([0, 1, 2].map((i) => ({ rank: String(i), local: String(i), world: '3', localWorld: '3', addr: '127.0.0.1', sum: [3, 3] })));
  }, 60000);

  it('stops every worker and exits non-zero when one fails, or when it is told to stop', async () => {
    const failed = await launch(['--nproc-per-node', '2', '--master-port', String(nextPort++), script, 'fail']);
    expect(failed.code).toBe(5);
    expect(failed.err).toMatch(/worker 1 \(rank 1\) exited with code 5; stopping the others/);
    expect(failed.ms).toBeLessThan(9000); // not the rendezvous timeout: rank 0 was stopped
    const stopped = await launch(['--nproc-per-node', '2', script, 'hang'], 1000);
    expect(stopped.code).not.toBe(0);
    expect(stopped.ms).toBeLessThan(8000);
  }, 60000);

  it('refuses bad arguments with its usage', async () => {
    for (const args of [['--nproc-per-node', '0', script], ['--nproc-per-node', '2'], ['--nodes', '2', script], ['--nnodes', '2', '--node-rank', '2', script]]) {
      const r = await launch(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/tensorgrad-run: /);
    }
  }, 60000);
});

describe.skipIf(!available)('npm run example:mnist-ddp', () => {
  it("trains MNIST on 2 processes with PyTorch's single-process losses, every rank's parameters identical after every step", async () => {
    const launcher = join(__dirname, '..', 'bin', 'tensorgrad-run.js');
    const script = join(__dirname, '..', 'examples', 'mnist-ddp.ts');
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [launcher, '--nproc-per-node', '2', '--master-port', String(nextPort++), script, '--epochs', '2', '--dtype', 'float64', '--check', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (b: Buffer) => (text += b.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}`))));
    });
    const run = JSON.parse(out.trim().split('\n').pop() as string) as { world: number; checkedSteps: number; epochs: { loss: number; testAccuracy: number }[] };
    expect(run.world).toBe(2);
    expect(run.checkedSteps).toBe(250);
    // the single-process run, by PyTorch (test/fixtures/mnist.json), in float64
    const want = (JSON.parse(readFileSync(join(__dirname, 'fixtures', 'mnist.json'), 'utf8')) as { float64: { epochs: { loss: number; testAccuracy: number }[] } }).float64.epochs;
    run.epochs.forEach((e, i) => {
      expect(Math.abs(e.loss - want[i].loss) / want[i].loss, `epoch ${i + 1}`).toBeLessThan(1e-5);
      expect(e.testAccuracy).toBe(want[i].testAccuracy);
    });
  }, 120000);
});
