/**
 * tg.distributed's process groups: joining the default one (initProcessGroup), making others over
 * some of its ranks (newGroup), and what a rank is in each. The collectives are in collectives.ts.
 */
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { checkOptions, describeValue } from '../options';
import { loadDistributed, type DistributedNative, type GroupHandle } from './native';

/** The options of initProcessGroup (torch.distributed.init_process_group's). */
export interface InitOptions {
  /** 'gloo', the only backend (PyTorch's CPU backend). */
  backend?: 'gloo';
  /**
   * 'env://' (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE), 'tcp://host:port', or 'file:///dir': a
   * directory the ranks of one machine meet in (made where missing). Default 'env://'.
   */
  initMethod?: string;
  rank?: number;
  worldSize?: number;
  /** How long (milliseconds) a rank waits for the others, in the rendezvous and in each collective. Default 30 minutes. */
  timeout?: number;
}

/**
 * A process group: some of the world's ranks, with collectives of their own (torch.distributed's
 * ProcessGroup). newGroup() makes one; collectives take it as `{ group }`.
 */
export class ProcessGroup {
  /** @internal */
  constructor(
    /** @internal */ readonly addon: DistributedNative | null,
    /** @internal */ readonly handle: GroupHandle | null,
    /** This process's rank in the group (-1 when it is not a member). */
    readonly groupRank: number,
    /** The world ranks of the members, in group-rank order. */
    readonly ranks: readonly number[],
  ) {}
  /** This process's rank in the group. */
  rank(): number {
    return this.groupRank;
  }
  /** How many ranks the group has. */
  size(): number {
    return this.ranks.length;
  }
}

/** How the default group was reached, for newGroup's connections. */
interface Rendezvous {
  store: 'tcp' | 'file';
  host: string;
  port: number;
  path: string;
  timeout: number;
  hostname: string;
  iface: string;
}

let world: ProcessGroup | null = null;
let rendezvous: Rendezvous | null = null;
let groupsMade = 0;

/** @internal The group a call acts on: the one given, else the default one; a clear error when there is none or this rank is not in it. */
export function groupOf(fn: string, group?: ProcessGroup): ProcessGroup & { addon: DistributedNative; handle: GroupHandle } {
  if (world === null) throw new Error(`${fn}(): the default process group has not been initialized; call tg.distributed.initProcessGroup() first`);
  const g = group ?? world;
  if (!(g instanceof ProcessGroup)) throw new TypeError(`${fn}(): { group } must be a process group from tg.distributed.newGroup()`);
  if (g.addon === null || g.handle === null) throw new Error(`${fn}(): this rank is not a member of the group (ranks ${JSON.stringify(g.ranks)})`);
  return g as ProcessGroup & { addon: DistributedNative; handle: GroupHandle };
}

/** @internal A world rank's rank in g (a RangeError when it is not a member). */
export function localRank(fn: string, g: ProcessGroup, worldRank: number, what: string): number {
  const r = g.ranks.indexOf(worldRank);
  if (!Number.isInteger(worldRank) || r < 0) throw new RangeError(`${fn}(): ${what} must be a rank of the group (${JSON.stringify(g.ranks)}), got ${worldRank}`);
  return r;
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
    fileRendezvous(path);
  } else {
    throw new TypeError(`initProcessGroup(): unknown initMethod ${JSON.stringify(method)} (env://, tcp://host:port or file:///path)`);
  }
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`initProcessGroup(): worldSize must be a positive integer, got ${size}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= size) throw new RangeError(`initProcessGroup(): rank must be an integer in [0, ${size}), got ${rank}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`initProcessGroup(): port must be in [0, 65535], got ${port}`);
  const native = loadDistributed();
  const iface = process.env.GLOO_SOCKET_IFNAME ?? '';
  const bind = isLoopback(host) || store === 'file' ? '127.0.0.1' : hostname();
  const handle = native.createGroup({
    rank, size, timeoutMs: Math.ceil(timeout), store, host, port, serve: store === 'tcp' && rank === 0, path, prefix: 'default', iface, hostname: bind,
  });
  world = new ProcessGroup(native, handle, rank, Array.from({ length: size }, (_, r) => r));
  rendezvous = { store, host, port, path, timeout, hostname: bind, iface };
  groupsMade = 0;
}

/** The directory file:// rendezvous through: made where missing, as PyTorch makes its file. */
function fileRendezvous(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new Error(`initProcessGroup(): file://${dir} names the directory the ranks meet in, and it cannot be made (${(e as Error).message})`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new Error(`initProcessGroup(): file://${dir} names the directory the ranks meet in, but it is a file`);
}

/**
 * A group of some of the world's ranks (all of them when not given), as torch.distributed.new_group:
 * every rank must call it, members and not; a non-member gets a group it cannot use.
 */
export function newGroup(ranks?: readonly number[], opts?: { timeout?: number }): ProcessGroup {
  const w = groupOf('newGroup');
  const o = checkOptions('newGroup', opts, { timeout: 'number' });
  const members = ranks === undefined ? [...w.ranks] : [...ranks];
  if (!members.every((r) => Number.isInteger(r) && r >= 0 && r < w.ranks.length) || new Set(members).size !== members.length || members.length === 0) {
    throw new RangeError(`newGroup(): ranks must be distinct ranks in [0, ${w.ranks.length}), got ${JSON.stringify(ranks)}`);
  }
  const id = ++groupsMade;
  const me = members.indexOf(w.groupRank);
  if (me < 0) return new ProcessGroup(null, null, -1, members);
  const rv = rendezvous as Rendezvous;
  const timeout = o?.timeout ?? rv.timeout;
  const handle = w.addon.createGroup({
    rank: me, size: members.length, timeoutMs: Math.ceil(timeout), store: rv.store, host: rv.host, port: rv.store === 'tcp' ? w.addon.storePort(w.handle) || rv.port : 0,
    serve: false, path: rv.path, prefix: `group${id}`, iface: rv.iface, hostname: rv.hostname,
  });
  return new ProcessGroup(w.addon, handle, me, members);
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

/** This process's rank in the group (the default one unless given). */
export function getRank(group?: ProcessGroup): number {
  return groupOf('getRank', group).groupRank;
}

/** How many ranks the group (the default one unless given) has. */
export function getWorldSize(group?: ProcessGroup): number {
  return groupOf('getWorldSize', group).ranks.length;
}

export function getBackend(): 'gloo' {
  groupOf('getBackend');
  return 'gloo';
}

/** Leaves a group made by newGroup, or (without one) the default group; its queued collectives finish first. */
export function destroyProcessGroup(group?: ProcessGroup): void {
  const g = groupOf('destroyProcessGroup', group);
  if (group === undefined || group === world) {
    world = null;
    rendezvous = null;
  }
  g.addon.destroy(g.handle);
}

