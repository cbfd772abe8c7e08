/**
 * tg.distributed's collectives on gloo, as torch.distributed's: every member of a group calls the
 * same ones in the same order. Tensors change in place: a contiguous tensor's memory goes to gloo as
 * it is, another is copied in and out. `{ asyncOp: true }` returns a Work instead of blocking.
 */
import { noGrad } from '../autograd/grad_mode';
import { DTypeError, ShapeError, shapeStr } from '../errors';
import { emptyTensor } from '../ops/common';
import { checkOptions, describeValue } from '../options';
import { isTensor, markWritten } from '../storage';
import type { Tensor } from '../tensor';
import { groupOf, localRank, ProcessGroup } from './group';
import type { GroupHandle } from './native';

/** How allReduce combines the ranks' values (torch.distributed.ReduceOp). */
export const ReduceOp = { SUM: 'sum', AVG: 'avg', PRODUCT: 'product', MIN: 'min', MAX: 'max' } as const;
export type ReduceOp = (typeof ReduceOp)[keyof typeof ReduceOp];
const OP_CODE: Record<string, number> = { sum: 0, avg: 0, product: 1, max: 2, min: 3 };

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

/** The options of the collectives: asyncOp returns a Work instead of blocking; group picks a group from newGroup(). */
export interface CollectiveOptions {
  asyncOp?: boolean;
  group?: ProcessGroup;
}
const GROUP = { test: (v: unknown) => v instanceof ProcessGroup, what: 'a process group from tg.distributed.newGroup()' };
const COLLECTIVE = { asyncOp: 'boolean', group: GROUP } as const;
type Member = ReturnType<typeof groupOf>;

/** The tensor as gloo takes it: contiguous itself, or a contiguous copy to write back. */
function buffer(fn: string, t: unknown): { t: Tensor; work: Tensor } {
  if (!isTensor(t)) throw new TypeError(`${fn}(): expected a Tensor, but got ${describeValue(t)}`);
  if (t.dtype === 'bool') throw new DTypeError(`${fn}(): bool tensors are not supported by gloo's collectives (float32, float64, int32, int64)`);
  return { t, work: t.isContiguous() ? t : t.contiguous() };
}

/** Runs the native call blocking or as a Work, then `after` (on this thread, once the data is there). */
function run(async: boolean, call: (a: boolean) => Promise<void> | void, after: () => void): Work | void {
  if (!async) {
    call(false);
    after();
    return;
  }
  return new Work((call(true) as Promise<void>).then(after));
}

/** The result written back into t (when a copy went to gloo) and t's version bumped. */
function written(t: Tensor, work: Tensor): void {
  noGrad(() => {
    if (work !== t) t.copy_(work);
    else markWritten(t);
  });
}

function sameAs(fn: string, x: unknown, t: Tensor, what: string): asserts x is Tensor {
  if (!isTensor(x) || x.dtype !== t.dtype || x.shape.length !== t.shape.length || x.shape.some((n, i) => n !== t.shape[i])) {
    throw new ShapeError(`${fn}(): ${what} must be ${t.dtype} tensors of shape ${shapeStr(t.shape)}`);
  }
}

/**
 * Reduces t across the group's ranks in place: every rank ends with the sum (or the product, min,
 * max, or the mean with ReduceOp.AVG) of all ranks' t.
 */
export function allReduce(t: Tensor, opts?: CollectiveOptions & { op?: ReduceOp }): Work | void {
  const o = checkOptions('allReduce', opts, { ...COLLECTIVE, op: 'string' });
  const g = groupOf('allReduce', o?.group);
  const op = o?.op ?? 'sum';
  if (!(op in OP_CODE)) throw new TypeError(`allReduce(): unknown op ${describeValue(op)} (tg.distributed.ReduceOp.SUM, AVG, PRODUCT, MIN or MAX)`);
  const { work } = buffer('allReduce', t);
  if (op === 'avg' && work.dtype !== 'float32' && work.dtype !== 'float64') throw new DTypeError(`allReduce(): ReduceOp.AVG needs a floating-point tensor, got ${work.dtype}`);
  const data = work._storage.data;
  return run(o?.asyncOp === true, (a) => g.addon.allreduce(g.handle, data, work._offset, work.numel(), OP_CODE[op], a), () => {
    if (op === 'avg') noGrad(() => work.div_(g.ranks.length));
    written(t, work);
  });
}

/** Copies rank src's t into every rank's t (src: a world rank). */
export function broadcast(t: Tensor, src: number, opts?: CollectiveOptions): Work | void {
  const o = checkOptions('broadcast', opts, COLLECTIVE);
  const g = groupOf('broadcast', o?.group);
  const root = localRank('broadcast', g, src, 'src');
  const { work } = buffer('broadcast', t);
  const data = work._storage.data;
  return run(o?.asyncOp === true, (a) => g.addon.broadcast(g.handle, data, work._offset, work.numel(), root, a), () => written(t, work));
}

