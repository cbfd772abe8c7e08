/**
 * What crosses between a DataLoader and its worker threads. Tensors live on the thread that made
 * them, so a tensor travels as its dtype, shape and a typed array holding a copy of its elements,
 * whose buffer is transferred (moved, not copied) and becomes the storage of a tensor on the other
 * side. Datasets travel as the recipe a worker rebuilds them from: the module exporting their
 * class and their constructor arguments (tensorgrad's own datasets: their name). Everything else
 * is copied by structured clone.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { typedArrayCtor, type DType, type TypedArray } from '../dtype';
import { describeValue, isPlainObject, typeName } from '../options';
import { contiguousStrides } from '../shape';
import { isTensor, makeTensor, Storage } from '../storage';
import type { Tensor } from '../tensor';
import { Subset, TensorDataset } from './dataset';

/** A function a worker thread imports: the module (an absolute path or a `file:` URL) and the name it is exported under. */
export interface WorkerFunction {
  module: string | URL;
  export: string;
}

/** What getWorkerInfo() returns inside a DataLoader worker thread (torch.utils.data.get_worker_info()). */
export interface WorkerInfo {
  /** This worker's id, in [0, numWorkers). */
  readonly id: number;
  readonly numWorkers: number;
  /** The seed of this worker's global generator: the loader's base seed + id. */
  readonly seed: bigint;
  /** This worker's copy of the dataset. */
  readonly dataset: unknown;
}

// On globalThis: every copy of the library in a thread sees the same value.
const INFO = Symbol.for('tensorgrad.utils.data.workerInfo');

/**
 * Inside a DataLoader worker thread, which worker this is (id, numWorkers, seed, and its copy of
 * the dataset); null in any other thread. An IterableDataset uses it to give each worker its share.
 * @example
 * const info = tg.utils.data.getWorkerInfo();
 * const [id, n] = info === null ? [0, 1] : [info.id, info.numWorkers];
 */
export function getWorkerInfo(): WorkerInfo | null {
  return ((globalThis as Record<symbol, unknown>)[INFO] as WorkerInfo | undefined) ?? null;
}

/** @internal */
export function setWorkerInfo(info: WorkerInfo): void {
  (globalThis as Record<symbol, unknown>)[INFO] = Object.freeze(info);
}

const TAG = '__tensorgrad__';
type Tagged =
  | { [TAG]: 'tensor'; dtype: DType; shape: number[]; data: TypedArray }
  | { [TAG]: 'dataset'; builtin?: string; module?: string; export?: string; args: unknown };

function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true }); // a key '__proto__' stays a key
}

/** An absolute path or file: URL as the URL string import() takes. */
export function moduleHref(m: unknown, what: string): string {
  if (m instanceof URL) return m.href;
  if (typeof m === 'string' && m.startsWith('file:')) return m;
  if (typeof m === 'string' && isAbsolute(m)) return pathToFileURL(m).href;
  throw new TypeError(`${what} must be an absolute path or a file: URL (__filename, or import.meta.url in an ES module), but got ${describeValue(m)}`);
}

interface DatasetClass {
  name: string;
  workerModule?: unknown;
  workerExport?: unknown;
}

/** The recipe of a dataset, or null for a value that is not one. */
function datasetRecipe(v: object, transfer: ArrayBuffer[] | null): Tagged | null {
  const args = (): unknown => {
    const f = (v as { workerArgs?: () => readonly unknown[] }).workerArgs;
    return encode(typeof f === 'function' ? [...f.call(v)] : [], transfer);
  };
  if (v instanceof TensorDataset) return { [TAG]: 'dataset', builtin: 'TensorDataset', args: args() };
  if (v instanceof Subset) return { [TAG]: 'dataset', builtin: 'Subset', args: args() };
  const cls = v.constructor as DatasetClass | undefined;
  if (cls === undefined || cls.workerModule === undefined) return null;
  const name = cls.workerExport ?? cls.name;
  if (typeof name !== 'string' || name === '') throw new TypeError(`${typeName(v)}.workerExport must name the export of its class`);
  return { [TAG]: 'dataset', module: moduleHref(cls.workerModule, `${cls.name}.workerModule`), export: name, args: args() };
}

/**
 * The dataset as a worker thread rebuilds it, or a TypeError saying what the dataset lacks.
 * Copies (no transfer): the same recipe goes to every worker.
 */
