/** Runtime facts and settings: which BLAS and CPU kernels run, how many threads. */
import { describeValue } from './options';
import { addonPath, blasCoreChoice, native } from './native';

export interface BackendInfo {
  /** tensorgrad's version. */
  version: string;
  /** The BLAS library matrix products use: 'OpenBLAS', 'Accelerate', 'MKL', 'BLIS', 'CBLAS' (another CBLAS) or 'none' (our own kernel). */
  blas: string;
  /** The library's own description (OpenBLAS: version, build options, kernel set; MKL, BLIS: version). */
  blasConfig: string;
  /**
   * The kernels float32 and float64 matrix products run on: tensorgrad's own, vectorised for the CPU
   * ('avx512' or 'avx2': x86-64 CPUs with AVX-512, or with AVX2 and FMA), or 'blas': the library
   * above (with `blas: 'none'`, tensorgrad's scalar kernel), on other CPUs and builds (a compiler
   * other than GCC, not x86-64) or with TENSORGRAD_GEMM=blas. TENSORGRAD_GEMM=avx2 picks the AVX2
   * kernels on an AVX-512 CPU.
   */
  gemmKernels: 'avx512' | 'avx2' | 'blas';
  /** The kernel set OpenBLAS runs on this CPU (e.g. 'SkylakeX', 'Haswell', 'Zen'). */
  blasCoreType: string;
  /** Who chose that kernel set: the user (OPENBLAS_CORETYPE), tensorgrad (a stronger set than OpenBLAS detects), or OpenBLAS. */
  blasCoreChoice: 'user' | 'tensorgrad' | 'openblas';
  /**
   * Threads used for matrix products: tensorgrad's pool splits a large product into blocks, each a
   * single-threaded BLAS call, so the BLAS library keeps no threads of its own.
   */
  threads: number;
  /** Threads tensorgrad's own kernels use (elementwise ops and reductions on large tensors): the same pool. */
  kernelThreads: number;
  cpu: { vendor: string; avx2: boolean; avx512: boolean };
  napiVersion: number;
  /**
   * How freed tensor memory is kept: on glibc, tensorgrad keeps it in the process for reuse rather than
   * returning it to the system after each collection ('system' with TENSORGRAD_MALLOC=system, or when
   * MALLOC_* / GLIBC_TUNABLES are set in the environment).
   */
  malloc: string;
  /** The native addon binary in use: the prebuilt one (prebuilds/) or a source build (build/Release). */
  addon: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION = (require('../package.json') as { version: string }).version;

/**
 * What tensorgrad runs on.
 * @example console.log(tg.backendInfo().blas) // 'OpenBLAS'
 */
export function backendInfo(): BackendInfo {
  const n = native.backendInfo();
  return {
    version: VERSION,
    blas: n.blas,
    blasConfig: n.blasConfig,
    gemmKernels: n.gemmKernels as BackendInfo['gemmKernels'],
    blasCoreType: n.blasCoreType,
    blasCoreChoice: n.blas === 'OpenBLAS' ? blasCoreChoice : 'openblas',
    threads: n.kernelThreads,
    kernelThreads: n.kernelThreads,
    cpu: { vendor: n.cpuVendor, avx2: n.avx2, avx512: n.avx512 },
    napiVersion: n.napiVersion,
    malloc: n.malloc,
    addon: addonPath,
  };
}

/**
 * Sets how many threads tensorgrad's kernels and matrix products may use (one pool: the caller and n - 1 workers).
 * @example tg.setNumThreads(1)
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, but got ${describeValue(n)}`);
  native.setThreads(n);
}

/** The number of threads set by setNumThreads (by default the machine's cores, or OPENBLAS_NUM_THREADS when set). */
export function getNumThreads(): number {
  return native.backendInfo().kernelThreads;
}
