/**
 * tg.distributed: torch.distributed's process groups and collectives over gloo, the collective
 * library PyTorch itself uses on CPU. The collectives run in the distributed addon
 * (native/distributed), built where gloo is installed; it is loaded the first time a group is made.
 *
 * Every rank calls the same collectives in the same order. Tensors are changed in place: a
 * contiguous tensor's memory goes to gloo as it is; another is copied in and out.
 * @example
 * // launched with MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE set (tensorgrad-run or torchrun)
 * tg.distributed.initProcessGroup({ backend: 'gloo' });
 * const t = tg.ones(3).mul(tg.distributed.getRank());
 * tg.distributed.allReduce(t); // every rank now holds the sum
 */
import { hostname } from 'node:os';
import { noGrad } from '../autograd/grad_mode';
import { DTypeError, ShapeError, shapeStr } from '../errors';
import { emptyTensor } from '../ops/common';
import { checkOptions, describeValue } from '../options';
import { isTensor, markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { loadDistributed, type DistributedNative, type GroupHandle } from './native';

/** How allReduce combines the ranks' values (torch.distributed.ReduceOp). */
export const ReduceOp = { SUM: 'sum', AVG: 'avg', PRODUCT: 'product', MIN: 'min', MAX: 'max' } as const;
export type ReduceOp = (typeof ReduceOp)[keyof typeof ReduceOp];
const OP_CODE: Record<string, number> = { sum: 0, avg: 0, product: 1, max: 2, min: 3 };

/** The options of initProcessGroup (torch.distributed.init_process_group's). */
export interface InitOptions {
  /** 'gloo', the only backend (PyTorch's CPU backend). */
  backend?: 'gloo';
  /** 'env://' (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE), 'tcp://host:port' or 'file:///path'. Default 'env://'. */
  initMethod?: string;
  rank?: number;
  worldSize?: number;
  /** How long (milliseconds) a rank waits for the others, in the rendezvous and in each collective. Default 30 minutes. */
  timeout?: number;
}

/** An asynchronous collective's handle (torch.distributed.Work): `await work.wait()`, or `await work` itself. */
export class Work implements PromiseLike<void> {
  private done = false;
  /** @internal */
  constructor(private readonly promise: Promise<void>) {
    promise.then(() => { this.done = true; }, () => { this.done = true; });
  }
  /** Resolves when the collective has finished on this rank (rejects with its error). */
  wait(): Promise<void> {
    return this.promise;
  }
  isCompleted(): boolean {
    return this.done;
  }
  then<A = void, B = never>(ok?: ((v: void) => A | PromiseLike<A>) | null, fail?: ((e: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B> {
    return this.promise.then(ok, fail);
  }
}

interface Group {
  native: DistributedNative;
  handle: GroupHandle;
  rank: number;
  size: number;
}
let world: Group | null = null;

function current(fn: string): Group {
  if (world === null) throw new Error(`${fn}(): the default process group has not been initialized; call tg.distributed.initProcessGroup() first`);
  return world;
}

const INIT_SPEC = { backend: 'string', initMethod: 'string', rank: 'number', worldSize: 'number', timeout: 'number' } as const;

function envInt(name: string, given: number | undefined): number {
  if (given !== undefined) return given;
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`initProcessGroup(): environment variable ${name} expected, but not set (env:// reads MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE, as torchrun and tensorgrad-run set them)`);
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`initProcessGroup(): environment variable ${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1';
}

/**
 * Joins the default process group: every rank blocks here until all worldSize ranks have arrived
 * (or the timeout passes). Rank 0 serves the rendezvous store for tcp:// and env://.
 */
export function initProcessGroup(opts: InitOptions = {}): void {
  checkOptions('initProcessGroup', opts, INIT_SPEC);
  if (world !== null) throw new Error('initProcessGroup(): trying to initialize the default process group twice!');
  const backend = opts.backend ?? 'gloo';
  if (backend !== 'gloo') throw new Error(`initProcessGroup(): backend ${describeValue(backend)} is not available: tensorgrad runs collectives on gloo (backend: 'gloo')`);
  const method = opts.initMethod ?? 'env://';
  const timeout = opts.timeout ?? 1_800_000;
  if (!(timeout > 0) || !Number.isFinite(timeout)) throw new RangeError(`initProcessGroup(): timeout must be a positive number of milliseconds, got ${timeout}`);
  let store: 'tcp' | 'file', host = '', port = 0, path = '';
  let rank: number, size: number;
  if (method === 'env://') {
    host = process.env.MASTER_ADDR ?? '';
    if (host === '') throw new Error('initProcessGroup(): environment variable MASTER_ADDR expected, but not set');
    port = envInt('MASTER_PORT', undefined);
    rank = envInt('RANK', opts.rank);
    size = envInt('WORLD_SIZE', opts.worldSize);
    store = 'tcp';
  } else if (method.startsWith('tcp://')) {
    const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(method);
    if (m === null) throw new TypeError(`initProcessGroup(): initMethod ${JSON.stringify(method)} is not tcp://host:port`);
    [host, port] = [m[1].replace(/^\[|\]$/g, ''), Number(m[2])];
    if (opts.rank === undefined || opts.worldSize === undefined) throw new TypeError('initProcessGroup(): tcp:// needs { rank, worldSize }');
    [rank, size, store] = [opts.rank, opts.worldSize, 'tcp'];
  } else if (method.startsWith('file://')) {
    path = method.slice('file://'.length);
    if (path === '') throw new TypeError('initProcessGroup(): file:// needs a path, as file:///tmp/rendezvous');
    if (opts.rank === undefined || opts.worldSize === undefined) throw new TypeError('initProcessGroup(): file:// needs { rank, worldSize }');
    [rank, size, store] = [opts.rank, opts.worldSize, 'file'];
  } else {
    throw new TypeError(`initProcessGroup(): unknown initMethod ${JSON.stringify(method)} (env://, tcp://host:port or file:///path)`);
  }
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`initProcessGroup(): worldSize must be a positive integer, got ${size}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= size) throw new RangeError(`initProcessGroup(): rank must be an integer in [0, ${size}), got ${rank}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`initProcessGroup(): port must be in [0, 65535], got ${port}`);
  const native = loadDistributed();
  const iface = process.env.GLOO_SOCKET_IFNAME ?? '';
  const handle = native.createGroup({
    rank, size, timeoutMs: Math.ceil(timeout), store, host, port, serve: store === 'tcp' && rank === 0, path, prefix: 'default',
    iface, hostname: isLoopback(host) || store === 'file' ? '127.0.0.1' : hostname(),
  });
  world = { native, handle, rank, size };
}

export function isInitialized(): boolean {
  return world !== null;
}

/** Whether tg.distributed can run here: the distributed addon is built and loads. */
export function isAvailable(): boolean {
  try {
    loadDistributed();
    return true;
  } catch {
    return false;
  }
}

export function getRank(): number {
  return current('getRank').rank;
}

export function getWorldSize(): number {
  return current('getWorldSize').size;
}

export function getBackend(): 'gloo' {
  current('getBackend');
  return 'gloo';
}

/** Leaves the default process group; collectives still queued finish first. */
export function destroyProcessGroup(): void {
  const g = current('destroyProcessGroup');
  world = null;
  g.native.destroy(g.handle);
}

/** The options of the collectives: asyncOp returns a Work instead of blocking. */
export interface CollectiveOptions {
  asyncOp?: boolean;
}
const COLLECTIVE = { asyncOp: 'boolean' } as const;

/** The tensor as the addon takes it: its storage, offset and count, contiguous (else a copy to write back). */
function buffer(fn: string, t: unknown): { t: Tensor; work: Tensor } {
  if (!isTensor(t)) throw new TypeError(`${fn}(): expected a Tensor, but got ${describeValue(t)}`);
  if (t.dtype === 'bool') throw new DTypeError(`${fn}(): bool tensors are not supported by gloo's collectives (float32, float64, int32, int64)`);
  return { t, work: t.isContiguous() ? t : t.contiguous() };
}

function run(fn: string, g: Group, async: boolean, call: (a: boolean) => Promise<void> | void, after: () => void): Work | void {
  if (!async) {
    call(false);
    after();
    return;
  }
  const p = (call(true) as Promise<void>).then(after);
  return new Work(p);
}

/** The result written back into t (when a copy went to gloo) and t's version bumped. */
function written(t: Tensor, work: Tensor): void {
  noGrad(() => {
    if (work !== t) t.copy_(work);
    else markWritten(t);
  });
}

/**
 * Reduces t across all ranks in place: every rank ends with the sum (or the product, min, max, or
 * the mean with ReduceOp.AVG) of all ranks' t.
 */
export function allReduce(t: Tensor, opts?: CollectiveOptions & { op?: ReduceOp }): Work | void {
  const g = current('allReduce');
  const o = checkOptions('allReduce', opts, { ...COLLECTIVE, op: 'string' });
  const op = o?.op ?? 'sum';
  if (!(op in OP_CODE)) throw new TypeError(`allReduce(): unknown op ${describeValue(op)} (tg.distributed.ReduceOp.SUM, AVG, PRODUCT, MIN or MAX)`);
  const { work } = buffer('allReduce', t);
  if (op === 'avg' && work.dtype !== 'float32' && work.dtype !== 'float64') throw new DTypeError(`allReduce(): ReduceOp.AVG needs a floating-point tensor, got ${work.dtype}`);
  const data = work._storage.data;
  return run('allReduce', g, o?.asyncOp === true, (a) => g.native.allreduce(g.handle, data, work._offset, work.numel(), OP_CODE[op], a), () => {
    if (op === 'avg') noGrad(() => work.div_(g.size));
    written(t, work);
  });
}

/** Copies rank src's t into every rank's t. */
export function broadcast(t: Tensor, src: number, opts?: CollectiveOptions): Work | void {
  const g = current('broadcast');
  const o = checkOptions('broadcast', opts, COLLECTIVE);
  if (!Number.isInteger(src) || src < 0 || src >= g.size) throw new RangeError(`broadcast(): src must be a rank in [0, ${g.size}), got ${src}`);
  const { work } = buffer('broadcast', t);
  const data = work._storage.data;
  return run('broadcast', g, o?.asyncOp === true, (a) => g.native.broadcast(g.handle, data, work._offset, work.numel(), src, a), () => written(t, work));
}

/** Fills list with every rank's t (list[r] gets rank r's), as torch.distributed.all_gather. */
export function allGather(list: Tensor[], t: Tensor, opts?: CollectiveOptions): Work | void {
  const g = current('allGather');
  const o = checkOptions('allGather', opts, COLLECTIVE);
  if (!Array.isArray(list) || list.length !== g.size) throw new TypeError(`allGather(): expected a list of ${g.size} tensors (one per rank)`);
  const { work } = buffer('allGather', t);
  for (const x of list) {
    if (!isTensor(x) || x.dtype !== t.dtype || x.shape.length !== t.shape.length || x.shape.some((n, i) => n !== t.shape[i])) {
      throw new ShapeError(`allGather(): every tensor of the list must be ${t.dtype} of shape ${shapeStr(t.shape)}`);
    }
  }
  const out = emptyTensor([g.size, ...t.shape], t.dtype);
  const data = work._storage.data;
  return run('allGather', g, o?.asyncOp === true, (a) => g.native.allgather(g.handle, data, work._offset, work.numel(), out._storage.data, 0, out.numel(), a), () => {
    noGrad(() => list.forEach((x, r) => x.copy_(out.select(0, r))));
  });
}

/** Waits until every rank has reached this barrier. */
export function barrier(opts?: CollectiveOptions): Work | void {
  const g = current('barrier');
  const o = checkOptions('barrier', opts, COLLECTIVE);
  return run('barrier', g, o?.asyncOp === true, (a) => g.native.barrier(g.handle, a), () => undefined);
}

/**
 * @internal For DistributedDataParallel: starts a SUM allreduce of a contiguous tensor on the
 * default group's thread and returns the function that waits for it (blocking) and marks the
 * tensor written. Backward goes on meanwhile.
 */
export function startAllReduce(t: Tensor): () => void {
  const g = current('DistributedDataParallel');
  const handle = g.native.allreduce(g.handle, t._storage.data, t._offset, t.numel(), OP_CODE.sum, 2 as never) as unknown as GroupHandle;
  return () => {
    g.native.waitJob(handle);
    markWritten(t);
  };
}
