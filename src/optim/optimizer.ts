/**
 * Optimizer: parameter groups, per-parameter state, zeroGrad, stateDict / loadStateDict, as
 * torch.optim.Optimizer. Subclasses implement step() over each group's parameters.
 */
import { enableGrad } from '../autograd/grad_mode';
import { shapeStr } from '../errors';
import { checkNoInternalOverlap, sameShape } from '../shape';
import { isTensor, keep } from '../storage';
import { checkOptions, describeValue, isOptionsObject, type OptionSpec } from '../options';
import type { Tensor } from '../tensor';
import { fromTorch, isTorchStateDict, SCHEDULER_KEYS, type TorchNames, type TorchOptimizerStateDict } from './torch_state';

/** A group of parameters with its own hyperparameters (lr, ...). */
export type Group<H> = H & { params: Tensor[] };

/** Parameters as PyTorch accepts them: an iterable of tensors, or of groups ({ params, ...options }). */
export type Params<H> = Iterable<Tensor> | Iterable<Partial<H> & { params: Iterable<Tensor> }>;

/** One value of a parameter's optimizer state: a buffer, a step count or other number, or null. */
export type StateScalar = Tensor | number | null;
/** One entry of a parameter's optimizer state: a value, or a list of them (LBFGS's history). */
export type StateValue = StateScalar | StateScalar[];
/** A parameter's optimizer state (e.g. SGD's momentumBuffer, Adam's step, expAvg, expAvgSq). */
export type ParamState = Record<string, StateValue>;

/** What step(closure) calls to re-evaluate the model: it computes the loss (and its gradients). */
export type Closure = () => Tensor | number;

export interface OptimizerStateDict<H> {
  /** State by parameter index (the order of the groups' params). */
  state: Record<number, ParamState>;
  /** The groups' options, with params as indices. */
  paramGroups: (H & { params: number[] })[];
}

/**
 * An optimizer constructor's options, checked against what it takes: an options object, or
 * PyTorch's positional learning rate (`new optim.SGD(params, 0.1)`).
 */
export function optimizerOptions<H>(name: string, opts: Partial<H> | number | undefined, spec: OptionSpec): Partial<H> {
  if (typeof opts === 'number') return { lr: opts } as unknown as Partial<H>;
  const given = checkOptions(name, opts ?? {}, spec) as Record<string, unknown>;
  // an option given as undefined takes its default, as an absent one does
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<H>;
}

export abstract class Optimizer<H extends object> {
  readonly defaults: H;
  readonly paramGroups: Group<H>[] = [];
  /** Per-parameter state (momentum buffers, moments...). */
  readonly state = new Map<Tensor, ParamState>();
  /** The options a parameter group may set. */
  private readonly spec: OptionSpec;

