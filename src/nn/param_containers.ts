/** Parameter containers: nn.ParameterList and nn.ParameterDict, registered and printed as PyTorch's. */
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import { Module, Parameter } from './module';

/** A tensor as a Parameter (a plain tensor is wrapped, as PyTorch wraps it). */
function asParameter(v: unknown, what: string): Parameter {
  if (v instanceof Parameter) return v;
  if (isTensor(v)) return new Parameter(v as Tensor);
  throw new TypeError(`${what}: expected a Tensor or Parameter, but got ${typeof v}`);
}

/** torch.typename of a CPU tensor of each dtype. */
const TYPENAME = { float32: 'FloatTensor', float64: 'DoubleTensor', int32: 'IntTensor', int64: 'LongTensor', bool: 'BoolTensor' } as const;

/**
 * PyTorch's line for one entry: `(0): Parameter containing: [torch.float32 of size 2x3]`
 * (ParameterList names the dtype, ParameterDict the tensor type: `torch.FloatTensor`).
 */
function entryLine(key: string, p: Parameter, typeName: boolean): string {
  return `  (${key}): Parameter containing: [torch.${typeName ? TYPENAME[p.dtype] : p.dtype} of size ${p.shape.join('x')}]`;
}

/**
 * Holds parameters in a list, registered under '0', '1', ... as torch.nn.ParameterList (state
 * dict keys '0', '1', ... below the container's name).
 * @example this.scales = new nn.ParameterList([tg.ones(3), tg.ones(3)]);
 */
export class ParameterList extends Module {
  [index: number]: Parameter;

  constructor(values: Iterable<Tensor> = []) {
    super();
    this.extend(values);
  }

  override get length(): number {
    let n = 0;
    while (this[n] instanceof Parameter) n++;
    return n;
  }

  private position(i: number): number {
    const n = this.length;
    if (!Number.isInteger(i) || i < -n || i >= n) throw new RangeError(`index ${i} is out of range`);
    return i < 0 ? i + n : i;
  }

  /** The i-th parameter (negative counts from the end). */
  at(i: number): Parameter {
    return this[this.position(i)];
  }

  /** Replaces the i-th parameter (a tensor becomes a Parameter). */
  set(i: number, value: Tensor): void {
    this.registerParameter(String(this.position(i)), asParameter(value, 'ParameterList.set'));
  }

  append(value: Tensor): this {
    this.registerParameter(String(this.length), asParameter(value, 'ParameterList.append'));
    return this;
  }

  extend(values: Iterable<Tensor>): this {
    if (values === null || typeof (values as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`ParameterList.extend should be called with an iterable, but got ${typeof values}`);
    }
    for (const v of [...values]) this.append(v);
    return this;
  }

  *[Symbol.iterator](): Iterator<Parameter> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this[i];
  }

  override forward(): never {
    throw new Error('ParameterList should not be called.');
  }

  override extraRepr(): string {
    return [...this].map((p, i) => entryLine(String(i), p, false)).join('\n');
  }
}

/**
 * Holds parameters by name, in insertion order, as torch.nn.ParameterDict (state dict keys are the
 * names; a plain object's keys are sorted first, as PyTorch sorts a dict's). Names that are
 * already properties of a module, or contain a dot, are refused.
 * @example this.gains = new nn.ParameterDict({ left: tg.ones(3), right: tg.zeros(3) });
 */
export class ParameterDict extends Module {
  /** @internal The keys in insertion order. */ private readonly _order: string[] = [];

  constructor(values: Record<string, Tensor> | Iterable<[string, Tensor]> = {}) {
    super();
    this.update(values);
  }

  override get length(): number {
    return this._order.length;
  }

  get(key: string): Parameter {
    if (!this.has(key)) throw new RangeError(`no parameter named '${key}'`);
    return (this as unknown as Record<string, Parameter>)[key];
  }

  has(key: string): boolean {
    return this._order.includes(key);
  }

  /** Sets key to value (a tensor becomes a Parameter). */
  set(key: string, value: Tensor): this {
    if (typeof key !== 'string') throw new TypeError(`parameter name should be a string. Got ${typeof key}`);
    const p = asParameter(value, 'ParameterDict.set');
    if (!this.has(key)) {
      if (key === '') throw new RangeError('parameter name can\'t be empty string ""');
      if (key.includes('.')) throw new RangeError(`parameter name can't contain "."`);
      if (key in this) throw new RangeError(`attribute '${key}' already exists`);
      this._order.push(key);
    }
    this.registerParameter(key, p);
    return this;
  }

  /** Removes and returns the parameter under key. */
  pop(key: string): Parameter {
    const p = this.get(key);
    this._order.splice(this._order.indexOf(key), 1);
    delete (this as unknown as Record<string, Parameter>)[key];
    return p;
  }

  /**
   * Sets every entry of values: a Map, a ParameterDict or pairs in their order, a plain object's
   * keys sorted (as PyTorch sorts a dict's).
   */
  update(values: Record<string, Tensor> | Iterable<[string, Tensor]>): this {
    const entries = values instanceof ParameterDict ? values.items()
      : Symbol.iterator in Object(values) ? [...(values as Iterable<[string, Tensor]>)]
      : Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [k, v] of entries) this.set(k, v);
    return this;
  }

  keys(): string[] {
    return [...this._order];
  }

  values(): Parameter[] {
    return this._order.map((k) => this.get(k));
  }

  items(): [string, Parameter][] {
    return this._order.map((k) => [k, this.get(k)]);
  }

  /** Iterates over the keys, as a Python dict does. */
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  override forward(): never {
    throw new Error('ParameterDict should not be called.');
  }

  override extraRepr(): string {
    return this.items().map(([k, p]) => entryLine(k, p, true)).join('\n');
  }
}
