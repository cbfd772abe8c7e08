/**
 * The body of a DataLoader worker thread (PyTorch's _worker_loop): seeds this thread's global
 * generator with base seed + id, builds its copy of the dataset, runs the worker init function,
 * then answers each task with a batch (or the error that came instead), in the order they came.
 * Started by worker_iter.ts; the file runs only as a worker's entry point.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
// The whole library first, as a user's dataset module gets it from 'tensorgrad': the same instance.
import '../index';
import { manualSeed } from '../ops/random';
import { setNumThreads } from '../runtime';
import { defaultCollate } from './collate';
import { Subset, TensorDataset, isIterableDataset } from './dataset';
import { END, makeFetcher, type Fetcher } from './fetch';
import { decodeAsync, encode, moduleHref, setWorkerInfo, SETUP_KEY, type ErrorInfo, type Reply, type Task, type WorkerSetup } from './transfer';

// import() as it is, not compiled into require(): the module may be an ES module.
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

async function loadExport(ref: { module: string; export: string }): Promise<unknown> {
  const mod = await importModule(ref.module);
  let value = mod[ref.export];
  const fallback = mod.default as Record<string, unknown> | undefined;
  if (value === undefined && typeof fallback === 'object' && fallback !== null) value = fallback[ref.export];
  if (value === undefined && typeof fallback === 'function' && (fallback as { name: string }).name === ref.export) value = fallback;
  if (value === undefined) throw new TypeError(`${ref.module} has no export named '${ref.export}' (set the class's static workerExport to the name it is exported under)`);
  return value;
}

async function buildDataset(recipe: { builtin?: string; module?: string; export?: string }, args: unknown[]): Promise<unknown> {
  if (recipe.builtin === 'TensorDataset') return new TensorDataset(...(args as ConstructorParameters<typeof TensorDataset>));
  if (recipe.builtin === 'Subset') return new Subset(args[0] as unknown[], args[1] as number[]);
  const cls = await loadExport(recipe as { module: string; export: string });
  if (typeof cls !== 'function') throw new TypeError(`${recipe.module}: export '${recipe.export}' is not a class`);
  return new (cls as new (...a: unknown[]) => unknown)(...args);
}

function errorInfo(e: unknown, index: number | null | undefined): ErrorInfo {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack, index };
  return { name: 'Error', message: `a non-Error was thrown: ${String(e)}`, stack: undefined, index };
}

class WorkerLoop {
  private fetcher: Fetcher | null = null;
  private dataset: unknown = undefined;
  private initError: unknown = undefined;
  private iterationEnd = false;
  /** The newest epoch announced: tasks of older ones are skipped unanswered. */
  private newest = 0;
  private queue: Promise<void>;

  constructor(private readonly port: MessagePort, private readonly setup: WorkerSetup) {
    this.queue = this.start().catch((e: unknown) => void (this.initError = e));
    port.on('message', (task: Task) => {
      if (task.type === 'stop') return void port.close();
      if (task.type === 'reset') this.newest = task.epoch;
      // handle() answers every task; should even its error reply fail, the thread dies and the main thread says so
      this.queue = this.queue.then(() => this.handle(task)).catch((e: unknown) => {
        setImmediate(() => {
          throw e;
        });
      });
    });
  }

  private async start(): Promise<void> {
    const s = this.setup;
    setNumThreads(1);
    const seed = s.baseSeed + BigInt(s.workerId);
    manualSeed(seed);
    this.dataset = await decodeAsync(s.dataset, buildDataset);
    setWorkerInfo({ id: s.workerId, numWorkers: s.numWorkers, seed, dataset: this.dataset });
    if (s.initFn !== null) {
      const init = await loadExport({ module: moduleHref(s.initFn.module, 'workerInitFn.module'), export: s.initFn.export });
      if (typeof init !== 'function') throw new TypeError(`workerInitFn: export '${s.initFn.export}' of ${s.initFn.module} is not a function`);
      await (init as (id: number) => unknown)(s.workerId);
    }
    this.fetcher = this.makeFetcher();
  }

  private makeFetcher(): Fetcher {
    const s = this.setup;
    const collate = s.collateHere && s.autoCollation ? defaultCollate : null;
    return makeFetcher(this.dataset as unknown[], isIterableDataset(this.dataset), { autoCollation: s.autoCollation, collate, dropLast: s.dropLast });
  }

  private handle(task: Task): void {
    if (task.type === 'reset') {
      this.iterationEnd = false;
      if (this.initError === undefined) this.fetcher = this.makeFetcher();
      return;
    }
    if (task.type !== 'fetch' || task.epoch < this.newest || this.iterationEnd) return;
    const reply: Reply = { epoch: task.epoch, task: task.task };
    const transfer: ArrayBuffer[] = [];
    if (this.initError !== undefined) {
      reply.error = errorInfo(this.initError, undefined);
    } else {
      try {
        const batch = (this.fetcher as Fetcher).fetch(task.index);
        if (batch === END) {
          reply.end = true;
          this.iterationEnd = true;
        } else {
          reply.value = encode(batch, transfer);
        }
      } catch (e) {
        reply.error = errorInfo(e, (this.fetcher as Fetcher).index);
      }
    }
    try {
      this.port.postMessage(reply, transfer);
    } catch (e) {
      // a sample structured clone cannot copy (a function, a class instance with private state...)
      this.port.postMessage({ epoch: task.epoch, task: task.task, error: errorInfo(e, undefined) } satisfies Reply);
    }
  }
}

const setup = (workerData as Record<string, unknown> | null)?.[SETUP_KEY] as WorkerSetup | undefined;
if (parentPort !== null && setup !== undefined) new WorkerLoop(parentPort, setup);
