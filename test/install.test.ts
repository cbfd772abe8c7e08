// The package as `npm install tensorgrad` gives it: the packed tarball with its prebuilt binary,
// installed into an empty project with install scripts off and no compiler on PATH, then used there.
// The prebuilt binary is made first (`npm run prebuild`) when it is missing or older than the sources.
import { execFileSync, spawn, spawnSync, type ExecFileSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tg from '../src/index';

const root = join(__dirname, '..');
const platformDir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

/** Newest modification time of a file or of the files under a directory (builds left out). */
function newest(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).filter((f) => f !== 'build' && f !== 'prebuilds').map((f) => newest(join(p, f))));
}

/** Where the prebuilt distributed module (tg.distributed, linked to gloo's library) goes. */
const distributedDir = join(root, 'native', 'distributed', 'prebuilds', `${process.platform}-${process.arch}`);
const nodeFiles = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.node')) : []);

/**
 * The prebuilt binaries for this platform, the main one and the distributed module, built when
 * missing or older than what they are built from.
 */
function ensurePrebuild(): { main: string; distributed: string } {
  const sources = ['native', 'binding.gyp', 'scripts/find-blas.js', 'scripts/prebuild.js'].map((p) => newest(join(root, p)));
  const built = [...nodeFiles(platformDir).map((f) => join(platformDir, f)), ...nodeFiles(distributedDir).map((f) => join(distributedDir, f))];
  if (built.length !== 2 || built.some((f) => fs.statSync(f).mtimeMs < Math.max(...sources))) {
    fs.rmSync(platformDir, { recursive: true, force: true });
    execFileSync(process.execPath, [join(root, 'scripts', 'prebuild.js')], { cwd: root, stdio: 'pipe' });
  }
  return { main: join(platformDir, nodeFiles(platformDir)[0]), distributed: join(distributedDir, nodeFiles(distributedDir)[0]) };
}

/** npm's own script, run with this node (npm_execpath when the tests run under npm). */
function npmCli(): string {
  const fromNpm = process.env.npm_execpath;
  if (fromNpm && /npm-cli\.js$/.test(fromNpm)) return fromNpm;
  return fs.realpathSync(which('npm') ?? 'npm');
}

/** The seed's autograd loop (64x1000x100x10, lr 1e-6) for a few steps; prints losses and backendInfo. */
const trainScript = (load: string) => `${load}
const dtype = process.argv[2] ?? 'float32';
tg.manualSeed(0);
const x = tg.randn(64, 1000, { dtype }), y = tg.randn(64, 10, { dtype });
const w1 = tg.randn(1000, 100, { dtype, requiresGrad: true }), w2 = tg.randn(100, 10, { dtype, requiresGrad: true });
const losses = [];
for (let t = 0; t < 5; t++) {
  const loss = x.mm(w1).clamp(0).mm(w2).sub(y).pow(2).sum();
  losses.push(loss.item());
  loss.backward();
  tg.noGrad(() => {
    w1.sub_(w1.grad.mul(1e-6));
    w2.sub_(w2.grad.mul(1e-6));
    w1.grad.zero_();
    w2.grad.zero_();
  });
}
console.log(JSON.stringify({ losses, info: tg.backendInfo() }));
`;

/** The same loop here, on the build the rest of the suite tests. */
function referenceLosses(dtype: tg.DType): number[] {
  tg.manualSeed(0);
  const x = tg.randn(64, 1000, { dtype }), y = tg.randn(64, 10, { dtype });
  const w1 = tg.randn(1000, 100, { dtype, requiresGrad: true }), w2 = tg.randn(100, 10, { dtype, requiresGrad: true });
  const losses: number[] = [];
  for (let t = 0; t < 5; t++) {
    const loss = x.mm(w1).clamp(0).mm(w2).sub(y).pow(2).sum();
    losses.push(loss.item());
    loss.backward();
    tg.noGrad(() => {
      w1.sub_(w1.grad!.mul(1e-6));
      w2.sub_(w2.grad!.mul(1e-6));
      w1.grad!.zero_();
      w2.grad!.zero_();
    });
  }
  return losses;
}

interface Run {
  losses: number[];
  info: tg.BackendInfo;
}

function expectClose(actual: number[], expected: number[], rtol: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i])).toBeLessThanOrEqual(rtol * Math.abs(expected[i])));
}