export function datasetForWorkers(dataset: unknown): unknown {
  if (Array.isArray(dataset)) return encode(dataset, null);
  const recipe = typeof dataset === 'object' && dataset !== null ? datasetRecipe(dataset, null) : null;
  if (recipe === null) {
    throw new TypeError(
      `DataLoader(): with numWorkers > 0 every worker thread builds its own copy of the dataset, and ${typeName(dataset)} does not say how: ` +
        'give its class a static workerModule (the module exporting it: __filename, or import.meta.url in an ES module) and, ' +
        'if its constructor takes arguments, a workerArgs() method returning them',
    );
  }
  return recipe;
}

/** value with every tensor replaced by its elements (their buffers added to transfer, when given) and every dataset by its recipe. */
export function encode(value: unknown, transfer: ArrayBuffer[] | null): unknown {
  if (isTensor(value)) {
    const data = value.toTypedArray(); // a copy with a buffer of its own: safe to transfer
    if (transfer !== null) transfer.push(data.buffer as ArrayBuffer);
    return { [TAG]: 'tensor', dtype: value.dtype, shape: [...value.shape], data };
  }
  if (Array.isArray(value)) return value.map((v) => encode(v, transfer));
  if (typeof value !== 'object' || value === null) return value;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setKey(out, key, encode(value[key], transfer));
    return out;
  }
  return datasetRecipe(value, transfer) ?? value;
}

/** A tensor over the elements that came across (no copy). */
function tensorOver(t: { dtype: DType; shape: number[]; data: TypedArray }): Tensor {
  if (!(t.data instanceof typedArrayCtor(t.dtype))) throw new TypeError(`DataLoader: a ${t.dtype} tensor came from a worker with a ${typeName(t.data)}`);
  return makeTensor(new Storage(t.data, t.dtype), t.shape, contiguousStrides(t.shape), 0);
}

function tagOf(v: unknown): string | undefined {
  return isPlainObject(v) && typeof v[TAG] === 'string' ? (v[TAG] as string) : undefined;
}

/**
 * The value encode() was given, tensors rebuilt; datasets too when `build` is given (in a worker:
 * it imports their modules).
 */
export async function decodeAsync(value: unknown, build: (recipe: Extract<Tagged, { [TAG]: 'dataset' }>, args: unknown[]) => Promise<unknown>): Promise<unknown> {
  const tag = tagOf(value);
  if (tag === 'dataset') {
    const recipe = value as Extract<Tagged, { [TAG]: 'dataset' }>;
    return build(recipe, (await decodeAsync(recipe.args, build)) as unknown[]);
  }
  if (tag === 'tensor') return tensorOver(value as Extract<Tagged, { [TAG]: 'tensor' }>);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await decodeAsync(v, build));
    return out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setKey(out, key, await decodeAsync(value[key], build));
    return out;
  }
  return value;
}

/** The value encode() was given (a batch: no datasets in it), tensors rebuilt over the buffers that came across. */
export function decode(value: unknown): unknown {
  const tag = tagOf(value);
  if (tag === 'tensor') return tensorOver(value as Extract<Tagged, { [TAG]: 'tensor' }>);
  if (Array.isArray(value)) return value.map(decode);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setKey(out, key, decode(value[key]));
    return out;
  }
  return value;
}

// ---- the messages between a DataLoader and its workers (worker_iter.ts, worker_loop.ts) ----

/** What each worker is started with (its workerData under SETUP_KEY). */
export interface WorkerSetup {
  workerId: number;
  numWorkers: number;
  baseSeed: bigint;
  /** The dataset's recipe (transfer.ts). */
  dataset: unknown;
  autoCollation: boolean;
  /** Collate here with defaultCollate (no collateFn given), or send the samples as they are. */
  collateHere: boolean;
  dropLast: boolean;
  initFn: { module: string; export: string } | null;
}

export const SETUP_KEY = 'tensorgradDataLoaderWorker';

export type Task = { type: 'fetch'; epoch: number; task: number; index: unknown } | { type: 'reset'; epoch: number } | { type: 'stop' };

/** An error as it crosses: its class name, message, stack, and the index being loaded. */
export interface ErrorInfo {
  name: string;
  message: string;
  stack: string | undefined;
  index: number | null | undefined;
}

export interface Reply {
  epoch: number;
  task: number;
  value?: unknown;
  error?: ErrorInfo;
  /** The iterable dataset has no more batches for this worker. */
  end?: true;
}
