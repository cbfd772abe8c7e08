/**
 * im2col and col2im (native/kernels/im2col.h): the windows of a batch of images [n, c, h, w] as
 * the columns of [n, c * kh * kw, oh * ow], and back (summing overlapping windows). Each is the
 * other's gradient. Convolution and pooling (src/nn/functional_conv.ts) are built on them.
 */
import { record } from '../autograd/graph';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { contiguous } from './copy';
import { launch } from './launch';

/** Image size, kernel, stride, padding, dilation and the output size they give. */
export interface WindowGeometry {
  c: number; h: number; w: number; kh: number; kw: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  oh: number; ow: number;
}

/** The window's kernel parameters (the kernels derive the output size themselves). */
function windowParams(g: WindowGeometry) {
  return {
    kernelH: g.kh, kernelW: g.kw, strideH: g.sh, strideW: g.sw, paddingH: g.ph, paddingW: g.pw, dilationH: g.dh, dilationW: g.dw,
  };
}

/** x [n, c, h, w] (floating point) as [n, c * kh * kw, oh * ow]; positions outside the image read pad. */
export function im2col(x: Tensor, g: WindowGeometry, pad: number): Tensor {
  const src = contiguous(x), n = x.shape[0];
  const cols = emptyTensor([n, g.c * g.kh * g.kw, g.oh * g.ow], x.dtype);
  launch('im2col', [cols, src], { ...windowParams(g), pad });
  return record('im2col', cols, [src], g);
}

/** cols [n, c * kh * kw, oh * ow] summed back into [n, c, h, w]. */
export function col2im(cols: Tensor, g: WindowGeometry): Tensor {
  const src = contiguous(cols), n = cols.shape[0];
  const dx = emptyTensor([n, g.c, g.h, g.w], cols.dtype);
  launch('col2im', [dx, src], windowParams(g));
  return record('col2im', dx, [src], g);
}
