/**
 * nn.RNNCell, nn.LSTMCell and nn.GRUCell as torch.nn's: one time step, with the parameters
 * weight_ih, weight_hh, bias_ih, bias_hh drawn in PyTorch's order. A step is the recurrent layers'
 * fused op (src/ops/rnn.ts) over a sequence of one.
 */
import { DEVICE_OPTION, type DeviceLike } from '../device';
import { toDType, type DTypeLike } from '../dtype';
import { DTypeError, ShapeError } from '../errors';
import { empty, zeros } from '../ops/creation';
import { rnnLayer, type RnnMode } from '../ops/rnn';
import { checkOptions } from '../options';
import type { Tensor } from '../tensor';
import * as init from './init';
import { Module, Parameter, pyBool } from './module';

/** The options the cells share (PyTorch's keyword arguments). */
export interface RNNCellOptions {
  bias?: boolean;
  dtype?: DTypeLike;
  device?: DeviceLike;
}

const SPEC = { bias: 'boolean', dtype: 'string', device: DEVICE_OPTION } as const;

/** The cells' shared machinery (PyTorch's RNNCellBase); use nn.RNNCell, nn.LSTMCell or nn.GRUCell. */
export class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(inputSize: number, hiddenSize: number, numChunks: number, opts: RNNCellOptions = {}) {
    super();
    for (const [n, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${n} must be greater than zero, got ${v}`);
    }
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = opts.bias ?? true;
    const dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    this.weight_ih = new Parameter(empty([numChunks * hiddenSize, inputSize], { dtype }));
    this.weight_hh = new Parameter(empty([numChunks * hiddenSize, hiddenSize], { dtype }));
    this.bias_ih = this.bias ? new Parameter(empty([numChunks * hiddenSize], { dtype })) : null;
    this.bias_hh = this.bias ? new Parameter(empty([numChunks * hiddenSize], { dtype })) : null;
    this.resetParameters();
  }

  /** Draws every parameter again from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)), in registration order. */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += `, bias=${pyBool(false)}`;
    const nl = (this as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== 'tanh') s += `, nonlinearity=${nl}`;
    return s;
  }

  /**
   * One step from input [B, I] (or [I]) and the states (each [B, H] or [H], zeros when absent):
   * the new states, shaped as the input is batched.
   */
  protected step(name: string, mode: RnnMode, input: Tensor, hx: (Tensor | undefined)[]): Tensor[] {
    if (input.dim() !== 1 && input.dim() !== 2) throw new ShapeError(`${name}: Expected input to be 1D or 2D, got ${input.dim()}D instead`);
    hx.forEach((h, k) => {
      if (h !== undefined && h.dim() !== 1 && h.dim() !== 2) {
        throw new ShapeError(`${name}: Expected ${hx.length === 1 ? 'hidden' : `hx[${k}]`} to be 1D or 2D, got ${h.dim()}D instead`);
      }
    });
    const batched = input.dim() === 2;
    const x = batched ? input : input.unsqueeze(0);
    if (x.shape[1] !== this.inputSize) throw new ShapeError(`input has inconsistent input_size: got ${x.shape[1]} expected ${this.inputSize}`);
    if (x.dtype !== this.weight_ih.dtype) {
      throw new DTypeError(`${name}: the input's dtype ${x.dtype} differs from the weights' ${this.weight_ih.dtype}; convert one with .to()`);
    }
    const states = hx.map((h, k) => {
      if (h === undefined) return zeros([x.shape[0], this.hiddenSize], { dtype: x.dtype });
      const s = batched ? h : h.unsqueeze(0);
      if (s.shape[0] !== x.shape[0]) throw new ShapeError(`Input batch size ${x.shape[0]} doesn't match hidden${k} batch size ${s.shape[0]}`);
      if (s.shape[1] !== this.hiddenSize) throw new ShapeError(`hidden${k} has inconsistent hidden_size: got ${s.shape[1]}, expected ${this.hiddenSize}`);
      if (s.dtype !== x.dtype) throw new DTypeError(`${name}: the state's dtype ${s.dtype} differs from the input's ${x.dtype}`);
      return s;
    });
    const y = rnnLayer(mode, x.unsqueeze(0), states[0], states[1] ?? null, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh, false);
    const out = mode === 'LSTM' ? [y.select(0, 0), y.select(0, 1)] : [y.select(0, 0)];
    return batched ? out : out.map((s) => s.squeeze(0));
  }
}

/**
 * One step of an Elman RNN, h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu), as torch.nn.RNNCell.
 * @example const cell = new nn.RNNCell(10, 20); const h = cell.forward(tg.randn(3, 10))
 */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const { nonlinearity = 'tanh', ...rest } = checkOptions('RNNCell', opts, { ...SPEC, nonlinearity: 'string' }) ?? {};
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new RangeError(`Unknown nonlinearity: ${nonlinearity}`);
    super(inputSize, hiddenSize, 1, rest);
    this.nonlinearity = nonlinearity;
  }

  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this.step('RNNCell', this.nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', input, [hx ?? undefined])[0];
  }
}

/**
 * One step of an LSTM, as torch.nn.LSTMCell: forward(input, [h, c]?) returns [h', c'].
 * @example const cell = new nn.LSTMCell(10, 20); const [h, c] = cell.forward(tg.randn(3, 10))
 */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    super(inputSize, hiddenSize, 4, checkOptions('LSTMCell', opts, SPEC));
  }

  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) throw new TypeError('LSTMCell: hx must be an array [h, c]');
    const [h, c] = this.step('LSTMCell', 'LSTM', input, hx ? [hx[0], hx[1]] : [undefined, undefined]);
    return [h, c];
  }
}

/**
 * One step of a GRU, as torch.nn.GRUCell.
 * @example const cell = new nn.GRUCell(10, 20); const h = cell.forward(tg.randn(3, 10))
 */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    super(inputSize, hiddenSize, 3, checkOptions('GRUCell', opts, SPEC));
  }

  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this.step('GRUCell', 'GRU', input, [hx ?? undefined])[0];
  }
}
