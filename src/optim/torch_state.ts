/**
 * PyTorch's optimizer state_dict, as tg.load reads it from a torch.save file, translated into
 * tensorgrad's: `{ state: { '0': { step, exp_avg, exp_avg_sq } }, param_groups: [{ lr, betas,
 * weight_decay, ..., foreach, fused, params: [0, 1] }] }` becomes `{ state: { 0: { step, expAvg,
 * expAvgSq } }, paramGroups: [{ lr, betas, weightDecay, ..., params: [0, 1] }] }`. PyTorch's options
 * that only choose an implementation (foreach, fused, capturable) are accepted at any value; one
 * that changes what a step computes must be what tensorgrad computes (differentiable: false, and
 * decoupled_weight_decay as the optimizer's class has it).
 */
import { describeValue, isOptionsObject } from '../options';
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import type { OptimizerStateDict, ParamState, StateValue } from './optimizer';

/** An optimizer state_dict as torch.optim writes it (snake_case names; state keyed by parameter index). */
export interface TorchOptimizerStateDict {
  state: Record<string, Record<string, unknown>>;
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

/** How PyTorch names an optimizer's state, and the options whose value must be fixed for it. */
export interface TorchNames {
  /** PyTorch's state names to tensorgrad's (exp_avg -> expAvg); tensorgrad's missing ones are null. */
  state: Record<string, string>;
  /** PyTorch options tensorgrad has no option for, at the values it computes. */
  fixed: Record<string, unknown>;
  /** State PyTorch keeps as 0-d tensors and tensorgrad as numbers (step always is). */
  scalars?: readonly string[];
}

/**
 * Numbers the lr schedulers keep in a parameter group beside its options, as PyTorch's do
 * (initial_lr; OneCycleLR's and CyclicLR's max_lr, min_lr, max_momentum, base_momentum).
 */
export const SCHEDULER_KEYS = { initialLr: 'number', maxLr: 'number', minLr: 'number', maxMomentum: 'number', baseMomentum: 'number' } as const;

/** exp_avg_sq -> expAvgSq. */
export const camelCase = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** expAvgSq -> exp_avg_sq. */
export const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * PyTorch's names for the state tensorgrad keeps, from what that state is before a first step
 * (each group's): its names in snake_case, and which are numbers.
 */
export function torchNamesOf(initial: readonly Record<string, unknown>[], fixed: Record<string, unknown> = {}): TorchNames {
  const state: Record<string, string> = {};
  const scalars: string[] = [];
  for (const s of initial) {
    for (const [k, v] of Object.entries(s)) {
      state[snakeCase(k)] = k;
      if (typeof v === 'number' && !scalars.includes(snakeCase(k))) scalars.push(snakeCase(k));
    }
  }
  return { state, fixed, scalars };
}

/** Options that choose how a step is computed, not what it computes. */
const IMPLEMENTATION = new Set(['foreach', 'fused', 'capturable']);
const FIXED: Record<string, unknown> = { differentiable: false };

export function isTorchStateDict(sd: object): sd is TorchOptimizerStateDict {
  return Object.hasOwn(sd, 'param_groups') && !Object.hasOwn(sd, 'paramGroups');
}

/** PyTorch's state_dict in tensorgrad's terms, for the optimizer `name` with `defaults` (see the module comment). */
export function fromTorch<H extends object>(sd: TorchOptimizerStateDict, name: string, defaults: H, names: TorchNames): OptimizerStateDict<H> {
  const fn = `${name}.loadStateDict()`;
  if (!Array.isArray(sd.param_groups) || typeof sd.state !== 'object' || sd.state === null) {
    throw new TypeError(`${fn}: PyTorch's state_dict must have state (an object) and param_groups (an array)`);
  }
  const fixed: Record<string, unknown> = { ...FIXED, ...names.fixed };
  const paramGroups = sd.param_groups.map((g: unknown, i) => {
    if (!isOptionsObject(g)) throw new TypeError(`${fn}: param_groups[${i}] is ${describeValue(g)}, not a dict`);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(g)) {
      if (key === 'params') {
        if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x))) throw new TypeError(`${fn}: param_groups[${i}].params must be parameter indices`);
        out.params = v;
      } else if (Object.hasOwn(defaults, camelCase(key)) || Object.hasOwn(SCHEDULER_KEYS, camelCase(key))) {
        const like = Object.hasOwn(SCHEDULER_KEYS, camelCase(key)) ? 0 : (defaults as Record<string, unknown>)[camelCase(key)];
        out[camelCase(key)] = optionValue(v, like, `${fn}: param_groups[${i}].${key}`);
      } else if (Object.hasOwn(fixed, key)) {
        if (v !== fixed[key]) throw new RangeError(`${fn}: param_groups[${i}] has ${key}: ${String(v)}, but tensorgrad's ${name} computes ${key}: ${String(fixed[key])}${hint(name, key)}`);
      } else if (!IMPLEMENTATION.has(key) && v !== null && v !== false) {
        throw new TypeError(`${fn}: param_groups[${i}] has the option ${key}: ${String(v)}, which tensorgrad's ${name} does not have`);
      }
    }
    if (out.params === undefined) throw new TypeError(`${fn}: param_groups[${i}] has no params`);
    return out as H & { params: number[] };
  });
  const state: Record<number, ParamState> = {};
  for (const [index, s] of Object.entries(sd.state)) {
    if (!/^(0|[1-9]\d*)$/.test(index)) throw new TypeError(`${fn}: the state has the key ${JSON.stringify(index)}, which is not a parameter index`);
    if (!isOptionsObject(s)) throw new TypeError(`${fn}: the state of parameter ${index} is ${describeValue(s)}, not a dict`);
    const entry: ParamState = Object.fromEntries(Object.values(names.state).map((k) => [k, null]));
    for (const [key, v] of Object.entries(s)) {
      if (!Object.hasOwn(names.state, key)) {
        throw new TypeError(`${fn}: the state of parameter ${index} has '${key}', which tensorgrad's ${name} does not keep (it keeps ${Object.keys(names.state).join(', ')})`);
      }
      const scalar = key === 'step' || (names.scalars ?? []).includes(key);
      entry[names.state[key]] = stateValue(v, scalar, `${fn}: the state '${key}' of parameter ${index}`);
    }
    state[Number(index)] = entry;
  }
  return { state, paramGroups };
}

