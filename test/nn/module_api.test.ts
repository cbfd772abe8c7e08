// nn.Module's tree: namedModules / namedParameters / namedBuffers (prefix, recurse, removeDuplicate),
// apply, getSubmodule / getParameter / getBuffer against PyTorch (scripts/fixtures/module_api.py);
// requiresGrad_, registerModule and registerBuffer.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';
import { loadFixture } from '../helpers';

const { nn } = tg;
const tree = loadFixture<{ tree: Record<string, string[]> & { submodule: string; errors: Record<string, string> } }>('module_api.json').tree;

class Block extends nn.Module {
  lin = new nn.Linear(2, 2);
  act = new nn.ReLU();
  constructor() {
    super();
    this.registerBuffer('scale', tg.ones(2));
    this.registerBuffer('tmp', tg.ones(2), { persistent: false });
  }
}

class Tree extends nn.Module {
  enc: tg.nn.Sequential;
  dec: Block;
  head: tg.nn.ModuleDict;
  constructor() {
    super();
    const shared = new Block();
    this.enc = new nn.Sequential(shared, new nn.Linear(2, 2));
    this.registerBuffer('steps', tg.zeros(1));
    this.dec = shared;
    this.head = new nn.ModuleDict({ b: new nn.Linear(2, 1), a: new nn.Linear(2, 3) });
  }
}

const names = <T>(pairs: Iterable<[string, T]>) => [...pairs].map(([k]) => k);

describe('the module tree', () => {
  it('is walked as PyTorch walks it', () => {
    const m = new Tree();
    expect(names(m.namedModules())).toEqual(tree.named_modules);
    expect(names(m.namedModules({ removeDuplicate: false }))).toEqual(tree.named_modules_all);
    expect(names(m.namedModules({ prefix: 'model' }))).toEqual(tree.named_modules_prefix);
    expect(names(m.namedModules('model'))).toEqual(tree.named_modules_prefix);
    expect(names(m.namedModules({ memo: new Set([m.enc]) }))).toEqual(['', 'dec', 'dec.lin', 'dec.act', 'head', 'head.b', 'head.a']);
    expect(names(m.namedChildren())).toEqual(tree.named_children);
    expect([...m.children()]).toEqual([m.enc, m.dec, m.head]);
    expect([...m.modules()].length).toBe(tree.named_modules.length);
    expect(names(m.namedParameters())).toEqual(tree.named_parameters);
    expect(names(m.namedParameters('', true, false))).toEqual(tree.named_parameters_all);
    expect(names(m.dec.namedParameters('', false))).toEqual(tree.named_parameters_own);
    expect(names(m.namedBuffers())).toEqual(tree.named_buffers);
    expect(names(m.namedBuffers('', true, false))).toEqual(tree.named_buffers_all);
    expect(names(m.namedBuffers('', false))).toEqual(tree.named_buffers_own);
    expect([...m.buffers(false)]).toEqual([m.getBuffer('steps')]);
    expect(Object.keys(m.stateDict())).toEqual(tree.state_dict);
    const visited: string[] = [];
    expect(m.apply((mod) => void visited.push(mod.constructor.name))).toBe(m);
    expect(visited).toEqual(tree.apply);
  });

  it('is looked up by dotted paths', () => {
    const m = new Tree();
    expect(m.getSubmodule('')).toBe(m);
    expect(m.getSubmodule('enc.0.lin')).toBe(m.dec.lin);
    expect(m.getSubmodule('enc.0.lin').toString()).toBe(tree.submodule);
    expect(m.getSubmodule('head.a')).toBe(m.head.get('a'));
    expect(m.getParameter('enc.1.bias')).toBe((m.enc.at(1) as tg.nn.Linear).bias);
    expect(m.getBuffer('dec.scale').tolist()).toEqual([1, 1]);
    expect(() => m.getSubmodule('enc.9')).toThrow(tree.errors['enc.9']);
    expect(() => m.getSubmodule('enc.0.lin.weight')).toThrow(tree.errors['enc.0.lin.weight']);
    expect(() => m.getParameter('enc.0.act')).toThrow(tree.errors['parameter enc.0.act']);
    expect(() => m.getParameter('enc.0.nothing')).toThrow(tree.errors['parameter enc.0.nothing']);
    expect(() => m.getBuffer('enc.0.lin.weight')).toThrow(tree.errors['buffer enc.0.lin.weight']);
    expect(() => m.getSubmodule(3 as never)).toThrow(TypeError);
  });

  it('requiresGrad_ freezes and unfreezes; registerModule and registerBuffer register', () => {
    const m = new Tree();
    expect(m.enc.requiresGrad_(false)).toBe(m.enc);
    expect([...m.parameters()].map((p) => p.requiresGrad)).toEqual([false, false, false, false, true, true, true, true]);
    m.requiresGrad_();
    expect([...m.parameters()].every((p) => p.requiresGrad)).toBe(true);
    expect(() => m.requiresGrad_('no' as never)).toThrow(TypeError);
    m.registerModule('extra', new nn.Tanh());
    expect(names(m.namedChildren())).toEqual(['enc', 'dec', 'head', 'extra']);
    m.registerBuffer('tmp2', tg.ones(1), { persistent: false });
    expect(Object.keys(m.stateDict())).not.toContain('tmp2');
    m.registerBuffer('tmp2', tg.ones(1));
    expect(Object.keys(m.stateDict())).toContain('tmp2');
  });
});
