/**
 * im2col and col2im (native/kernels/im2col.h): the windows of a batch of images [n, c, h, w] as
 * the columns of [n, c * kh * kw, oh * ow], and back (summing overlapping windows). Each is the
 * other's gradient. Convolution and pooling (src/nn/functional_conv.ts) are built on them.
 */
import { record } from '../autograd/graph';
import { native } from '../native';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { contiguous } from './copy';
import * as meta from './meta';

/** Image size, kernel, stride, padding, dilation and the output size they give. */
export interface WindowGeometry {
  c: number; h: number; w: number; kh: number; kw: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number;
  oh: number; ow: number;
}

type Args = [number, number, number, number, number, number, number, number, number, number, number, number];

function args(n: number, g: WindowGeometry): Args {
  return [n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw];
}

/** x [n, c, h, w] (floating point) as [n, c * kh * kw, oh * ow]; positions outside the image read pad. */
export function im2col(x: Tensor, g: WindowGeometry, pad: number): Tensor {
  const src = contiguous(x), n = x.shape[0];
  const cols = emptyTensor([n, g.c * g.kh * g.kw, g.oh * g.ow], x.dtype);
  meta.begin();
  meta.end();
  native.im2col(cols._storage.data, src._storage.data, ...args(n, g), pad);
  return record('im2col', cols, [src], g);
}

/** cols [n, c * kh * kw, oh * ow] summed back into [n, c, h, w]. */
export function col2im(cols: Tensor, g: WindowGeometry): Tensor {
  const src = contiguous(cols), n = cols.shape[0];
  const dx = emptyTensor([n, g.c, g.h, g.w], cols.dtype);
  meta.begin();
  meta.end();
  native.col2im(dx._storage.data, src._storage.data, ...args(n, g));
  return record('col2im', dx, [src], g);
}