/** An option's value, which must be of the kind of tensorgrad's (`like`: its default): a number, a boolean, or (betas) an array of numbers. */
function optionValue(v: unknown, like: unknown, what: string): unknown {
  if (Array.isArray(like)) {
    if (Array.isArray(v) && v.length === like.length && v.every((x) => typeof x === 'number')) return [...v];
    throw new TypeError(`${what} must be ${like.length} numbers, but got ${describeValue(v)}`);
  }
  if (typeof v !== typeof like) throw new TypeError(`${what} must be a ${typeof like}, but got ${describeValue(v)}`);
  return v;
}

/** A state value: a tensor, null, or a number (a step count, or a scalar PyTorch keeps as a 0-d tensor). */
function stateValue(v: unknown, scalar: boolean, what: string): StateValue {
  if (v === null || typeof v === 'number') return v;
  if (!isTensor(v)) throw new TypeError(`${what} is neither a tensor nor a number`);
  if (!scalar) return v;
  if (v.numel() !== 1) throw new TypeError(`${what} is a tensor of shape [${v.shape.join(', ')}], not a number`);
  return Number((v as Tensor).item());
}

function hint(name: string, key: string): string {
  if (key !== 'decoupled_weight_decay') return '';
  return name === 'Adam' ? ' (it is an AdamW state_dict: load it into optim.AdamW)' : ' (it is an Adam state_dict: load it into optim.Adam)';
}