  /** spec: the options a group may set, with their kinds (any value of each default's key unless given). */
  constructor(params: Params<H>, defaults: H, spec: OptionSpec = Object.fromEntries(Object.keys(defaults).map((k) => [k, 'any']))) {
    this.defaults = defaults;
    this.spec = spec;
    if (isTensor(params)) {
      throw new TypeError('params argument given to the optimizer should be an iterable of Tensors or parameter-group objects, but got a Tensor');
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new RangeError('optimizer got an empty parameter list');
    const groups = (isTensor(list[0]) ? [{ params: list }] : list) as (Partial<H> & { params: Iterable<Tensor> })[];
    for (const g of groups) this.addParamGroup(g);
  }

  /** Adds a group of parameters, its missing options taken from the defaults. */
  addParamGroup(group: Partial<H> & { params: Iterable<Tensor> | Tensor }): void {
    checkOptions(`${this.constructor.name} parameter group`, group, { ...this.spec, params: 'object' });
    const params = isTensor(group.params) ? [group.params] : [...(group.params as Iterable<Tensor>)];
    for (const p of params) {
      if (!isTensor(p)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeof p}`);
      if (!p.isLeaf) throw new RangeError("can't optimize a non-leaf Tensor");
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p)) || new Set(params).size !== params.length) {
      throw new RangeError('some parameters appear in more than one parameter group');
    }
    const given = Object.fromEntries(Object.entries(group).filter(([k, v]) => k !== 'params' && v !== undefined));
    this.paramGroups.push({ ...this.defaults, ...given, params } as Group<H>);
  }

  /**
   * Before a step changes anything: no parameter may reach one memory location twice (an
   * expanded tensor would take each update once per alias).
   */
  protected checkParameters(): void {
    for (const g of this.paramGroups) for (const p of g.params) checkNoInternalOverlap(p.shape, p._strides);
  }

  /** Clears gradients: to null (PyTorch 2's default) or to zero. */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    checkOptions('zeroGrad', opts, { setToNone: 'boolean' });
    const setToNone = opts.setToNone ?? true;
    for (const g of this.paramGroups) {
      for (const p of g.params) p._clearGrad(setToNone);
    }
  }

  /**
   * Updates the parameters from their gradients. A closure, if given, is called first (with
   * gradients enabled) to recompute the loss, which step then returns.
   */
  abstract step(closure?: Closure): Tensor | number | undefined | void;

  /** Calls the closure with gradients enabled, as PyTorch's step does (undefined without one). */
  protected evaluate(closure: Closure | undefined): Tensor | number | undefined {
    if (closure === undefined) return undefined;
    if (typeof closure !== 'function') throw new TypeError(`${this.constructor.name}.step(): closure must be a function, but got ${typeof closure}`);
    return enableGrad(closure);
  }

  /** The state and options, with parameters as indices (tensors are copies). */
  stateDict(): OptimizerStateDict<H> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...options } = g;
      return { ...(options as unknown as H), params: params.map((p) => (index.has(p) ? (index.get(p) as number) : (index.set(p, index.size), index.size - 1))) };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, mapState(v, (t) => t.clone())]));
    }
    return { state, paramGroups };
  }

  /** @internal How PyTorch names this optimizer's state and fixed options, for loading its state_dicts (see torch_state.ts). */
  protected torchNames(): TorchNames {
    return { state: {}, fixed: {} };
  }

  /**
   * Restores state and options saved by stateDict() (from an optimizer over the same parameters), or
   * by PyTorch: `optimizer.state_dict()` saved with torch.save and read by tg.load, whose snake_case
   * names (exp_avg, weight_decay...) are translated. PyTorch options that only pick an
   * implementation (foreach, fused, capturable) are accepted at any value; one tensorgrad cannot
   * honour (differentiable: true, an AdamW state_dict loaded into Adam) is a RangeError.
   * @example opt.loadStateDict(tg.load('adam.pt'))  // torch.save(opt.state_dict(), 'adam.pt')
   */
  /**
   * @internal Whether each parameter's state tensors have its shape (loadStateDict checks that);
   * not so for LBFGS, whose state is over all the parameters flattened.
   */
  protected stateShapedLikeParams(): boolean {
    return true;
  }

  loadStateDict(sd: OptimizerStateDict<H> | TorchOptimizerStateDict): void {
    if (typeof sd !== 'object' || sd === null) throw new TypeError(`loadStateDict(): expected a state dict object, but got ${sd === null ? 'null' : typeof sd}`);
    if (isTorchStateDict(sd)) sd = fromTorch(sd, this.constructor.name, this.defaults, this.torchNames());
    const fn = `${this.constructor.name}.loadStateDict`;
    if (!Array.isArray(sd.paramGroups) || !isOptionsObject(sd.state)) {
      throw new TypeError(`${fn}(): expected a state dict { state, paramGroups } (or PyTorch's { state, param_groups })`);
    }
    // a state dict may come from a file: its options are checked as a group's are (a key such as __proto__ is refused)
    sd.paramGroups.forEach((g, i) => {
      const { params, ...options } = (isOptionsObject(g) ? g : {}) as { params?: unknown };
      if (!isOptionsObject(g) || !Array.isArray(params) || !params.every((x) => Number.isSafeInteger(x))) {
        throw new TypeError(`${fn}(): paramGroups[${i}] must be an object of options with params, the parameters' indices`);
      }
      checkOptions(fn, options, { ...this.spec, ...SCHEDULER_KEYS });
    });
    for (const [key, s] of Object.entries(sd.state)) {
      if (!isOptionsObject(s)) throw new TypeError(`${fn}(): the state of parameter ${key} is ${describeValue(s)}, not an object`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError('loaded state dict has a different number of parameter groups');
    }
    sd.paramGroups.forEach((g, i) => {
      if (g.params.length !== this.paramGroups[i].params.length) {
        throw new RangeError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      }
    });
    const byIndex = new Map<number, Tensor>();
    sd.paramGroups.forEach((g, i) => g.params.forEach((idx, k) => byIndex.set(idx, this.paramGroups[i].params[k])));
    this.state.clear();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) continue;
      this.state.set(p, Object.fromEntries(Object.entries(s).map(([k, v]) => [k, mapState(v, (t) => keep(castLike(t, p, this.stateShapedLikeParams() ? `${k} of parameter ${key}` : null)))])));
    }
    sd.paramGroups.forEach((g, i) => {
      const { params: _, ...options } = g;
      Object.assign(this.paramGroups[i], options);
    });
  }
}

/** A state value with f applied to each of its tensors (lists copied). */
function mapState(v: StateValue, f: (t: Tensor) => Tensor): StateValue {
  if (Array.isArray(v)) return v.map((x) => (isTensor(x) ? f(x) : x));
  return isTensor(v) ? f(v) : v;
}

/**
 * A copy of a saved state tensor in the parameter's dtype (steps stay as they are). Buffers must
 * have its shape, unless `what` is null (state that is not per element of the parameter).
 */
function castLike(v: Tensor, p: Tensor, what: string | null): Tensor {
  if (what !== null && v.shape.length > 0 && !sameShape(v.shape, p.shape)) {
    throw new RangeError(`loaded state dict's ${what} has shape ${shapeStr(v.shape)}, but the parameter's is ${shapeStr(p.shape)}`);
  }
  return v.isFloatingPoint() && v.shape.length > 0 ? v.to(p.dtype).clone() : v.clone();
}

/** PyTorch's hyperparameter checks ("Invalid learning rate: -1"). */
export function checkNonNegative(value: number, what: string): void {
  if (typeof value !== 'number' || !(value >= 0)) throw new RangeError(`Invalid ${what}: ${value}`);
}