/** The path of a command on PATH, or undefined. */
function which(cmd: string): string | undefined {
  try {
    return execFileSync('which', [cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
const qemu = which('qemu-x86_64');

/** The environment of a fresh shell in the project: no redirection of the addon (TENSORGRAD_PREBUILD). */
function userEnv(path: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: path, ...extra };
  delete env.TENSORGRAD_PREBUILD;
  delete env.PREBUILDS_ONLY;
  return env;
}

describe.runIf(linuxX64)('the package as npm installs it', () => {
  let work: string;
  let app: string;
  let bin: string; // PATH inside the project: node and nothing else (no compiler, no make, no python)
  let packed: { filename: string; files: { path: string }[] };
  const inApp = (args: string[], opts: ExecFileSyncOptions = {}) =>
    execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8', ...opts, env: userEnv(bin, opts.env) }) as string;
  const train = (file: string, dtype: string, env: NodeJS.ProcessEnv = {}) => JSON.parse(inApp([file, dtype], { env })) as Run;

  beforeAll(() => {
    ensurePrebuild();
    work = fs.mkdtempSync(join(tmpdir(), 'tensorgrad-install-'));
    const out = execFileSync(process.execPath, [npmCli(), 'pack', '--json', '--ignore-scripts', '--pack-destination', work], {
      cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    packed = (JSON.parse(out) as (typeof packed)[])[0];

    bin = join(work, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, join(bin, 'node'));
    app = join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    inApp([npmCli(), 'install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', join(work, packed.filename)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    fs.writeFileSync(join(app, 'train.cjs'), trainScript("const tg = require('tensorgrad');"));
    fs.writeFileSync(join(app, 'train.mjs'), trainScript("import * as tg from 'tensorgrad';"));
  }, 600_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('ships the prebuilt binary, compiled JS, types, README and LICENSE, and no tests or build tree', () => {
    const files = packed.files.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts',
      'prebuilds/linux-x64/tensorgrad.glibc.node', 'native/distributed/prebuilds/linux-x64/tensorgrad_distributed.glibc.node', 'binding.gyp', 'CMakeLists.txt', 'native/sources.json', 'scripts/find-blas.js']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(test|src|build|bench|examples|scripts\/fixtures|native\/test|node_modules)\//.test(f) || f.endsWith('.js.map'))).toEqual([]);
  });

  it('installs with no compiler on PATH and loads the prebuilt binary', () => {
    for (const tool of ['cc', 'gcc', 'g++', 'make', 'python3', 'cmake']) expect(fs.existsSync(join(bin, tool))).toBe(false);
    const info = JSON.parse(inApp(['-e', 'console.log(JSON.stringify(require("tensorgrad").backendInfo()))'])) as tg.BackendInfo;
    expect(info.addon).toBe(join(app, 'node_modules', 'tensorgrad', 'prebuilds', 'linux-x64', 'tensorgrad.glibc.node'));
    expect(info.blas).toBe('OpenBLAS');
    expect(fs.existsSync(join(app, 'node_modules', 'tensorgrad', 'build'))).toBe(false);
  });

  it('trains the seed net there, through require and import, with the same losses as this build', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const expected = referenceLosses(dtype);
      expect(train('train.cjs', dtype).losses).toEqual(expected);
      expect(train('train.mjs', dtype).losses).toEqual(expected);
    }
  });

  it('builds from source where there is no prebuilt binary, with its own GEMM and a notice when there is no BLAS', () => {
    // A copy of the project whose package has no binary for this platform, on a machine where
    // pkg-config finds no BLAS: the documented `npm rebuild tensorgrad` compiles it with node-gyp.
    const source = join(work, 'source-build');
    fs.cpSync(app, source, { recursive: true, verbatimSymlinks: true });
    fs.rmSync(join(source, 'node_modules', 'tensorgrad', 'prebuilds'), { recursive: true });
    const env = { ...userEnv(process.env.PATH ?? ''), PKG_CONFIG_LIBDIR: join(work, 'no-pkgconfig'), JOBS: 'max' };
    const build = spawnSync(process.execPath, [npmCli(), 'rebuild', 'tensorgrad', '--foreground-scripts'], { cwd: source, encoding: 'utf8', env });
    expect(build.status, build.stderr).toBe(0);
    expect(build.stdout + build.stderr).toContain('tensorgrad: no BLAS found, building with its own (slower) GEMM.');
    const run = JSON.parse(execFileSync(process.execPath, ['train.cjs', 'float64'], { cwd: source, encoding: 'utf8', env: userEnv(bin) })) as Run;
    expect(run.info.addon).toBe(join(source, 'node_modules', 'tensorgrad', 'build', 'Release', 'tensorgrad.node'));
    expect(run.info.blas).toBe('none');
    expectClose(run.losses, referenceLosses('float64'), 1e-9);
  }, 300_000);

  // The distributed module is prebuilt too: with gloo's library installed (libgloo0, which
  // libgloo-dev brings here) two processes of the installed package all-reduce, nothing compiled.
  it('runs tg.distributed from the prebuilt module: an allReduce between 2 processes', async () => {
    expect(fs.existsSync(join(app, 'node_modules', 'tensorgrad', 'native', 'distributed', 'build'))).toBe(false);
    fs.writeFileSync(join(app, 'allreduce.cjs'), `const tg = require('tensorgrad');
const rank = Number(process.argv[2]);
tg.distributed.initProcessGroup({ backend: 'gloo', initMethod: 'file://' + process.argv[3], rank, worldSize: 2, timeout: 60000 });
const t = tg.tensor([rank + 1, 10], { dtype: 'float64' });
tg.distributed.allReduce(t);
console.log(JSON.stringify(t.tolist()));
tg.distributed.destroyProcessGroup();
`);
    const rendezvous = join(work, 'rendezvous');
    const outputs = await Promise.all([0, 1].map((rank) => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['allreduce.cjs', String(rank), rendezvous], { cwd: app, env: userEnv(bin), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`rank ${rank} exited with ${code}: ${err}`))));
    })));
    for (const out of outputs) expect(JSON.parse(out)).toEqual([3, 20]);
  }, 120_000);

  it('gives TypeScript users its types', () => {
    fs.writeFileSync(join(app, 'check.ts'), `import * as tg from 'tensorgrad';
const x: tg.Tensor = tg.randn(2, 3);
const shape: readonly number[] = x.mm(tg.randn(3, 4)).shape;
const info: tg.BackendInfo = tg.backendInfo();
export const summary = [shape, info.blas];
`);
    const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
    // No @types/node in the project: the published types must not need Node's.
    inApp([tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'check.ts']);
  });

  it("runs OpenBLAS's kernels for CPUs without AVX-512 when told to (OPENBLAS_CORETYPE)", () => {
    for (const core of ['Haswell', 'Nehalem']) {
      const run = train('train.cjs', 'float64', { OPENBLAS_CORETYPE: core });
      expect(run.info.blasCoreType).toBe(core);
      expect(run.info.blasCoreChoice).toBe('user');
      expectClose(run.losses, referenceLosses('float64'), 1e-9);
    }
  });

  // qemu's user-mode emulator runs node on a CPU model without AVX-512 (Haswell) or without AVX at
  // all (Nehalem): the binary must not use instructions the CPU lacks, and OpenBLAS picks its kernels.
  it.runIf(qemu !== undefined)('runs on emulated CPUs without AVX-512 and without AVX', () => {
    for (const [model, core] of [['Haswell-noTSX', 'Haswell'], ['Nehalem', 'Nehalem']]) {
      const out = execFileSync(qemu!, ['-cpu', model, process.execPath, 'train.cjs', 'float64'], {
        cwd: app, encoding: 'utf8', env: userEnv(bin), timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'], // qemu warns of CPU features it does not emulate
      });
      const run = JSON.parse(out) as Run;
      expect(run.info.cpu.avx512).toBe(false);
      expect(run.info.cpu.avx2).toBe(model !== 'Nehalem');
      expect(run.info.blasCoreType).toBe(core);
      expectClose(run.losses, referenceLosses('float64'), 1e-9);
    }
    // Under qemu-user /proc/cpuinfo is the host's: on an AVX-512 host it says AVX-512 while the
    // emulated CPU has none. Kernels that CPU cannot run, ours or the user's choice, are replaced by
    // OpenBLAS's own detection (with a warning for the user's) instead of crashing on an illegal instruction.
    const forced = spawnSync(qemu!, ['-cpu', 'Haswell-noTSX', process.execPath, 'train.cjs', 'float64'], {
      cwd: app, encoding: 'utf8', env: userEnv(bin, { OPENBLAS_CORETYPE: 'SkylakeX' }), timeout: 300_000,
    });
    expect(forced.status, forced.stderr.slice(-2000)).toBe(0);
    const run = JSON.parse(forced.stdout) as Run;
    expect(run.info.blasCoreType).toBe('Haswell');
    expect(run.info.blasCoreChoice).toBe('openblas');
    expect(forced.stderr).toContain('OPENBLAS_CORETYPE=SkylakeX names OpenBLAS kernels (SkylakeX) that this CPU cannot run; using the ones OpenBLAS picks for it (Haswell)');
  }, 600_000);
});