/** Fills list with every rank's t (list[r] gets group rank r's), as torch.distributed.all_gather. */
export function allGather(list: Tensor[], t: Tensor, opts?: CollectiveOptions): Work | void {
  const o = checkOptions('allGather', opts, COLLECTIVE);
  const g = groupOf('allGather', o?.group);
  const n = g.ranks.length;
  if (!Array.isArray(list) || list.length !== n) throw new TypeError(`allGather(): expected a list of ${n} tensors (one per rank)`);
  const { work } = buffer('allGather', t);
  list.forEach((x) => sameAs('allGather', x, t, 'the tensors of the list'));
  const out = emptyTensor([n, ...t.shape], t.dtype);
  return gatherInto(g, o?.asyncOp === true, work, out, () => noGrad(() => list.forEach((x, r) => x.copy_(out.select(0, r)))));
}

/** Every rank's input, concatenated along dim 0 into output (worldSize times input's first dim), as all_gather_into_tensor. */
export function allGatherIntoTensor(output: Tensor, input: Tensor, opts?: CollectiveOptions): Work | void {
  const o = checkOptions('allGatherIntoTensor', opts, COLLECTIVE);
  const g = groupOf('allGatherIntoTensor', o?.group);
  const { work } = buffer('allGatherIntoTensor', input);
  const { work: out } = buffer('allGatherIntoTensor', output);
  if (out.dtype !== work.dtype || out.numel() !== work.numel() * g.ranks.length) {
    throw new ShapeError(`allGatherIntoTensor(): output must be ${work.dtype} with worldSize (${g.ranks.length}) times input's elements, got ${out.dtype} ${shapeStr(out.shape)}`);
  }
  return gatherInto(g, o?.asyncOp === true, work, out, () => written(output, out));
}

function gatherInto(g: Member, async: boolean, work: Tensor, out: Tensor, after: () => void): Work | void {
  const data = work._storage.data;
  return run(async, (a) => g.addon.allgather(g.handle, data, work._offset, work.numel(), out._storage.data, out._offset, out.numel(), a), after);
}

/** The sum (or op) of every rank's input, of which each rank keeps its part along dim 0, in output (reduce_scatter_tensor). */
export function reduceScatterTensor(output: Tensor, input: Tensor, opts?: CollectiveOptions & { op?: ReduceOp }): Work | void {
  const o = checkOptions('reduceScatterTensor', opts, { ...COLLECTIVE, op: 'string' });
  const g = groupOf('reduceScatterTensor', o?.group);
  const n = g.ranks.length;
  buffer('reduceScatterTensor', output);
  buffer('reduceScatterTensor', input);
  if (output.dtype !== input.dtype || input.numel() !== output.numel() * n) {
    throw new ShapeError(`reduceScatterTensor(): input must be ${output.dtype} with worldSize (${n}) times output's elements, got ${input.dtype} ${shapeStr(input.shape)}`);
  }
  // an allreduce of a copy, of which this rank keeps its part
  const whole = noGrad(() => input.contiguous().clone().reshape([n, -1]));
  const part = (): void => void noGrad(() => output.copy_(whole.select(0, g.groupRank).reshape(output.shape)));
  const done = allReduce(whole, { op: o?.op, group: o?.group, asyncOp: o?.asyncOp });
  if (done instanceof Work) return new Work(done.wait().then(part));
  part();
}

/** Collects every rank's t on rank dst into gatherList (given on dst only), as torch.distributed.gather. */
export function gather(t: Tensor, gatherList?: Tensor[] | null, dst = 0, opts?: CollectiveOptions): Work | void {
  const o = checkOptions('gather', opts, COLLECTIVE);
  const g = groupOf('gather', o?.group);
  const root = localRank('gather', g, dst, 'dst');
  const n = g.ranks.length, isRoot = g.groupRank === root;
  const { work } = buffer('gather', t);
  if (isRoot) {
    if (!Array.isArray(gatherList) || gatherList.length !== n) throw new TypeError(`gather(): rank ${dst} needs a gatherList of ${n} tensors`);
    gatherList.forEach((x) => sameAs('gather', x, t, 'the tensors of gatherList'));
  } else if (gatherList !== undefined && gatherList !== null && gatherList.length > 0) {
    throw new TypeError('gather(): gatherList is only given on the destination rank');
  }
  const out = emptyTensor(isRoot ? [n, ...t.shape] : [0], t.dtype);
  const data = work._storage.data;
  return run(o?.asyncOp === true, (a) => g.addon.gather(g.handle, data, work._offset, work.numel(), out._storage.data, 0, out.numel(), root, a), () => {
    if (isRoot) noGrad(() => (gatherList as Tensor[]).forEach((x, r) => x.copy_(out.select(0, r))));
  });
}

