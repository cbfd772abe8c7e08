// Gradchecks of the pooling, upsampling and padding rules (src/ops/pool.ts), in float64; the
// backward ops are checked through second derivatives (createGraph). gradcheck.test.ts runs them.
import * as tg from '../../src/index';
import { pattern } from '../helpers';

type T = tg.Tensor;
interface Check {
  label: string;
  fn: (...xs: T[]) => T | T[];
  inputs: () => T[];
}

let seed = 900;
function leaf(shape: number[]): T {
  return pattern(shape, 'float64', seed++).requiresGrad_();
}
/** A non-contiguous leaf: [n, c, w, h] transposed to [n, c, h, w]. */
function leafT(shape: [number, number, number, number]): T {
  const [n, c, h, w] = shape;
  return pattern([n, c, w, h], 'float64', seed++).transpose(2, 3).detach().requiresGrad_();
}
/** The gradient of f(x) . v with respect to x, kept differentiable: checks f's backward op. */
function second(f: (x: T) => T, shape: number[]) {
  return {
    fn: (x: T, v: T) => tg.autograd.grad(f(x).mul(v).sum(), [x], { createGraph: true })[0] as T,
    inputs: () => {
      const x = leaf(shape);
      return [x, leaf([...f(x.detach()).shape])];
    },
  };
}

const F = tg.F;
export const poolChecks: Record<string, Check[]> = {
  maxPool2d: [
    { label: 'maxPool2d with stride, padding, dilation and ceilMode', fn: (x) => F.maxPool2d(x, [3, 2], { stride: 2, padding: 1, dilation: [1, 2], ceilMode: true }), inputs: () => [leaf([2, 2, 7, 6])] },
    { label: 'maxPool1d of a transposed input', fn: (x) => F.maxPool1d(x.flatten(2), 3, { stride: 2, padding: 1 }), inputs: () => [leafT([1, 2, 3, 5])] },
  ],
  maxPool2dBackward: [{ label: 'maxPool2d differentiated again', ...second((x) => F.maxPool2d(x, 2, { stride: 1 }), [1, 2, 4, 5]) }],
  avgPool2d: [
    { label: 'avgPool2d with padding, ceilMode, not counting the padding', fn: (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), inputs: () => [leaf([2, 2, 6, 7])] },
    { label: 'avgPool2d with divisorOverride of a transposed input', fn: (x) => F.avgPool2d(x, [2, 3], { stride: [1, 2], divisorOverride: 5 }), inputs: () => [leafT([1, 2, 4, 5])] },
    { label: 'avgPool1d', fn: (x) => F.avgPool1d(x, 3, { padding: 1 }), inputs: () => [leaf([2, 3, 8])] },
  ],
  avgPool2dBackward: [{ label: 'avgPool2d differentiated again', ...second((x) => F.avgPool2d(x, 2, { stride: 1, padding: 1 }), [1, 2, 4, 5]) }],
  adaptiveAvgPool2d: [
    { label: 'adaptiveAvgPool2d to overlapping windows', fn: (x) => F.adaptiveAvgPool2d(x, [3, null]), inputs: () => [leaf([2, 2, 5, 4])] },
    { label: 'adaptiveAvgPool1d of a transposed input', fn: (x) => F.adaptiveAvgPool1d(x.flatten(2), 4), inputs: () => [leafT([1, 2, 2, 3])] },
  ],
  adaptiveAvgPool2dBackward: [{ label: 'adaptiveAvgPool2d differentiated again', ...second((x) => F.adaptiveAvgPool2d(x, [2, 3]), [1, 2, 5, 7]) }],
  upsampleBilinear2d: [
    { label: 'bilinear by a non-integer scale', fn: (x) => F.interpolate(x, { scaleFactor: 1.7, mode: 'bilinear' }), inputs: () => [leaf([1, 2, 3, 4])] },
    { label: 'bilinear to a size, alignCorners', fn: (x) => F.interpolate(x, { size: [5, 3], mode: 'bilinear', alignCorners: true }), inputs: () => [leafT([1, 1, 3, 4])] },
    { label: 'linear (3-D)', fn: (x) => F.interpolate(x, { size: 7, mode: 'linear' }), inputs: () => [leaf([2, 2, 4])] },
  ],
  upsampleNearest2d: [
    { label: 'nearest and nearest-exact', fn: (x) => [F.interpolate(x, { size: [5, 7] }), F.interpolate(x, { scaleFactor: 1.5, mode: 'nearest-exact' })], inputs: () => [leaf([2, 1, 3, 4])] },
    { label: 'nearest (3-D) of a transposed input', fn: (x) => F.interpolate(x.flatten(2), { scaleFactor: 2.5 }), inputs: () => [leafT([1, 2, 2, 3])] },
  ],
  upsampleBilinear2dBackward: [{ label: 'bilinear differentiated again', ...second((x) => F.interpolate(x, { scaleFactor: 2, mode: 'bilinear' }), [1, 2, 3, 3]) }],
  upsampleNearest2dBackward: [{ label: 'nearest differentiated again', ...second((x) => F.interpolate(x, { size: [5, 5] }), [1, 2, 3, 3]) }],
  pad: [
    { label: 'constant pad and crop', fn: (x) => F.pad(x, [2, -1, 0, 1, 1, 0], { value: 3 }), inputs: () => [leaf([2, 3, 4])] },
    { label: 'reflect pad of a transposed input', fn: (x) => F.pad(x, [2, 1, 1, 2], 'reflect'), inputs: () => [leafT([1, 2, 3, 4])] },
    { label: 'replicate pad 1-D', fn: (x) => F.pad(x, [3, 1], 'replicate'), inputs: () => [leaf([2, 3])] },
    { label: 'circular pad 3-D', fn: (x) => F.pad(x, [1, 2, 0, 1, 1, 1], 'circular'), inputs: () => [leaf([1, 2, 3, 3])] },
  ],
  padBackward: [
    { label: 'reflect pad differentiated again', ...second((x) => F.pad(x, [2, 1, 1, 1], 'reflect'), [1, 1, 3, 4]) },
    { label: 'circular pad with a crop differentiated again', ...second((x) => F.pad(x, [-1, 2], 'circular'), [2, 4]) },
  ],
};
