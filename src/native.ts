/**
 * Loads the C++ addon (through node-gyp-build: a build in build/, else the prebuilt binary) and types it.
 *
 * Every kernel takes its tensors as typed arrays; their shapes, offsets and strides (in elements)
 * are in a metadata buffer the addon owns, written just before each call (src/ops/meta.ts). The
 * addon checks all of it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TypedArray } from './dtype';
import { DTypeError, IndexError, ShapeError } from './errors';

/** A tensor operand: its storage, or a number standing for a scalar. */
export type Operand = TypedArray | number;

type Unary = (out: TypedArray, a: Operand) => void;
type Binary = (out: TypedArray, a: Operand, b: Operand, alpha?: number) => void;
type Reduce = (out: TypedArray, a: TypedArray) => void;

export const UNARY_FLOAT_OPS = [
  'exp', 'log', 'log2', 'log10', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'tan',
  'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'erf', 'gelu',
] as const;
export const UNARY_NUM_OPS = ['neg', 'abs', 'sign', 'relu', 'floor', 'ceil', 'round', 'trunc'] as const;
export const COMPARE_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export const LOGICAL_OPS = ['logical_and', 'logical_or', 'logical_xor'] as const;

export type UnaryFloatOp = (typeof UNARY_FLOAT_OPS)[number];
export type UnaryNumOp = (typeof UNARY_NUM_OPS)[number];
export type CompareOp = (typeof COMPARE_OPS)[number];
export type LogicalOp = (typeof LOGICAL_OPS)[number];
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'atan2' | 'gelu_backward' | CompareOp | LogicalOp;

export interface NativeBackendInfo {
  blas: string;
  blasConfig: string;
  blasCoreType: string;
  /** The kernel set OPENBLAS_CORETYPE named that this CPU cannot run, replaced by OpenBLAS's own choice ('' if none). */
  blasCoreReplaced: string;
  cpuVendor: string;
  avx2: boolean;
  avx512: boolean;
  napiVersion: number;
  kernelThreads: number;
  malloc: string;
  gemmKernels: string;
}

