/**
 * What bench/run.ts asks bench/seed-loop.ts to measure. Its own module, with no side effects, so that
 * run.ts can import it without running the measurements.
 */
export interface Config {
  kind: 'loop' | 'op' | 'gemm' | 'mnist' | 'elementwise' | 'transformer' | 'lstm' | 'attention';
  mode?: 'autograd' | 'manual';
  dtype?: 'float32' | 'float64';
  threads: number;
  steps?: number;
  /** mnist: epochs to run and the folder bench/mnist.ts exported the data to (transformer, lstm: bench/transformer.ts's, bench/lstm.ts's). */
  epochs?: number;
  data?: string;
  /** elementwise: the op (one of ELEMENTWISE_OPS) and the number of float32 elements. */
  op?: string;
  size?: number;
}

/** The everyday ops timed at each size; sum is over the last dim of a [size / 128, 128] tensor. */
export const ELEMENTWISE_OPS = ['add', 'mul', 'tanh', 'exp', 'clone', 'sum'] as const;
export const ELEMENTWISE_SIZES = [1024, 131072, 4194304] as const;
