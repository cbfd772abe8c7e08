/** Module containers that hold submodules without running them: nn.ModuleList, nn.ModuleDict. */
import { addIndent, Module } from './module';

function checkModule(m: unknown, what: string): Module {
  if (!(m instanceof Module)) throw new TypeError(`${what} is not a Module subclass`);
  return m;
}

/**
 * Holds submodules in a list, registered under '0', '1', ... as PyTorch's nn.ModuleList: their
 * parameters are the container's, named `0.weight`, ...
 * @example this.layers = new nn.ModuleList([...Array(3)].map(() => new nn.Linear(10, 10)));
 *          for (const layer of this.layers) x = layer(x);
 */
export class ModuleList extends Module {
  [index: number]: Module;

  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  override get length(): number {
    let n = 0;
    while (this[n] instanceof Module) n++;
    return n;
  }

  /** Index i (negative counts from the end) as a position in the list. */
  private position(i: number): number {
    const n = this.length;
    if (!Number.isInteger(i) || i < -n || i >= n) throw new RangeError(`index ${i} is out of range`);
    return i < 0 ? i + n : i;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    return this[this.position(i)];
  }

  /** Replaces the i-th module. */
  set(i: number, m: Module): void {
    this.addModule(String(this.position(i)), checkModule(m, String(m)));
  }

  append(m: Module): this {
    this.addModule(String(this.length), checkModule(m, String(m)));
    return this;
  }

  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Iterable<Module>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`ModuleList.extend should be called with an iterable, but got ${typeof modules}`);
    }
    for (const m of [...modules]) this.append(m);
    return this;
  }

  /** Inserts m before index i (as Python's list.insert). */
  insert(i: number, m: Module): void {
    checkModule(m, String(m));
    const list = [...this];
    const n = list.length;
    const at = i < 0 ? Math.max(0, i + n) : Math.min(i, n);
    list.splice(at, 0, m);
    list.forEach((mod, k) => this.addModule(String(k), mod));
  }

  /** Removes and returns the module at i (the last by default), renumbering the rest. */
  pop(i = -1): Module {
    const list = [...this];
    const [m] = list.splice(this.position(i), 1);
    delete (this as Record<number, Module>)[list.length];
    list.forEach((mod, k) => this.addModule(String(k), mod));
    return m;
  }

  *[Symbol.iterator](): Iterator<Module> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this[i];
  }

  /** print(ModuleList) as PyTorch prints it, runs of equal modules folded: (0-2): 3 x Linear(...). */
  override toString(): string {
    const reprs = [...this].map((m) => m.toString());
    if (reprs.length === 0) return `${this.constructor.name}()`;
    const lines: string[] = [];
    for (let start = 0; start < reprs.length; ) {
      let end = start;
      while (end + 1 < reprs.length && reprs[end + 1] === reprs[start]) end++;
      const line = start === end ? `(${start}): ${reprs[start]}` : `(${start}-${end}): ${end - start + 1} x ${reprs[start]}`;
      lines.push(addIndent(line, 2));
      start = end + 1;
    }
    return `${this.constructor.name}(\n  ${lines.join('\n  ')}\n)`;
  }
}

/**
 * Holds submodules by name, as PyTorch's nn.ModuleDict: registered under their keys, so that
 * their parameters are named `key.weight`, ... Keys that are already properties of a module
 * (forward, training...) or contain a dot are refused, as PyTorch refuses them.
 * @example this.heads = new nn.ModuleDict({ cls: new nn.Linear(8, 3), box: new nn.Linear(8, 4) });
 */
export class ModuleDict extends Module {
  /** @internal The keys in insertion order. */ private readonly _order: string[] = [];

  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  override get length(): number {
    return this._order.length;
  }

  get(key: string): Module {
    if (!this.has(key)) throw new RangeError(`no module named '${key}'`);
    return (this as unknown as Record<string, Module>)[key];
  }

  has(key: string): boolean {
    return this._order.includes(key);
  }

  set(key: string, m: Module): this {
    if (typeof key !== 'string') throw new TypeError(`module name should be a string. Got ${typeof key}`);
    checkModule(m, String(m));
    if (!this.has(key)) {
      if (key === '') throw new RangeError('module name can\'t be empty string ""');
      if (key.includes('.')) throw new RangeError(`module name can't contain ".", got: ${key}`);
      if (key in this) throw new RangeError(`attribute '${key}' already exists`);
      this._order.push(key);
    }
    this.addModule(key, m);
    return this;
  }

  /** Removes and returns the module under key. */
  pop(key: string): Module {
    const m = this.get(key);
    this._order.splice(this._order.indexOf(key), 1);
    delete (this as unknown as Record<string, Module>)[key];
    return m;
  }

  update(modules: Record<string, Module> | Iterable<[string, Module]>): this {
    const entries = Symbol.iterator in Object(modules) ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
    return this;
  }

  keys(): string[] {
    return [...this._order];
  }

  values(): Module[] {
    return this._order.map((k) => this.get(k));
  }

  items(): [string, Module][] {
    return this._order.map((k) => [k, this.get(k)]);
  }

  /** Iterates over the keys, as a Python dict does. */
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  /** In insertion order, also for keys that look like numbers. */
  override *namedChildren(): Generator<[string, Module]> {
    yield* this.items();
  }
}