export type Native = Record<UnaryFloatOp | UnaryNumOp, Unary> &
  Record<BinaryOp, Binary> &
  Record<'sum' | 'mean' | 'prod' | 'amax' | 'amin' | 'argmax' | 'argmin' | 'all' | 'any', Reduce> & {
    init(classes: { ShapeError: unknown; DTypeError: unknown; IndexError: unknown }): Float64Array;
    backendInfo(): NativeBackendInfo;
    setThreads(n: number): void;
    /** Detaches the ArrayBuffer of a typed array that spans all of it, freeing its memory now. */
    release(data: TypedArray): boolean;
    where(out: TypedArray, cond: Uint8Array, a: Operand, b: Operand): void;
    threshold_backward(out: TypedArray, grad: TypedArray, x: TypedArray, threshold: number): void;
    clamp_backward(out: TypedArray, grad: TypedArray, x: TypedArray, min: number | null, max: number | null): void;
    clamp(out: TypedArray, a: TypedArray, min?: number | null, max?: number | null): void;
    copy(out: TypedArray, a: TypedArray): void;
    fill(out: TypedArray, value: number): void;
    logical_not(out: Uint8Array, a: TypedArray): void;
    max(values: TypedArray, indices: BigInt64Array, a: TypedArray): void;
    min(values: TypedArray, indices: BigInt64Array, a: TypedArray): void;
    var(out: TypedArray, a: TypedArray, correction: number): void;
    gemm(out: TypedArray, a: TypedArray, b: TypedArray, alpha: number, beta: number): void;
    seed(state: Uint32Array, lo: number, hi: number): void;
    uniform_(out: TypedArray, state: Uint32Array, from: number, to: number): void;
    normal_(out: TypedArray, state: Uint32Array, mean: number, std: number): void;
    randint_(out: TypedArray, state: Uint32Array, low: number, high: number): void;
    randperm(out: BigInt64Array, state: Uint32Array, n: number): void;
    bernoulli_(out: TypedArray, state: Uint32Array, p: number): void;
    generatorWords: number;
    gather(out: TypedArray, src: TypedArray, index: BigInt64Array): void;
    scatter_(self: TypedArray, src: TypedArray | number, index: BigInt64Array, accumulate: boolean): void;
    sgd_step(param: TypedArray, grad: TypedArray, buf: TypedArray | null, lr: number, momentum: number,
      dampening: number, weightDecay: number, nesterov: boolean, maximize: boolean, first: boolean): void;
    adam_step(param: TypedArray, grad: TypedArray, expAvg: TypedArray, expAvgSq: TypedArray, maxExpAvgSq: TypedArray | null,
      lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, step: number,
      amsgrad: boolean, maximize: boolean, decoupled: boolean): void;
    softmax(out: TypedArray, a: TypedArray): void;
    log_softmax(out: TypedArray, a: TypedArray): void;
    softmax_backward(gin: TypedArray, grad: TypedArray, out: TypedArray): void;
    log_softmax_backward(gin: TypedArray, grad: TypedArray, out: TypedArray): void;
    nll_loss(out: TypedArray, totalWeight: TypedArray, input: TypedArray, target: TypedArray, weight: TypedArray | null,
      ignoreIndex: number, reduction: number): void;
    nll_loss_backward(gin: TypedArray, grad: TypedArray, target: TypedArray, weight: TypedArray | null, totalWeight: TypedArray,
      ignoreIndex: number, reduction: number): void;
    mse_loss(a: TypedArray, b: TypedArray, out: TypedArray, reduction: number): void;
    mse_loss_backward(gin: TypedArray, a: TypedArray, b: TypedArray, grad: TypedArray, reduction: number): void;
    arange_(out: TypedArray, start: number, step: number): void;
    im2col(cols: TypedArray, x: TypedArray, n: number, c: number, h: number, w: number, kh: number, kw: number,
      sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, pad: number): void;
    col2im(dx: TypedArray, cols: TypedArray, n: number, c: number, h: number, w: number, kh: number, kw: number,
      sh: number, sw: number, ph: number, pw: number, dh: number, dw: number): void;
    linspace_(out: TypedArray, start: number, end: number): void;
    layer_norm(y: TypedArray, mean: TypedArray, rstd: TypedArray, x: TypedArray, w: TypedArray | null, b: TypedArray | null, eps: number): void;
    layer_norm_backward(dx: TypedArray | null, dw: TypedArray | null, db: TypedArray | null, dy: TypedArray, x: TypedArray,
      mean: TypedArray, rstd: TypedArray, w: TypedArray | null): void;
  };

/** Who chose OpenBLAS's kernel set: the user (OPENBLAS_CORETYPE), tensorgrad, or OpenBLAS itself. */
export let blasCoreChoice = 'openblas' as 'user' | 'tensorgrad' | 'openblas';

/**
 * OpenBLAS picks its kernels by CPU model, and the versions distributions ship do not know recent
 * AMD cores: on Zen 4/5 they pick the AVX2 (Haswell/Zen) kernels, about half the speed of the
 * AVX-512 (SkylakeX) ones those cores run. The choice is made when the library loads, from
 * OPENBLAS_CORETYPE, so we set it for the load when the CPU has AVX-512 and the user has not
 * chosen. Intel CPUs with AVX-512 are left to OpenBLAS, which detects them as SkylakeX or newer.
 * @param cpuinfo the text of /proc/cpuinfo
 */
export function strongerBlasCore(cpuinfo: string): string | undefined {
  const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '').trim().split(/\s+/));
  const vendor = /^vendor_id\s*:\s*(\S+)/m.exec(cpuinfo)?.[1];
  const avx512 = ['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'].every((f) => flags.has(f));
  return avx512 && vendor !== 'GenuineIntel' ? 'SkylakeX' : undefined;
}