describe.runIf(linuxX64)('the prebuilt binary', () => {
  let binary: string;
  let distributed: string;
  beforeAll(() => {
    ({ main: binary, distributed } = ensurePrebuild());
  }, 600_000);

  it('is self-contained: OpenBLAS, libgfortran and the C++ runtime are inside; it needs only the C library', () => {
    const needed = execFileSync('ldd', [binary], { encoding: 'utf8' })
      .split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
    expect(needed.filter((lib) => !/^(linux-vdso\.so|libc\.so|libm\.so|libdl\.so|libpthread\.so|librt\.so|\/lib64\/ld-linux)/.test(lib))).toEqual([]);
    // The glibc it needs: that of the system it was built on (see the README's Releasing).
    const versions = execFileSync('nm', ['-D', '--undefined-only', binary], { encoding: 'utf8' }).match(/GLIBC_[\d.]+/g) ?? [];
    const floor = versions.map((v) => v.slice(6).split('.').map(Number)).sort((a, b) => b[0] - a[0] || (b[1] ?? 0) - (a[1] ?? 0))[0];
    const header = process.report.getReport() as unknown as { header: { glibcVersionRuntime: string } };
    const runtime = header.header.glibcVersionRuntime.split('.').map(Number);
    expect(floor[0] * 1000 + (floor[1] ?? 0)).toBeLessThanOrEqual(runtime[0] * 1000 + runtime[1]);
  });

  it('exports only the Node-API entry points and uses only Node-API from Node: one binary for every Node >= 20', () => {
    const nm = (args: string[]) => execFileSync('nm', ['-D', ...args, binary], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(nm(['--defined-only']).map((l) => l.split(/\s+/).pop()).sort()).toEqual(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
    const imports = nm(['--undefined-only']).map((l) => l.trim().split(/\s+/).pop()!);
    expect(imports.filter((s) => /^napi_|^node_api_/.test(s)).length).toBeGreaterThan(10);
    expect(imports.filter((s) => /^_ZN(2v8|4node)|^uv_|^node_/.test(s))).toEqual([]);
  });

  it("distributed module: needs gloo's library and the C++ runtime only, and exports only Node-API's entry points", () => {
    const needed = execFileSync('readelf', ['-d', distributed], { encoding: 'utf8' }).match(/\(NEEDED\).*\[(.*)\]/g)!.map((l) => l.replace(/.*\[(.*)\]/, '$1'));
    expect(needed.sort()).toEqual(['libc.so.6', 'libgcc_s.so.1', 'libgloo.so.0', 'libstdc++.so.6']);
    const exported = execFileSync('nm', ['-D', '--defined-only', distributed], { encoding: 'utf8' }).split('\n').filter(Boolean).map((l) => l.split(/\s+/).pop());
    expect(exported.sort()).toEqual(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
    expect(fs.statSync(distributed).size).toBeLessThanOrEqual(2 ** 20);
  });

  it('stays within its size budget (32 MiB)', () => {
    expect(fs.statSync(binary).size).toBeLessThanOrEqual(32 * 2 ** 20);
  });

  it('is built for any x86-64 CPU: no -march or ISA flags in the build files', () => {
    for (const f of ['binding.gyp', 'CMakeLists.txt', 'scripts/find-blas.js', 'scripts/prebuild.js']) {
      const text = fs.readFileSync(join(root, f), 'utf8').replace(/^\s*(#|\/\/).*$/gm, '');
      expect(text, f).not.toMatch(/-march|-mtune|-mavx|-mfma|-msse4|-mcpu/);
    }
    expect(dirname(binary)).toBe(platformDir);
  });
});
