/**
 * Loads the distributed addon (native/distributed, built by scripts/build-distributed.js where
 * gloo is installed) the first time a process group is made, and types it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TypedArray } from '../dtype';

/** A process group as the addon holds it. */
export interface GroupHandle { readonly processGroupHandle: true }

export interface GroupConfig {
  rank: number;
  size: number;
  timeoutMs: number;
  store: 'tcp' | 'file';
  host: string;
  port: number;
  serve: boolean;
  path: string;
  prefix: string;
  iface: string;
  hostname: string;
}

export interface DistributedNative {
  createGroup(config: GroupConfig): GroupHandle;
  destroy(group: GroupHandle): void;
  storePort(group: GroupHandle): number;
  allreduce(group: GroupHandle, data: TypedArray, offset: number, count: number, op: number, async: boolean): Promise<void> | void;
  broadcast(group: GroupHandle, data: TypedArray, offset: number, count: number, root: number, async: boolean): Promise<void> | void;
  allgather(group: GroupHandle, input: TypedArray, offset: number, count: number, output: TypedArray, outOffset: number, outCount: number, async: boolean): Promise<void> | void;
  barrier(group: GroupHandle, async: boolean): Promise<void> | void;
  gather(group: GroupHandle, input: TypedArray, offset: number, count: number, output: TypedArray, outOffset: number, outCount: number, root: number, async: boolean): Promise<void> | void;
  scatter(group: GroupHandle, input: TypedArray, offset: number, inCount: number, output: TypedArray, outOffset: number, count: number, root: number, async: boolean): Promise<void> | void;
  send(group: GroupHandle, data: TypedArray, offset: number, count: number, peer: number, tag: number, async: boolean): Promise<void> | void;
  recv(group: GroupHandle, data: TypedArray, offset: number, count: number, peer: number, tag: number, async: boolean): Promise<void> | void;
  /** Blocks until the collective whose handle a call with mode 2 returned is done. */
  waitJob(job: GroupHandle): void;
}

let addon: DistributedNative | null = null;

/** The package's root: two levels above this file (src/distributed or dist/distributed). */
const ROOT = path.join(__dirname, '..', '..');

export function loadDistributed(): DistributedNative {
  if (addon !== null) return addon;
  const file = path.join(ROOT, 'native', 'distributed', 'build', 'Release', 'tensorgrad_distributed.node');
  if (!fs.existsSync(file)) {
    throw new Error(
      'tg.distributed needs its addon, built where gloo is installed, and it is not built: ' +
        'install gloo (Debian/Ubuntu: apt-get install libgloo-dev), then run `npm rebuild tensorgrad` ' +
        '(in this repository: node scripts/build-distributed.js). Linux only for now.',
    );
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    addon = require(file) as DistributedNative;
  } catch (e) {
    throw new Error(`tg.distributed: its addon ${file} did not load (${(e as Error).message}); is gloo's library (libgloo0) installed?`);
  }
  return addon;
}
