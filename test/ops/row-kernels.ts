/**
 * The kernels compiled once per instruction set (native/kernels/simd.h: softmax, log_softmax and
 * layer_norm rows, exp, erf and GELU), on fixed inputs, as one digest per result. Run by
 * simd.test.ts in this process and in child processes on emulated CPUs, which must print the same.
 * Inputs come from a plain LCG: tg.randn goes through the C library's log and cos, whose own
 * versions differ between CPUs.
 */
import { createHash } from 'node:crypto';
import * as tg from '../../src/index';

let seed = 0;
function values(n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return ((seed / 2147483648) * 2 - 1) * scale;
  });
}

const hash = (t: tg.Tensor) => createHash('sha256').update(new Uint8Array(t.contiguous().toTypedArray().buffer as ArrayBuffer)).digest('hex').slice(0, 16);

/** Digests of every row kernel's forward and backward, float32 and float64; rows of 70 (whole vectors and a tail). */
export function rowKernelDigests(): Record<string, string> {
  const out: Record<string, string> = {};
  seed = 12345;
  const x32 = tg.tensor(values(37 * 70, 6)).reshape(37, 70), g32 = tg.tensor(values(37 * 70, 1)).reshape(37, 70);
  const w32 = tg.tensor(values(70, 2)), b32 = tg.tensor(values(70, 1));
  for (const dtype of ['float32', 'float64'] as const) {
    const [x, g, w, b] = [x32, g32, w32, b32].map((t) => t.to(dtype));
    const grads = (f: (t: tg.Tensor) => tg.Tensor) => {
      const xs = x.detach().requiresGrad_();
      const y = f(xs);
      y.backward(g);
      return `${hash(y)} ${hash(xs.grad!)}`;
    };
    out[`${dtype} softmax`] = grads((t) => t.softmax(1));
    out[`${dtype} softmax over dim 0 (strided rows)`] = grads((t) => t.softmax(0));
    out[`${dtype} logSoftmax`] = grads((t) => tg.F.logSoftmax(t, 1));
    out[`${dtype} gelu`] = grads((t) => tg.F.gelu(t));
    out[`${dtype} exp`] = hash(x.exp());
    out[`${dtype} erf`] = hash(x.erf());
    const xs = x.detach().requiresGrad_(), ws = w.detach().requiresGrad_(), bs = b.detach().requiresGrad_();
    const y = tg.F.layerNorm(xs, [70], ws, bs);
    y.backward(g);
    out[`${dtype} layerNorm`] = [y, xs.grad!, ws.grad!, bs.grad!].map(hash).join(' ');
  }
  return out;
}

/** What a child process prints: the CPU the addon saw, and the digests. */
export function report(): { cpu: { avx2: boolean; avx512: boolean }; digests: Record<string, string> } {
  const { avx2, avx512 } = tg.backendInfo().cpu;
  return { cpu: { avx2, avx512 }, digests: rowKernelDigests() };
}

if (require.main === module) console.log(JSON.stringify(report()));
