/**
 * Loads the C++ addon (through node-gyp-build: a build in build/, else the prebuilt binary) and types it.
 *
 * Every kernel takes its operands as typed arrays; their shapes, offsets and strides (in elements)
 * and the kernel's parameters are in a metadata buffer the addon owns, written just before each
 * call by src/ops/launch.ts (the contract is native/binding/call.h). The addon checks all of it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TypedArray } from './dtype';
import { DTypeError, IndexError, ShapeError } from './errors';

export const UNARY_FLOAT_OPS = [
  'exp', 'log', 'log2', 'log10', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'tan',
  'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'erf', 'gelu',
] as const;
export const UNARY_NUM_OPS = ['neg', 'abs', 'sign', 'relu', 'floor', 'ceil', 'round', 'trunc'] as const;
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'atan2', 'hypot', 'fmod', 'remainder', 'floor_divide', 'trunc_divide'] as const;
export const COMPARE_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export const LOGICAL_OPS = ['logical_and', 'logical_or', 'logical_xor'] as const;

/**
 * Every kernel the addon exports (native/binding/*.cc), by family; test/native.test.ts checks this
 * list against the addon. A kernel's name is the snake_case of the TypeScript op that calls it.
 */
export const KERNELS = [
  ...UNARY_FLOAT_OPS, ...UNARY_NUM_OPS, ...BINARY_OPS, ...COMPARE_OPS, ...LOGICAL_OPS,
  'logical_not', 'where', 'clamp', 'copy', 'fill', 'threshold_backward', 'clamp_backward', 'gelu_backward',
  'sum', 'mean', 'prod', 'amax', 'amin', 'argmax', 'argmin', 'max_dim', 'min_dim', 'variance', 'all', 'any', 'cumsum', 'cumprod', 'logcumsumexp', 'cummax', 'cummin',
  'gemm', 'gather', 'scatter_', 'scatter_reduce_', 'index', 'index_put_', 'softmax', 'log_softmax', 'softmax_backward', 'log_softmax_backward',
  'nll_loss', 'nll_loss_backward', 'mse_loss', 'mse_loss_backward', 'im2col', 'col2im', 'layer_norm', 'layer_norm_backward',
  'batch_norm', 'batch_norm_backward', 'ctc_loss', 'ctc_loss_backward',
  'rnn_layer', 'rnn_layer_backward',
  'scaled_dot_product_attention', 'scaled_dot_product_attention_backward',
  'seed', 'uniform_', 'normal_', 'randint_', 'randperm', 'bernoulli_', 'exponential_', 'random_', 'bernoulli', 'multinomial', 'arange_', 'linspace_',
  'sgd_step', 'adam_step', 'rmsprop_step', 'adagrad_step', 'adadelta_step', 'adamax_step', 'nadam_step', 'radam_step', 'asgd_step',
  'sort', 'topk', 'kthvalue', 'median', 'mode', 'histc', 'bincount', 'searchsorted',
  'max_pool2d', 'max_pool2d_backward', 'avg_pool2d', 'avg_pool2d_backward', 'adaptive_avg_pool2d', 'adaptive_avg_pool2d_backward',
  'upsample_nearest2d', 'upsample_nearest2d_backward', 'upsample_bilinear2d', 'upsample_bilinear2d_backward', 'pad', 'pad_backward',
] as const;

export type UnaryFloatOp = (typeof UNARY_FLOAT_OPS)[number];
export type UnaryNumOp = (typeof UNARY_NUM_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number];
export type CompareOp = (typeof COMPARE_OPS)[number];
export type LogicalOp = (typeof LOGICAL_OPS)[number];
export type KernelName = (typeof KERNELS)[number];

/**
 * A kernel's argument for one operand: its storage, a number standing for a scalar, null for an
 * absent optional operand, or a generator's state.
 */
export type KernelData = TypedArray | Uint32Array | number | null;

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

/** The runtime functions the addon exports besides its kernels. */
export const RUNTIME = ['init', 'backendInfo', 'setThreads', 'release', 'generatorWords', 'ops'] as const;

/**
 * The addon: every kernel takes one argument per operand (see src/ops/launch.ts, which makes every
 * call); `ops` names each kernel's operands and parameters, snake_case, in the order the kernel
 * takes them.
 */
export type Native = Record<KernelName, (...operands: KernelData[]) => void> & {
  init(classes: { ShapeError: unknown; DTypeError: unknown; IndexError: unknown }): Float64Array;
  backendInfo(): NativeBackendInfo;
  setThreads(n: number): void;
  /** Detaches the ArrayBuffer of a typed array that spans all of it, freeing its memory now. */
  release(data: TypedArray): boolean;
  generatorWords: number;
  ops: Record<KernelName, { operands: readonly string[]; params: readonly string[] }>;
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
/** The addon, with the metadata buffer its kernels read (see src/ops/launch.ts). */
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
