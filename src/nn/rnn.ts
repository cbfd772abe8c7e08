/**
 * nn.RNN, nn.LSTM and nn.GRU as torch.nn's: PyTorch's options, parameters (weight_ih_l0,
 * weight_hh_l0, bias_ih_l0, bias_hh_l0, then _reverse, then the next layer) drawn in its order,
 * its checks and messages. Each direction of each layer is one fused op over the whole sequence
 * (src/ops/rnn.ts); dropout between layers in training mode draws as PyTorch's does.
 */
import { DEVICE_OPTION, type DeviceLike } from '../device';
import { toDType, type DTypeLike } from '../dtype';
import { DTypeError, ShapeError } from '../errors';
import { empty, zeros } from '../ops/creation';
import { cat, stack } from '../ops/join';
import { rnnLayer, type RnnMode } from '../ops/rnn';
import { checkOptions } from '../options';
import type { Tensor } from '../tensor';
import * as F from './functional';
import * as init from './init';
import { Module, Parameter, pyBool } from './module';

/** The options nn.RNN, nn.LSTM and nn.GRU share (PyTorch's keyword arguments). */
export interface RNNBaseOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  /** dropout on the outputs of each layer but the last, in training mode */
  dropout?: number;
  bidirectional?: boolean;
  dtype?: DTypeLike;
  device?: DeviceLike;
}

const BASE_SPEC = { numLayers: 'number', bias: 'boolean', batchFirst: 'boolean', dropout: 'number', bidirectional: 'boolean', dtype: 'string', device: DEVICE_OPTION } as const;
const GATES: Record<RnnMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

