/**
 * nn.parallel.DistributedDataParallel: data-parallel training over tg.distributed's default group,
 * as PyTorch's DDP does it. The parameters (and buffers) start as rank 0's; gradients are packed
 * into buckets (in reverse parameter order, the first capped at 1 MB, the others at bucketCapMB),
 * and each bucket is averaged across the ranks by an allreduce started as soon as backward has
 * produced all of its gradients, on the process group's thread, while backward goes on. When
 * backward ends the averages are in every parameter's .grad.
 */
import { queueCallback } from '../autograd/engine';
import { guarded, noGrad, type GradModeGuard } from '../autograd/grad_mode';
import { broadcast as broadcastTensor, startAllReduce } from '../distributed/collectives';
import { getWorldSize, isInitialized } from '../distributed/group';
import { emptyTensor } from '../ops/common';
import { checkOptions } from '../options';
import type { Tensor } from '../tensor';
import { Module } from './module';

/** The options of DistributedDataParallel (PyTorch's). */
export interface DDPOptions {
  /** Bucket size in MiB (default 25; the first bucket is 1 MiB). */
  bucketCapMB?: number;
  /** Reduce parameters that got no gradient in a backward pass as zeros, instead of failing. Default false. */
  findUnusedParameters?: boolean;
  /** Give every rank rank 0's buffers before each forward. Default true. */
  broadcastBuffers?: boolean;
}

interface Bucket {
  params: Tensor[];
  offsets: number[];
  flat: Tensor;
  ready: boolean[];
  count: number;
  wait: (() => void) | null;
}

const FIRST_BUCKET_BYTES = 1024 * 1024;

/**
 * Wraps a module for data-parallel training across the ranks of the default process group:
 * call it as the module (`ddp(x)`), then backward and the optimizer step as usual.
 * @example
 * tg.distributed.initProcessGroup();
 * const model = new tg.nn.parallel.DistributedDataParallel(new Net());
 * model(x).sum().backward(); // every rank's .grad is now the average over the ranks
 */
export class DistributedDataParallel<M extends Module = Module> extends Module {
  readonly module: M;
  /** @internal */ private readonly buckets: Bucket[];
  /** @internal */ private readonly where = new Map<Tensor, [number, number]>();
  /** @internal */ private readonly findUnused: boolean;
  /** @internal */ private readonly syncBuffers: boolean;
  /** @internal */ private syncing = true;
  /** @internal */ private running = false;
  /** @internal */ private next = 0;

  constructor(module: M, opts?: DDPOptions) {
    super();
    if (!(module instanceof Module)) throw new TypeError('DistributedDataParallel(): expected an nn.Module to wrap');
    const o = checkOptions('DistributedDataParallel', opts, { bucketCapMB: 'number', findUnusedParameters: 'boolean', broadcastBuffers: 'boolean' });
    if (!isInitialized()) throw new Error('DistributedDataParallel(): the default process group has not been initialized; call tg.distributed.initProcessGroup() first');
    const capMB = o?.bucketCapMB ?? 25;
    if (!(capMB > 0)) throw new RangeError(`DistributedDataParallel(): bucketCapMB must be positive, got ${capMB}`);
    this.module = module;
    this.findUnused = o?.findUnusedParameters ?? false;
    this.syncBuffers = o?.broadcastBuffers ?? true;
    // every rank starts from rank 0's parameters and buffers
    noGrad(() => {
      for (const p of module.parameters()) broadcastTensor(p, 0);
      for (const b of module.buffers()) broadcastTensor(b, 0);
    });
    this.buckets = this.makeBuckets([...module.parameters()].filter((p) => p.requiresGrad), capMB * 1024 * 1024);
    this.buckets.forEach((b, i) => b.params.forEach((p, k) => {
      this.where.set(p, [i, k]);
      p.registerPostAccumulateGradHook(() => this.ready(p));
    }));
  }

  /**
   * Calls the wrapped module, with its hooks (after giving every rank rank 0's buffers, unless
   * broadcastBuffers is false): `ddp(x)` takes and returns what the module does.
   */
  override forward(...args: Parameters<M['forward']>): ReturnType<M['forward']> {
    if (this.syncBuffers && getWorldSize() > 1) noGrad(() => { for (const b of this.module.buffers()) broadcastTensor(b, 0); });
    return this.module(...args);
  }

