/**
 * Optimizer state in PyTorch's layout, for saving in the torch format: tensorgrad's
 * `optimizer.stateDict()` is `{ state, paramGroups }` with camelCase names; PyTorch's
 * `optimizer.state_dict()` is `{'state': {0: {...}}, 'param_groups': [{...}]}` with snake_case
 * names, a few options tensorgrad does not have, and the step count as a float32 0-d tensor.
 */
import { full } from '../ops/creation';
import { Adam, AdamW } from '../optim/adam';
import { Optimizer, type OptimizerStateDict } from '../optim/optimizer';
import { snakeCase } from '../optim/torch_state';
import { isPlainObject } from '../options';
import { isTensor } from '../storage';

/** A Python tuple (the values of PyTorch's tuple-valued options, such as Adam's betas). */
export class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** Whether v is shaped like what tensorgrad's optimizer.stateDict() returns. */
export function isOptimizerStateDict(v: unknown): v is OptimizerStateDict<object> {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 2 || !keys.includes('state') || !keys.includes('paramGroups')) return false;
  const groups = v.paramGroups;
  return isPlainObject(v.state) && Array.isArray(groups) && groups.every((g) => isPlainObject(g) && Array.isArray(g.params));
}

/**
 * Options PyTorch 2's Adam, AdamW and SGD keep in each parameter group (at their defaults) that
 * tensorgrad's do not. Whether Adam's weight decay is decoupled is known only from the optimizer
 * itself (Adam or AdamW): left out otherwise, torch's Adam takes it as false and AdamW as true.
 */
function pytorchOnly(group: Record<string, unknown>, decoupled: boolean | undefined): [string, unknown][] {
  if ('betas' in group) {
    const flags: [string, unknown][] = [['foreach', null], ['capturable', false], ['differentiable', false], ['fused', null]];
    return decoupled === undefined ? flags : [...flags, ['decoupled_weight_decay', decoupled]];
  }
  if ('momentum' in group) return [['foreach', null], ['differentiable', false], ['fused', null]];
  return [];
}

/**
 * State numbers PyTorch keeps as Python numbers (LBFGS's counters); every other number in an
 * optimizer's state (step, NAdam's mu_product, ASGD's eta and mu) is a 0-d float32 tensor there.
 */
const PYTHON_NUMBERS = new Set(['funcEvals', 'nIter', 't', 'prevLoss']);

/**
 * tensorgrad's optimizer state dict in PyTorch's layout (dicts as Maps, int keys as numbers):
 * names in snake_case (expAvgSq -> exp_avg_sq, weightDecay -> weight_decay), the state keyed by
 * int, entries that are null left out (as PyTorch has no max_exp_avg_sq without amsgrad) and
 * parameters without state too, a number `step` as a float32 0-d tensor, arrays among a group's
 * options (betas) as tuples, PyTorch's own flags after `maximize`, and `params` last.
 */
export function torchOptimizerState(sd: OptimizerStateDict<object>, decoupled?: boolean): Map<string, unknown> {
  const state = new Map<number | string, Map<string, unknown>>();
  for (const [key, entries] of Object.entries(sd.state)) {
    const s = new Map<string, unknown>();
    for (const [name, v] of Object.entries(entries)) {
      if (v === null || v === undefined) continue;
      s.set(snakeCase(name), typeof v === 'number' && !PYTHON_NUMBERS.has(name) ? full([], v, { dtype: 'float32' }) : v);
    }
    if (s.size > 0) state.set(/^(0|[1-9]\d*)$/.test(key) ? Number(key) : key, s);
  }
  const groups = sd.paramGroups.map((g: Record<string, unknown>) => {
    const flags = pytorchOnly(g, decoupled);
    const out = new Map<string, unknown>();
    for (const [name, v] of Object.entries(g)) {
      if (name === 'params') continue;
      out.set(snakeCase(name), Array.isArray(v) && !isTensor(v) ? new PyTuple(v) : v);
      if (name === 'maximize') for (const [k, f] of flags) out.set(k, f);
    }
    for (const [k, f] of flags) if (!out.has(k)) out.set(k, f);
    out.set('params', g.params);
    return out;
  });
  return new Map<string, unknown>([['state', state], ['param_groups', groups]]);
}

/** An optimizer's state dict in PyTorch's layout, knowing from its class whether its weight decay is decoupled. */
export function optimizerToTorch(opt: Optimizer<object>): Map<string, unknown> {
  const decoupled = opt instanceof AdamW ? true : opt instanceof Adam ? false : undefined;
  return torchOptimizerState(opt.stateDict(), decoupled);
}
