// One op has one name at every layer: each backward rule is keyed by the name of the ops function
// that records it, and each key a source records under is a rule of the table.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derivatives } from '../src/autograd/derivatives';

const src = join(__dirname, '..', 'src');

/** Rules that no function of src/ops records, and why. */
const ENGINE_RULES: Record<string, string> = {
  copySlices: "PyTorch's CopySlices: the engine's own node for an in-place op through a view (graph.ts inPlace)",
  customFunction: 'the node of a tg.autograd.Function: it runs the subclass\'s static backward (autograd/function.ts)',
  customFunctionOutput: "each output's node of a tg.autograd.Function with several differentiable outputs (autograd/function.ts)",
};

/** The names of the functions src/ops/*.ts export. */
async function opsFunctions(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of readdirSync(join(src, 'ops')).filter((f) => f.endsWith('.ts'))) {
    const mod = (await import(join(src, 'ops', file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) if (typeof value === 'function') names.add(name);
  }
  return names;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The first argument of every record(...), inPlace(...) and new Node(...) call in src. */
function recordedKeys(): { at: string; arg: string }[] {
  const calls: { at: string; arg: string }[] = [];
  for (const file of sources(src)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:record|inPlace|new Node)\(([^,)]*)/g)) {
      const line = text.slice(0, m.index).split('\n').length;
      calls.push({ at: `${file.slice(src.length + 1)}:${line}`, arg: m[1].trim() });
    }
  }
  return calls;
}

/** The keys a first argument names: a string literal, or both of `cond ? 'a' : 'b'` (none for a variable). */
function literalKeys(arg: string): string[] {
  const one = /^'(\w+)'$/.exec(arg);
  if (one) return [one[1]];
  const two = /\?\s*'(\w+)'\s*:\s*'(\w+)'$/.exec(arg);
  return two ? [two[1], two[2]] : [];
}

describe('names', () => {
  it('every backward rule is keyed by the name of the ops function that records it', async () => {
    const functions = await opsFunctions();
    // an in-place op records under its out-of-place name (add_ under add); copy_ and fill_ have only that form
    const named = (key: string) => functions.has(key) || functions.has(`${key}_`);
    const unnamed = Object.keys(derivatives).filter((key) => !named(key) && !(key in ENGINE_RULES));
    expect(unnamed).toEqual([]);
  });

  it('the rules the engine records itself exist', () => {
    for (const key of Object.keys(ENGINE_RULES)) expect(derivatives).toHaveProperty(key);
  });

  it('every key recorded in src is a rule of the table', () => {
    const calls = recordedKeys();
    const keyed = calls.filter((c) => literalKeys(c.arg).length > 0);
    expect(keyed.length).toBeGreaterThan(30);
    const unknown = keyed.flatMap((c) => literalKeys(c.arg).filter((k) => !(k in derivatives)).map((k) => `${c.at}: '${k}'`));
    expect(unknown).toEqual([]);
  });
});