function readCpuinfo(): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') return '';
  try {
    return fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

/** The path of the addon binary loaded: a prebuilt one (prebuilds/) or one built here (build/). */
export let addonPath = '';

function load(): Native {
  const root = path.join(__dirname, '..');
  const core = process.env.OPENBLAS_CORETYPE ? undefined : strongerBlasCore(readCpuinfo());
  if (process.env.OPENBLAS_CORETYPE) blasCoreChoice = 'user';
  if (core !== undefined) {
    process.env.OPENBLAS_CORETYPE = core;
    blasCoreChoice = 'tensorgrad';
  }
  try {
    // node-gyp-build looks in build/Release, then prebuilds/<platform>-<arch>; TENSORGRAD_PREBUILD=<dir>
    // makes it look in <dir> instead.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
    try {
      addonPath = nodeGypBuild.resolve(root);
    } catch (e) {
      throw new Error(
        `tensorgrad: no native addon for ${process.platform}-${process.arch} (no prebuilt binary, and it was not built).\n` +
          '  npm 11 skips dependencies\' install scripts unless allowed: run `npm install-scripts approve tensorgrad`\n' +
          '  and `npm rebuild tensorgrad` (needs a C++ compiler, make and python3; libopenblas-dev for the fast path).\n' +
          `  ${String(e)}`,
        { cause: e },
      );
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(addonPath) as Native;
    } catch (e) {
      const hint = addonPath.includes(`${path.sep}prebuilds${path.sep}`)
        ? '  The prebuilt binary does not run here; build one from source with `npm rebuild tensorgrad --build-from-source`\n' +
          '  (needs a C++ compiler, make and python3; libopenblas-dev for the fast path).\n'
        : '  Rebuild it with `npm rebuild tensorgrad`.\n';
      throw new Error(`tensorgrad: could not load its native addon ${addonPath}\n${hint}  ${String(e)}`, { cause: e });
    }
  } finally {
    // OpenBLAS has read it; do not pass our choice on to child processes.
    if (core !== undefined) delete process.env.OPENBLAS_CORETYPE;
  }
}

const addon = load();
/** The addon, with the metadata buffer its kernels read (see src/ops/meta.ts). */
export const native: Native & { meta: Float64Array } = Object.assign(addon, {
  meta: addon.init({ ShapeError, DTypeError, IndexError }),
});

// /proc/cpuinfo describes the host, not the CPU, under an emulator (qemu-user), and a user may
// name kernels this CPU cannot run: the addon then went back to OpenBLAS's own detection.
const { blasCoreReplaced, blasCoreType } = native.backendInfo();
if (blasCoreReplaced !== '') {
  if (blasCoreChoice === 'user') {
    process.emitWarning(
      `OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? ''} names OpenBLAS kernels (${blasCoreReplaced}) that this CPU cannot run; ` +
        `using the ones OpenBLAS picks for it (${blasCoreType})`,
      'UserWarning',
    );
  }
  blasCoreChoice = 'openblas';
}

// TENSORGRAD_GEMM picks a lower set of our matrix-product kernels (for comparisons and tests).
const gemmChoice = process.env.TENSORGRAD_GEMM;
if (gemmChoice !== undefined) {
  const got = native.backendInfo().gemmKernels;
  if (!['avx512', 'avx2', 'blas'].includes(gemmChoice)) {
    process.emitWarning(`TENSORGRAD_GEMM=${gemmChoice} is not one of 'avx512', 'avx2' or 'blas'; using the best kernels this CPU runs (${got})`, 'UserWarning');
  } else if (got !== gemmChoice) {
    process.emitWarning(`TENSORGRAD_GEMM=${gemmChoice} names kernels this CPU cannot run; using ${got}`, 'UserWarning');
  }
}
