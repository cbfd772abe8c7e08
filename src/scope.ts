/**
 * tg.scope(fn): the memory of every tensor made while fn runs goes back when fn returns (or, for
 * an async fn, when its promise settles), but for the tensors fn returns and what something
 * longer-lived holds (.grad, parameters, buffers, optimizer state). Optional: the garbage
 * collector frees all of it anyway, only later, when it is no longer in the CPU's caches.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { isTensor, setTracker, type Storage } from './storage';

interface Open {
  storages: Storage[];
  parent: Open | undefined;
}

const current = new AsyncLocalStorage<Open>();
let open = 0; // scopes not yet closed, in any async context: tracking costs nothing when none is

function track(s: Storage): void {
  current.getStore()?.storages.push(s);
}

/** The storages of the tensors in a returned value: a tensor, or arrays and plain objects of them. */
function returned(value: unknown, into: Set<Storage>, seen: Set<unknown>, depth: number): void {
  if (value === null || typeof value !== 'object' || seen.has(value) || depth > 32) return;
  seen.add(value);
  if (isTensor(value)) {
    into.add(value._storage);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) returned(v, into, seen, depth + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) returned(v, into, seen, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) returned(v, into, seen, depth + 1);
  }
}

function close(scope: Open, result: unknown): void {
  const keep = new Set<Storage>();
  returned(result, keep, new Set(), 0);
  for (const s of scope.storages) {
    if (s.kept) continue;
    if (keep.has(s)) scope.parent?.storages.push(s); // the enclosing scope owns what this one returns
    else s.release();
  }
  scope.storages = [];
  if (--open === 0) setTracker(null);
}

/**
 * Runs fn and then gives back the memory of the tensors it made, except those it returns (a
 * tensor, or arrays, Maps and plain objects holding tensors) and those a longer-lived object
 * holds: gradients in .grad, parameters and buffers of modules, optimizer state. A tensor made
 * inside and used after in any other way (kept in an outer variable, say) is disposed: using it
 * is an Error, never wrong numbers. Works with async functions (the scope follows fn across
 * awaits); scopes nest. Never required: it makes a training step's temporaries reusable at once.
 * @example for (const [x, y] of batches) tg.scope(() => { const loss = lossFn(model(x), y); loss.backward(); opt.step(); opt.zeroGrad(); });
 */
export function scope<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`scope(): expected a function, but got ${fn === null ? 'null' : typeof fn}`);
  const s: Open = { storages: [], parent: current.getStore() };
  if (open++ === 0) setTracker(track);
  let result: T;
  try {
    result = current.run(s, fn);
  } catch (e) {
    close(s, undefined);
    throw e;
  }
  if (result instanceof Promise) {
    return result.then(
      (v: unknown) => {
        close(s, v);
        return v;
      },
      (e: unknown) => {
        close(s, undefined);
        throw e;
      },
    ) as T;
  }
  close(s, result);
  return result;
}
