/**
 * A DataLoader's iterator over worker threads, as PyTorch's _MultiProcessingDataLoaderIter: the
 * main thread draws the index lists from the sampler and hands them out round-robin, at most
 * prefetchFactor tasks per worker in flight; each worker (worker_loop.ts) loads and collates its
 * batches; batches come out in task order, so in the order of numWorkers 0.
 *
 * Workers are unref'd except while the main thread waits for a batch: an abandoned iterator, or
 * persistent workers between epochs, never keep the process alive.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SamplerLike } from './sampler';
import { SETUP_KEY, type ErrorInfo, type Reply, type Task, type WorkerSetup } from './transfer';

export interface WorkerIterConfig {
  numWorkers: number;
  prefetchFactor: number;
  persistent: boolean;
  /** Seconds to wait for a batch before giving up; 0: forever. */
  timeout: number;
  /** What every worker is started with, but its id. */
  setup: Omit<WorkerSetup, 'workerId'>;
  indexSampler: SamplerLike<unknown>;
  /** Makes the batch the user gets of what a worker sent (rebuilds tensors, runs a collateFn). */
  finish: (value: unknown) => unknown;
}

/** The worker's entry point: beside this file once compiled; from the TypeScript sources (the tests), the compiled one. */
function entryPoint(): string {
  const candidates = [join(__dirname, 'worker_loop.js'), join(__dirname, '..', '..', 'dist', 'utils', 'worker_loop.js')];
  const found = candidates.find((f) => existsSync(f));
  if (found === undefined) throw new Error(`DataLoader: the worker entry point worker_loop.js is missing (looked in ${candidates.join(', ')}); build with npm run build:ts`);
  return found;
}

const ERROR_CLASSES: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/** The error of a task, rethrown in the main thread: its class, naming the worker and the index. */
function workerError(info: ErrorInfo, worker: number): Error {
  const where = info.index === undefined ? '' : info.index === null ? ' while iterating the dataset' : ` while loading index ${info.index}`;
  const original = Object.assign(new Error(info.message), { name: info.name, stack: info.stack });
  const Ctor = ERROR_CLASSES[info.name] ?? Error;
  const stack = info.stack === undefined ? '' : `\nOriginal stack in the worker:\n${info.stack}`;
  return new Ctor(`Caught ${info.name} in DataLoader worker ${worker}${where}: ${info.message}${stack}`, { cause: original });
}

type Arrival = Reply & { worker: number };

