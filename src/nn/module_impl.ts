/** The bodies of Module's longer methods: loading a state dict, converting dtypes, walking and looking up submodules. */
import { checkArg, checkOptions } from '../options';
import { noGrad } from '../autograd/grad_mode';
import { isFloatingPoint, type DType } from '../dtype';
import { ShapeError, shapeStr } from '../errors';
import { sameShape } from '../shape';
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import { Module } from './module';
import { Parameter } from './parameter';

/** The options of namedModules (PyTorch's keyword arguments). */
export interface NamedModulesOptions {
  /** Modules already listed: they and what is below them are skipped. */
  memo?: Set<Module>;
  /** Put before every name, with a dot. */
  prefix?: string;
  /** List a module reachable by several paths once (default true). */
  removeDuplicate?: boolean;
}

/** Result of loadStateDict({ strict: false }): the keys that did not line up. */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Module.loadStateDict: checks keys and shapes, then copies the values in without recording. */
export function loadStateDict(module: Module, stateDict: Record<string, Tensor> | Map<string, Tensor>, opts: { strict?: boolean }): LoadResult {
  const strict = checkOptions('loadStateDict', opts, { strict: 'boolean' })?.strict ?? true;
  const given = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
  const own = module.stateDict();
  const missingKeys = Object.keys(own).filter((k) => !given.has(k));
  const unexpectedKeys = [...given.keys()].filter((k) => !Object.hasOwn(own, k)); // 'constructor' is unexpected too
  const errors: string[] = [];
  for (const [key, target] of Object.entries(own)) {
    const src = given.get(key);
    if (src === undefined) continue;
    if (!isTensor(src)) {
      errors.push(`While copying the parameter named "${key}", expected a Tensor from checkpoint but received ${typeof src}`);
    } else if (!sameShape(src.shape, target.shape)) {
      errors.push(`size mismatch for ${key}: copying a param with shape ${shapeStr(src.shape)} from checkpoint, the shape in current model is ${shapeStr(target.shape)}.`);
    }
  }
  if (strict) {
    if (unexpectedKeys.length > 0) errors.unshift(`Unexpected key(s) in the state dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
    if (missingKeys.length > 0) errors.unshift(`Missing key(s) in the state dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
  }
  if (errors.length > 0) {
    throw new ShapeError(`Error(s) in loadStateDict() for ${module.constructor.name}:\n\t${errors.join('\n\t')}`);
  }
  noGrad(() => {
    for (const [key, target] of Object.entries(own)) {
      const src = given.get(key);
      if (src !== undefined) target.copy_(src);
    }
  });
  return { missingKeys, unexpectedKeys };
}

/**
 * Module.to(dtype): the floating-point parameters (new Parameter objects, gradients converted
 * too) and buffers of module and every module below it, converted to a floating-point dtype.
 */
export function convertModule(module: Module, target: DType): void {
  const converted = new Map<Tensor, Tensor>(); // a tensor shared by several modules stays shared
  const convert = <T extends Tensor>(t: T, make: (data: Tensor) => T): T => {
    if (!isFloatingPoint(t.dtype) || t.dtype === target) return t;
    let out = converted.get(t) as T | undefined;
    if (out === undefined) {
      out = make(noGrad(() => t.detach().to(target)));
      converted.set(t, out);
    }
    return out;
  };
  for (const m of module.modules()) {
    const props = m as unknown as Record<string, unknown>;
    for (const [name, p] of m.namedParameters('', false, false)) {
      props[name] = convert(p, (data) => {
        const q = new Parameter(data, p.requiresGrad);
        if (p.grad !== null) q.grad = p.grad.to(target);
        return q;
      });
    }
    for (const [name, b] of m.namedBuffers('', false, false)) props[name] = convert(b, (data) => data);
  }
}

/** The modules below and including m with their dotted names (PyTorch's named_modules). */
export function* walkModules(m: Module, memo: Set<Module>, prefix: string, removeDuplicate: boolean): Generator<[string, Module]> {
  if (memo.has(m)) return;
  if (removeDuplicate) memo.add(m);
  yield [prefix, m];
  for (const [name, child] of m.namedChildren()) yield* walkModules(child, memo, prefix ? `${prefix}.${name}` : name, removeDuplicate);
}

function attribute(mod: Module, name: string): unknown {
  if (!(name in mod)) throw new RangeError(`${mod.constructor.name} has no attribute \`${name}\``);
  return (mod as unknown as Record<string, unknown>)[name];
}

/** The submodule of root at a dotted path ('' is root), as PyTorch's get_submodule. */
export function getSubmodule(root: Module, target: string, fn = 'getSubmodule'): Module {
  checkArg(fn, 'target', target, 'string');
  let mod = root;
  for (const item of target === '' ? [] : target.split('.')) {
    const next = attribute(mod, item);
    if (!(next instanceof Module)) throw new TypeError(`\`${item}\` is not an nn.Module`);
    mod = next;
  }
  return mod;
}

/** What a dotted path names (get_parameter, get_buffer): the module that holds it, its last name and its value. */
export function member(root: Module, target: string, fn: string): [Module, string, unknown] {
  checkArg(fn, 'target', target, 'string');
  const dot = target.lastIndexOf('.');
  const mod = getSubmodule(root, dot < 0 ? '' : target.slice(0, dot), fn);
  const name = target.slice(dot + 1);
  return [mod, name, attribute(mod, name)];
}

/** [name, value] pairs of the members of root's modules, each once unless removeDuplicate is false (PyTorch's _named_members). */
export function* namedMembers<T>(root: Module, members: (m: Module) => [string, T][], prefix: string, recurse: boolean, removeDuplicate: boolean): Generator<[string, T]> {
  const seen = new Set<T>();
  const modules: Iterable<[string, Module]> = recurse ? root.namedModules({ prefix, removeDuplicate }) : [[prefix, root]];
  for (const [path, m] of modules) {
    for (const [name, v] of members(m)) {
      if (seen.has(v)) continue;
      if (removeDuplicate) seen.add(v);
      yield [path ? `${path}.${name}` : name, v];
    }
  }
}