/** Sends scatterList[r] (given on src only) to rank r, into its t, as torch.distributed.scatter. */
export function scatter(t: Tensor, scatterList?: Tensor[] | null, src = 0, opts?: CollectiveOptions): Work | void {
  const o = checkOptions('scatter', opts, COLLECTIVE);
  const g = groupOf('scatter', o?.group);
  const root = localRank('scatter', g, src, 'src');
  const n = g.ranks.length, isRoot = g.groupRank === root;
  const { work } = buffer('scatter', t);
  let input = emptyTensor([0], t.dtype);
  if (isRoot) {
    if (!Array.isArray(scatterList) || scatterList.length !== n) throw new TypeError(`scatter(): rank ${src} needs a scatterList of ${n} tensors`);
    scatterList.forEach((x) => sameAs('scatter', x, t, 'the tensors of scatterList'));
    input = emptyTensor([n, ...t.shape], t.dtype);
    noGrad(() => scatterList.forEach((x, r) => input.select(0, r).copy_(x)));
  } else if (scatterList !== undefined && scatterList !== null && scatterList.length > 0) {
    throw new TypeError('scatter(): scatterList is only given on the source rank');
  }
  const data = input._storage.data;
  return run(o?.asyncOp === true, (a) => g.addon.scatter(g.handle, data, 0, input.numel(), work._storage.data, work._offset, work.numel(), root, a), () => written(t, work));
}

/** Sends t to rank dst, which receives it with recv(t, src); blocks until it has. The tag pairs them. */
export function send(t: Tensor, dst: number, opts?: CollectiveOptions & { tag?: number }): Work | void {
  return pointToPoint('send', t, dst, opts);
}

/** Receives into t what rank src sends with send(t, dst). */
export function recv(t: Tensor, src: number, opts?: CollectiveOptions & { tag?: number }): Work | void {
  return pointToPoint('recv', t, src, opts);
}

/** send without blocking: a Work. */
export function isend(t: Tensor, dst: number, opts?: { group?: ProcessGroup; tag?: number }): Work {
  return pointToPoint('send', t, dst, { ...opts, asyncOp: true }) as Work;
}

/** recv without blocking: a Work. */
export function irecv(t: Tensor, src: number, opts?: { group?: ProcessGroup; tag?: number }): Work {
  return pointToPoint('recv', t, src, { ...opts, asyncOp: true }) as Work;
}

function pointToPoint(fn: 'send' | 'recv', t: Tensor, peer: number, opts?: CollectiveOptions & { tag?: number }): Work | void {
  const o = checkOptions(fn, opts, { ...COLLECTIVE, tag: 'number' });
  const g = groupOf(fn, o?.group);
  const other = localRank(fn, g, peer, fn === 'send' ? 'dst' : 'src');
  if (other === g.groupRank) throw new RangeError(`${fn}(): a rank cannot ${fn === 'send' ? 'send to' : 'receive from'} itself`);
  const tag = o?.tag ?? 0;
  if (!Number.isInteger(tag) || tag < 0 || tag >= 2 ** 40) throw new RangeError(`${fn}(): tag must be an integer in [0, 2^40), got ${tag}`);
  const { work } = buffer(fn, t);
  if (fn === 'send' && work !== t) noGrad(() => work.copy_(t));
  const data = work._storage.data;
  return run(o?.asyncOp === true, (a) => g.addon[fn](g.handle, data, work._offset, work.numel(), other, tag, a), () => {
    if (fn === 'recv') written(t, work);
  });
}

/** Waits until every rank of the group has reached this barrier. */
export function barrier(opts?: CollectiveOptions): Work | void {
  const o = checkOptions('barrier', opts, COLLECTIVE);
  const g = groupOf('barrier', o?.group);
  return run(o?.asyncOp === true, (a) => g.addon.barrier(g.handle, a), () => undefined);
}

/**
 * @internal For DistributedDataParallel: starts a SUM allreduce of a contiguous tensor on the
 * default group's thread and returns the function that waits for it (blocking) and marks the
 * tensor written. Backward goes on meanwhile.
 */
export function startAllReduce(t: Tensor): () => void {
  const g = groupOf('DistributedDataParallel');
  const handle = g.addon.allreduce(g.handle, t._storage.data, t._offset, t.numel(), OP_CODE.sum, 2 as never) as unknown as GroupHandle;
  return () => {
    g.addon.waitJob(handle);
    markWritten(t);
  };
}