  /**
   * Gradients of the backward passes run in fn (or until the returned guard's exit()) are kept
   * local, for gradient accumulation; the next synchronized backward averages them all.
   */
  noSync(): GradModeGuard;
  noSync<T>(fn: () => T): T;
  noSync<T>(fn?: () => T): T | GradModeGuard {
    return guarded(() => {
      const before = this.syncing;
      this.syncing = false;
      return () => {
        this.syncing = before;
      };
    }, fn);
  }

  /** Buckets of parameters in reverse order, one dtype each, the first up to 1 MB and the rest up to cap bytes. */
  private makeBuckets(params: Tensor[], cap: number): Bucket[] {
    const out: Bucket[] = [];
    const open = new Map<string, { params: Tensor[]; bytes: number }>();
    const close = (dtype: string) => {
      const b = open.get(dtype);
      if (b === undefined || b.params.length === 0) return;
      const offsets: number[] = [];
      let n = 0;
      for (const p of b.params) {
        offsets.push(n);
        n += p.numel();
      }
      out.push({ params: b.params, offsets, flat: emptyTensor([n], b.params[0].dtype, true), ready: b.params.map(() => false), count: 0, wait: null });
      open.delete(dtype);
    };
    for (const p of [...params].reverse()) {
      const b = open.get(p.dtype) ?? { params: [], bytes: 0 };
      open.set(p.dtype, b);
      b.params.push(p);
      b.bytes += p.numel() * p.elementSize();
      if (b.bytes >= (out.length === 0 ? FIRST_BUCKET_BYTES : cap)) close(p.dtype);
    }
    for (const dtype of [...open.keys()]) close(dtype);
    return out;
  }

  /** A parameter's gradient is in its .grad: copy it into its bucket, and start the buckets that are complete, in order. */
  private ready(p: Tensor): void {
    if (!this.syncing) return;
    if (!this.running) {
      this.running = true;
      queueCallback(() => this.finish());
    }
    const [i, k] = this.where.get(p) as [number, number];
    const b = this.buckets[i];
    if (b.ready[k]) return; // a second gradient in one pass: already counted (its .grad is read at the end)
    b.ready[k] = true;
    b.count++;
    if (b.count === b.params.length) this.launchReady();
  }

  /** Starts the allreduce of each complete bucket from the next one on: every rank starts them in the same order. */
  private launchReady(): void {
    while (this.next < this.buckets.length && this.buckets[this.next].count === this.buckets[this.next].params.length) {
      this.launch(this.buckets[this.next]);
      this.next++;
    }
  }

  private launch(b: Bucket): void {
    const n = getWorldSize();
    noGrad(() => {
      b.params.forEach((p, k) => {
        const slot = b.flat.narrow(0, b.offsets[k], p.numel());
        if (p.grad === null) slot.zero_();
        else slot.copy_(p.grad.reshape(-1));
      });
      b.flat.div_(n); // each rank's share of the average, as PyTorch's default allreduce hook
    });
    b.wait = startAllReduce(b.flat);
  }

  /** At the end of backward: the buckets still waiting (unused parameters), then every average into .grad. */
  private finish(): void {
    this.running = false;
    if (this.next < this.buckets.length) {
      const missing = this.buckets.slice(this.next).flatMap((b) => b.params.filter((_, k) => !b.ready[k]));
      if (!this.findUnused) {
        this.reset();
        throw new Error(
          `DistributedDataParallel: ${missing.length} parameter(s) got no gradient in this backward pass, so their gradients cannot be reduced. ` +
            'This happens when the module has parameters not used in producing the loss. Pass { findUnusedParameters: true } to reduce them as zeros, ' +
            'or make sure every forward output takes part in the loss.',
        );
      }
      for (const b of this.buckets.slice(this.next)) {
        b.count = b.params.length;
        b.ready.fill(true);
      }
      this.launchReady();
    }
    try {
      for (const b of this.buckets) (b.wait as () => void)();
      noGrad(() => {
        for (const b of this.buckets) {
          b.params.forEach((p, k) => {
            const avg = b.flat.narrow(0, b.offsets[k], p.numel()).view(p.shape);
            if (p.grad === null) p.grad = avg.clone();
            else p.grad.copy_(avg);
          });
        }
      });
    } finally {
      this.reset();
    }
  }

  private reset(): void {
    this.next = 0;
    for (const b of this.buckets) {
      b.ready.fill(false);
      b.count = 0;
      b.wait = null;
    }
  }
}