function positiveInt(v: number, name: string): void {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be greater than zero, got ${v}`);
}

/** Python's repr of a float (dropout=0.5, dropout=1.0). */
const pyFloat = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));

/** The torch dtype name messages use for one of ours. */
const torchDtype = (d: string) => `torch.${d}`;

/** The layers' shared machinery (PyTorch's RNNBase); use nn.RNN, nn.LSTM or nn.GRU. */
export class RNNBase extends Module {
  readonly mode: RnnMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;

  constructor(mode: RnnMode, inputSize: number, hiddenSize: number, opts: RNNBaseOptions & { projSize?: number } = {}) {
    super();
    positiveInt(inputSize, 'inputSize');
    positiveInt(hiddenSize, 'hiddenSize');
    const numLayers = opts.numLayers ?? 1;
    positiveInt(numLayers, 'numLayers');
    const dropout = opts.dropout ?? 0;
    if (!(dropout >= 0 && dropout <= 1)) throw new RangeError('dropout should be a number in range [0, 1] representing the probability of an element being zeroed');
    if (dropout > 0 && numLayers === 1) {
      process.emitWarning(`dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects numLayers greater than 1, but got dropout=${dropout} and numLayers=${numLayers}`, 'UserWarning');
    }
    const projSize = opts.projSize ?? 0;
    if (!Number.isInteger(projSize) || projSize < 0) throw new RangeError('projSize should be a positive integer or zero to disable projections');
    if (projSize >= hiddenSize) throw new RangeError('projSize has to be smaller than hiddenSize');
    if (projSize > 0) throw new RangeError('LSTM: projSize (projections of h) is not supported by tensorgrad yet; use projSize 0, or an nn.Linear on the output');
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = dropout;
    this.bidirectional = opts.bidirectional ?? false;
    this.projSize = projSize;
    const dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    const gates = GATES[mode] * hiddenSize, dirs = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < numLayers; layer++) {
      for (let dir = 0; dir < dirs; dir++) {
        const inSize = layer === 0 ? inputSize : hiddenSize * dirs;
        const [wih, whh, bih, bhh] = this.names(layer, dir);
        this.registerParameter(wih, new Parameter(empty([gates, inSize], { dtype })));
        this.registerParameter(whh, new Parameter(empty([gates, hiddenSize], { dtype })));
        if (this.bias) {
          this.registerParameter(bih, new Parameter(empty([gates], { dtype })));
          this.registerParameter(bhh, new Parameter(empty([gates], { dtype })));
        }
      }
    }
    this.resetParameters();
  }

  /** PyTorch's names of a layer's and direction's weight_ih, weight_hh, bias_ih, bias_hh. */
  private names(layer: number, dir: number): string[] {
    const suffix = `l${layer}${dir === 1 ? '_reverse' : ''}`;
    return [`weight_ih_${suffix}`, `weight_hh_${suffix}`, `bias_ih_${suffix}`, `bias_hh_${suffix}`];
  }

  private param(name: string): Parameter | null {
    return ((this as unknown as Record<string, unknown>)[name] as Parameter | undefined) ?? null;
  }

  /** Every layer's and direction's parameters, as PyTorch's all_weights. */
  get allWeights(): Parameter[][] {
    const out: Parameter[][] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let dir = 0; dir < (this.bidirectional ? 2 : 1); dir++) {
        out.push(this.names(layer, dir).map((n) => this.param(n)).filter((p): p is Parameter => p !== null));
      }
    }
    return out;
  }

  /** Draws every parameter again from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)), in registration order. */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }

  /** Nothing to do on the CPU (PyTorch compacts the weights for cuDNN). */
  flattenParameters(): void {}

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }

  /**
   * Checks input and the initial states and brings them to [T, B, I] and [L * D, B, H] (PyTorch's
   * forward up to the call of _VF); `unbatched` when input had no batch dim.
   */
  protected prepare(name: string, input: Tensor, hx: (Tensor | undefined)[]): { x: Tensor; states: Tensor[]; unbatched: boolean } {
    if (input.dim() !== 2 && input.dim() !== 3) {
      throw new ShapeError(`${name}: Expected input to be 2D or 3D, got ${input.dim()}D${name === 'RNN' ? ' tensor' : ''} instead`);
    }
    const w = this.param('weight_ih_l0') as Parameter;
    if (input.dtype !== w.dtype) {
      throw new DTypeError(`RNN input dtype (${torchDtype(input.dtype)}) does not match weight dtype (${torchDtype(w.dtype)}). Convert input: input.to('${w.dtype}'), or convert model: model.to('${input.dtype}')`);
    }
    const unbatched = input.dim() === 2;
    const given = hx.filter((h): h is Tensor => h !== undefined);
    const want = unbatched ? 2 : 3;
    if (given.some((h) => h.dim() !== want)) {
      const dims = given.map((h) => `${h.dim()}-D`);
      const what = given.length === 1 ? `hx should also be ${want}-D but got ${dims[0]} tensor` : `hx and cx should also be ${want}-D but got (${dims.join(', ')}) tensors`;
      throw new ShapeError(`For ${unbatched ? 'unbatched 2-D' : 'batched 3-D'} input, ${what}`);
    }
    let x = unbatched ? input.unsqueeze(this.batchFirst ? 0 : 1) : input;
    if (x.shape[2] !== this.inputSize) throw new ShapeError(`input.size(-1) must be equal to inputSize. Expected ${this.inputSize}, got ${x.shape[2]}`);
    if (this.batchFirst) x = x.transpose(0, 1);
    const expected = [this.numLayers * (this.bidirectional ? 2 : 1), x.shape[1], this.hiddenSize];
    const states = hx.map((h, k) => {
      if (h === undefined) return zeros(expected, { dtype: x.dtype });
      const s = unbatched ? h.unsqueeze(1) : h;
      if (s.shape.length !== 3 || s.shape.some((n, i) => n !== expected[i])) {
        const which = hx.length === 1 ? 'hidden' : `hidden[${k}]`;
        throw new ShapeError(`Expected ${which} size (${expected.join(', ')}), got [${s.shape.join(', ')}]`);
      }
      if (s.dtype !== x.dtype) throw new DTypeError(`${name}: the initial state's dtype ${s.dtype} differs from the input's ${x.dtype}`);
      return s;
    });
    return { x, states, unbatched };
  }

  /** The stacked layers over x [T, B, I] from h0 (and c0): [output, h_n, c_n (LSTM) or null]. */
  protected run(x: Tensor, h0: Tensor, c0: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const dirs = this.bidirectional ? 2 : 1, steps = x.shape[0];
    if (steps === 0) throw new ShapeError('Expected sequence length to be larger than 0 in RNN');
    const hn: Tensor[] = [], cn: Tensor[] = [];
    let layerInput = x;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let dir = 0; dir < dirs; dir++) {
        const k = layer * dirs + dir;
        const [wih, whh, bih, bhh] = this.names(layer, dir).map((n) => this.param(n));
        const y = rnnLayer(this.mode, layerInput, h0.select(0, k), c0 === null ? null : c0.select(0, k), wih as Tensor, whh as Tensor, bih, bhh, dir === 1);
        outs.push(this.mode === 'LSTM' ? y.narrow(0, 0, steps) : y);
        hn.push(y.select(0, dir === 1 ? 0 : steps - 1));
        if (this.mode === 'LSTM') cn.push(y.select(0, steps));
      }
      layerInput = dirs === 2 ? cat(outs, 2) : outs[0];
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) layerInput = F.dropout(layerInput, this.dropout, true);
    }
    return [layerInput, stack(hn, 0), this.mode === 'LSTM' ? stack(cn, 0) : null];
  }

  /** The output back in the input's layout (batch first, or without a batch dim). */
  protected finish(output: Tensor, states: Tensor[], unbatched: boolean): [Tensor, Tensor[]] {
    let out = this.batchFirst ? output.transpose(0, 1) : output;
    if (unbatched) out = out.squeeze(this.batchFirst ? 0 : 1);
    return [out, unbatched ? states.map((s) => s.squeeze(1)) : states];
  }
}

/**
 * A multi-layer Elman RNN, h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu), as torch.nn.RNN.
 * forward(input, h0?) returns [output, h_n]; input is [T, B, inputSize] ([B, T, inputSize] with
 * batchFirst, or [T, inputSize] unbatched), h0 [numLayers * directions, B, hiddenSize].
 * @example const rnn = new nn.RNN(10, 20, { numLayers: 2 }); const [output, hn] = rnn.forward(tg.randn(5, 3, 10))
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts: RNNBaseOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const { nonlinearity = 'tanh', ...rest } = checkOptions('RNN', opts, { ...BASE_SPEC, nonlinearity: 'string' }) ?? {};
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new RangeError(`Unknown nonlinearity '${nonlinearity}'. Select from 'tanh' or 'relu'.`);
    super(nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, rest);
    this.nonlinearity = nonlinearity;
  }

  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const { x, states, unbatched } = this.prepare('RNN', input, [hx ?? undefined]);
    const [output, hn] = this.run(x, states[0], null);
    const [out, [h]] = this.finish(output, [hn], unbatched);
    return [out, h];
  }
}

/**
 * A multi-layer long short-term memory, as torch.nn.LSTM (gates i, f, g, o in PyTorch's order).
 * forward(input, [h0, c0]?) returns [output, [h_n, c_n]], as PyTorch's tuples.
 * @example const lstm = new nn.LSTM(10, 20, { numLayers: 2 }); const [output, [hn, cn]] = lstm.forward(tg.randn(5, 3, 10))
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNBaseOptions & { projSize?: number } = {}) {
    super('LSTM', inputSize, hiddenSize, checkOptions('LSTM', opts, { ...BASE_SPEC, projSize: 'number' }));
  }

  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) throw new TypeError('LSTM: hx must be an array [h0, c0]');
    const { x, states, unbatched } = this.prepare('LSTM', input, hx ? [hx[0], hx[1]] : [undefined, undefined]);
    const [output, hn, cn] = this.run(x, states[0], states[1]);
    const [out, [h, c]] = this.finish(output, [hn, cn as Tensor], unbatched);
    return [out, [h, c]];
  }
}

/**
 * A multi-layer gated recurrent unit, as torch.nn.GRU (gates r, z, n; n = tanh(W_in x + b_in +
 * r (W_hn h + b_hn)), h' = (1 - z) n + z h). forward(input, h0?) returns [output, h_n].
 * @example const gru = new nn.GRU(10, 20, { batchFirst: true }); const [output, hn] = gru.forward(tg.randn(3, 5, 10))
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNBaseOptions = {}) {
    super('GRU', inputSize, hiddenSize, checkOptions('GRU', opts, BASE_SPEC));
  }

  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const { x, states, unbatched } = this.prepare('GRU', input, [hx ?? undefined]);
    const [output, hn] = this.run(x, states[0], null);
    const [out, [h]] = this.finish(output, [hn], unbatched);
    return [out, h];
  }
}