export class WorkerIterator<B> implements AsyncIterableIterator<B> {
  private readonly workers: Worker[] = [];
  /** Workers told to stop (their iterable dataset ended): their exit is no failure. */
  private readonly stopped: boolean[];
  /** Whether each worker still has batches this epoch. */
  private active: boolean[] = [];
  private sendIdx = 0;
  private rcvdIdx = 0;
  /** Tasks sent and not yet yielded: their worker, and their reply once it came out of order. */
  private tasks = new Map<number, { worker: number; reply?: Arrival }>();
  private nextWorker = 0;
  private sampler: Iterator<unknown> | null = null;
  private epoch = 0;
  private arrivals: Arrival[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private finished = false;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly cfg: WorkerIterConfig) {
    const entry = entryPoint();
    this.stopped = new Array<boolean>(cfg.numWorkers).fill(false);
    for (let id = 0; id < cfg.numWorkers; id++) {
      const setup: WorkerSetup = { ...cfg.setup, workerId: id };
      const w = new Worker(entry, { workerData: { [SETUP_KEY]: setup } });
      w.unref();
      w.on('message', (reply: Reply) => this.arrive(reply, id));
      w.on('error', (e: Error) => this.fail(new Error(`DataLoader worker ${id} failed: ${e.message}`, { cause: e })));
      w.on('exit', (code: number) => {
        if (!this.closed && !this.stopped[id]) this.fail(new Error(`DataLoader worker ${id} exited unexpectedly with exit code ${code}`));
      });
      this.workers.push(w);
    }
    this.reset(true);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Whether its workers still run (persistent workers serve the next epoch through reset()). */
  get alive(): boolean {
    return !this.closed && this.failure === null;
  }

  /** Starts an epoch: a fresh pass of the sampler, the first prefetchFactor tasks of each worker sent. */
  reset(first = false): void {
    this.sampler = this.cfg.indexSampler[Symbol.iterator]();
    this.sendIdx = this.rcvdIdx = this.nextWorker = 0;
    this.tasks.clear();
    this.arrivals = [];
    this.active = new Array<boolean>(this.cfg.numWorkers).fill(true);
    this.finished = false;
    if (!first) {
      // replies to the previous epoch's tasks still in flight carry its number and are dropped
      this.epoch++;
      for (const w of this.workers) w.postMessage({ type: 'reset', epoch: this.epoch } satisfies Task);
    }
    for (let k = 0; k < this.cfg.prefetchFactor * this.cfg.numWorkers; k++) this.tryPutIndex();
  }

  /** The next batch; calls made before the last one settled wait their turn. */
  next(): Promise<IteratorResult<B>> {
    const result = this.queue.then(() => this.step());
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async step(): Promise<IteratorResult<B>> {
    if (this.finished) return { done: true, value: undefined };
    try {
      for (;;) {
        // skip tasks of workers whose iterable dataset ended: no reply will come for them
        while (this.rcvdIdx < this.sendIdx) {
          const info = this.tasks.get(this.rcvdIdx);
          if (info !== undefined && (info.reply !== undefined || this.active[info.worker])) break;
          this.tasks.delete(this.rcvdIdx++);
        }
        if (this.rcvdIdx >= this.sendIdx) {
          await this.end();
          return { done: true, value: undefined };
        }
        const waiting = this.tasks.get(this.rcvdIdx) as { worker: number; reply?: Arrival };
        if (waiting.reply !== undefined) return this.yieldTask(waiting.reply);
        const a = await this.getData();
        if (a.end === true) {
          this.active[a.worker] = false;
          if (!this.cfg.persistent) {
            this.stopped[a.worker] = true;
            this.workers[a.worker].postMessage({ type: 'stop' } satisfies Task);
          }
          this.tryPutIndex();
        } else if (a.task === this.rcvdIdx) {
          return this.yieldTask(a);
        } else {
          const info = this.tasks.get(a.task);
          if (info !== undefined) info.reply = a;
        }
      }
    } catch (e) {
      this.finished = true;
      if (!this.cfg.persistent || this.failure !== null) await this.close();
      throw e;
    }
  }

  /** Ends the iteration early (a break out of for await): non-persistent workers are terminated. */
  async return(): Promise<IteratorResult<B>> {
    await this.end();
    return { done: true, value: undefined };
  }

  /** Terminates the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.finished = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private async end(): Promise<void> {
    this.finished = true;
    if (!this.cfg.persistent) await this.close();
  }

  private yieldTask(a: Arrival): IteratorResult<B> {
    this.tasks.delete(this.rcvdIdx++);
    this.tryPutIndex(); // before the batch is used, as PyTorch: the sampler's draws come at the same points
    if (a.error !== undefined) throw workerError(a.error, a.worker);
    return { done: false, value: this.cfg.finish(a.value) as B };
  }

  /** Sends the sampler's next index list to the next active worker, round-robin. */
  private tryPutIndex(): void {
    const r = (this.sampler as Iterator<unknown>).next();
    if (r.done === true) return;
    const n = this.cfg.numWorkers;
    for (let k = 0; k < n; k++) {
      const w = this.nextWorker;
      this.nextWorker = (w + 1) % n;
      if (!this.active[w]) continue;
      this.workers[w].postMessage({ type: 'fetch', epoch: this.epoch, task: this.sendIdx, index: r.value } satisfies Task);
      this.tasks.set(this.sendIdx++, { worker: w });
      return;
    }
  }

  private arrive(reply: Reply, worker: number): void {
    if (reply.epoch !== this.epoch || this.closed) return;
    this.arrivals.push({ ...reply, worker });
    this.wake?.();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake?.();
  }

  /** The next reply of any worker; an error if a worker died or the timeout passed first. */
  private async getData(): Promise<Arrival> {
    for (;;) {
      const a = this.arrivals.shift();
      if (a !== undefined) return a;
      if (this.failure !== null) throw this.failure;
      await this.waitForWorkers();
    }
  }

  private waitForWorkers(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // referenced while waiting: the process stays alive for the batch it awaits
      for (const w of this.workers) w.ref();
      let timer: NodeJS.Timeout | undefined;
      const settle = (): void => {
        clearTimeout(timer);
        this.wake = null;
        for (const w of this.workers) w.unref();
      };
      this.wake = () => {
        settle();
        resolve();
      };
      if (this.cfg.timeout > 0) {
        timer = setTimeout(() => {
          settle();
          reject(new Error(`DataLoader timed out after ${this.cfg.timeout} seconds`));
        }, this.cfg.timeout * 1000);
      }
    });
  }
}
