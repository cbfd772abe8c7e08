/**
 * Loads the distributed addon the first time a process group is made, and types it: built from
 * source by scripts/build-distributed.js where gloo is installed, or the prebuilt module, which
 * needs gloo's library (libgloo0).
 */
import * as os from 'node:os';
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
const HOW =
  'install gloo (Debian/Ubuntu: apt-get install libgloo-dev), then run `npm rebuild tensorgrad` ' +
  '(in this repository: node scripts/build-distributed.js)';

/**
 * The addon's file: a build from source (native/distributed/build/Release) where there is one,
 * else the prebuilt module for this platform (native/distributed/prebuilds/), as node-gyp-build
 * finds them; null when there is neither.
 */
function addonFile(): string | null {
  const dir = path.join(ROOT, 'native', 'distributed');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('node-gyp-build') as { resolve(dir: string): string }).resolve(dir);
  } catch {
    return null;
  }
}

/**
 * Opens the addon at `file`. Every symbol is bound now (RTLD_NOW), so a gloo library that lacks
 * one the module needs is an error here, not a crash at the first collective.
 * @internal
 */
export function openAddon(file: string): DistributedNative {
  const module = { exports: {} as DistributedNative };
  try {
    process.dlopen(module, file, os.constants.dlopen.RTLD_NOW);
  } catch (e) {
    const why = (e as Error).message;
    const prebuilt = file.includes(`${path.sep}prebuilds${path.sep}`);
    throw new Error(
      `tg.distributed: its addon ${file} did not load (${why}). ` +
        (prebuilt
          ? "The prebuilt module needs gloo's library: apt-get install libgloo0 (Debian 12's, or one built from the same gloo); " +
            `where that does not match, build it from source: ${HOW}.`
          : `Is gloo's library (libgloo0) installed? To rebuild it: ${HOW}.`),
    );
  }
  return module.exports;
}

export function loadDistributed(): DistributedNative {
  if (addon !== null) return addon;
  const file = addonFile();
  if (file === null) {
    throw new Error(`tg.distributed needs its addon, built where gloo is installed, and there is none for ${process.platform}-${process.arch}: ${HOW}. Linux only for now.`);
  }
  addon = openAddon(file);
  return addon;
}
