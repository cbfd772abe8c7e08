/**
 * One direction of one recurrent layer (Elman RNN, LSTM, GRU) over a whole sequence: one kernel
 * call forward and one backward (native/kernels/rnn.h), where composing it of ops takes a dozen
 * per time step each way. nn.RNN, nn.LSTM, nn.GRU and the cells (src/nn/rnn.ts) stack these.
 */
import { isGradEnabled } from '../autograd/grad_mode';
import { record } from '../autograd/graph';
import { AutogradError } from '../errors';
import type { Tensor } from '../tensor';
import { emptyTensor } from './common';
import { contiguous } from './copy';
import { launch } from './launch';

/** The recurrences, as PyTorch's RNNBase names its modes. */
export type RnnMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

const MODES: Record<RnnMode, number> = { RNN_TANH: 0, RNN_RELU: 1, LSTM: 2, GRU: 3 };
/** Values the backward keeps per step and batch row, in multiples of the hidden size. */
const WIDTH = [1, 1, 6, 4];

interface Saved {
  mode: number;
  reverse: boolean;
  /** the kernel's per-step workspace (activated gates, cell states) */
  ws: Tensor;
}

/** t with a contiguous layout and no history: t itself when it has one. */
const whole = (t: Tensor) => contiguous(t.detach());
const maybe = (t: Tensor | null) => (t === null ? null : whole(t));

/**
 * Runs one direction of a recurrent layer over x [T, B, inputSize] from h0 [B, H] (and c0 for
 * LSTM), with PyTorch's weight layout (wIh [gates * H, inputSize], wHh [gates * H, H], gates in
 * PyTorch's order). Returns every step's h by time index, [T, B, H], followed for LSTM by the last
 * c: [T + 1, B, H]. A reverse layer runs from t = T - 1 down to 0, so its final h is at index 0.
 * Operands are checked by the caller (src/nn/rnn.ts): one floating-point dtype, matching sizes.
 * @example const y = rnnLayer('GRU', x, h0, null, wIh, wHh, bIh, bHh, false) // y.select(0, T - 1) is h_n
 */
export function rnnLayer(
  mode: RnnMode, x: Tensor, h0: Tensor, c0: Tensor | null, wIh: Tensor, wHh: Tensor, bIh: Tensor | null, bHh: Tensor | null, reverse: boolean,
): Tensor {
  const m = MODES[mode];
  const [steps, batch] = x.shape, hidden = wHh.shape[1];
  const y = emptyTensor([steps + (m === 2 ? 1 : 0), batch, hidden], x.dtype);
  const ws = emptyTensor([steps, batch, WIDTH[m] * hidden], x.dtype);
  launch('rnn_layer', [y, ws, whole(x), whole(h0), maybe(c0), whole(wIh), whole(wHh), maybe(bIh), maybe(bHh)], { mode: m, reverse });
  const saved: Saved = { mode: m, reverse, ws };
  return record('rnnLayer', y, [x, h0, c0, wIh, wHh, bIh, bHh], saved);
}

/**
 * The gradients of rnnLayer's inputs (x, h0, c0, wIh, wHh, bIh, bHh; null where not needed) from
 * the gradient g of its packed output y.
 */
export function rnnLayerBackward(g: Tensor, inputs: readonly (Tensor | null)[], y: Tensor, ctx: unknown, need: readonly boolean[]): (Tensor | null)[] {
  if (isGradEnabled()) {
    throw new AutogradError('rnnLayer: double backward (createGraph through a recurrent layer) is not supported');
  }
  const { mode, reverse, ws } = ctx as Saved;
  const [x, h0, c0, wIh, wHh, bIh, bHh] = inputs as [Tensor, Tensor, Tensor | null, Tensor, Tensor, Tensor | null, Tensor | null];
  const out = (i: number, t: Tensor | null) => (need[i] && t !== null ? emptyTensor(t.shape, x.dtype) : null);
  const grads = [out(0, x), out(1, h0), out(2, c0), out(3, wIh), out(4, wHh), out(5, bIh), out(6, bHh)];
  launch('rnn_layer_backward', [...grads, whole(g), y, ws, whole(x), whole(h0), maybe(c0), whole(wIh), whole(wHh)], { mode, reverse });
  return grads;
}
