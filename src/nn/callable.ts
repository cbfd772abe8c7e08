/**
 * How a module is callable: `model(x)` as in PyTorch. Module's constructor returns a function
 * object whose prototype is the class's (so `instanceof`, methods, getters and the subclasses'
 * fields work as on any object), behind a Proxy that records the order of property assignments.
 */
import { callWithHooks } from './hooks';
import type { Module } from './module';

/** A property only the library reads: not listed by Object.keys, not a module's state. */
function internal(value: unknown): PropertyDescriptor {
  return { value, writable: true, configurable: true, enumerable: false };
}

/**
 * A new module instance with prototype proto: an arrow function (callable, with no `prototype` of
 * its own) that calls the module's forward, or runs its hooks around it when it has some. A
 * function's own `length` and `name` would hide the prototype's (Sequential's `length` getter) and
 * refuse assignment (a module with a `name` field): they are deleted.
 */
export function callableModule(proto: object): Module {
  const fn = ((...args: unknown[]): unknown => {
    const hooks = fn._hooks;
    return hooks === null || hooks.count === 0 ? fn.forward.apply(self, args) : callWithHooks(self, hooks, args);
  }) as unknown as Module;
  delete (fn as { length?: number }).length;
  delete (fn as { name?: string }).name;
  Object.setPrototypeOf(fn, proto);
  Object.defineProperties(fn, {
    training: { value: true, writable: true, configurable: true, enumerable: true },
    _buffers: internal(new Set<string>()),
    _nonPersistent: internal(new Set<string>()),
    _assigned: internal(new Map<string, number>()),
    _assignments: internal(0),
    _hooks: internal(null),
  });
  // Every definition and assignment of a property (the subclasses' fields too, which are defined on
  // what the base constructor returns) goes through [[DefineOwnProperty]]: _assigned keeps when each
  // property was first given a value, the order PyTorch's __setattr__ lists submodules, parameters
  // and buffers in. Object.keys alone would put a TypeScript field declared before another
  // (`fc2: nn.Linear; fc1: nn.Linear;`) first: declared fields are defined (as undefined) before the
  // constructor assigns them.
  const self: Module = new Proxy(fn, {
    defineProperty: (target, key, desc) => {
      if (typeof key === 'string' && desc.value !== undefined && !target._assigned.has(key)) target._assigned.set(key, target._assignments++);
      return Reflect.defineProperty(target, key, desc);
    },
    deleteProperty: (target, key) => {
      if (typeof key === 'string') target._assigned.delete(key); // assigned again, it goes last
      return Reflect.deleteProperty(target, key);
    },
  });
  return self;
}
