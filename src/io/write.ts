/**
 * Writing files whole or not at all: the bytes go to a temporary file in the target's directory,
 * which is flushed to disk (fsync) and renamed over the target. A crash or an error midway leaves
 * the old file as it was (and an error removes the temporary file); two saves to one path each
 * write a whole file, and the last rename wins.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IO_CHUNK } from './bytes';

/** Writes at increasing positions of a file; `patch` rewrites bytes already written. */
export class FileWriter {
  position = 0;
  constructor(private readonly fd: number) {}

  write(chunk: Uint8Array): void {
    this.patch(chunk, this.position);
    this.position += chunk.length;
  }

  patch(chunk: Uint8Array, at: number): void {
    for (let done = 0; done < chunk.length; ) {
      done += fs.writeSync(this.fd, chunk, done, Math.min(chunk.length - done, IO_CHUNK), at + done);
    }
  }
}

interface Plan {
  /** The file to replace: the path, or what it links to. */
  target: string;
  /** The temporary file, or null to write the target in place (it is a device such as /dev/null). */
  temp: string | null;
  /** The target's permission bits, kept by the new file. */
  mode: number | null;
}

function plan(path: string): Plan {
  let target = path;
  let stat: fs.Stats | null = null;
  try {
    target = fs.realpathSync(path);
    stat = fs.statSync(target);
  } catch {
    // a new file
  }
  if (stat?.isDirectory()) throw Object.assign(new Error(`EISDIR: cannot save to ${path}: it is a directory`), { code: 'EISDIR' });
  if (stat?.isFIFO() || stat?.isSocket()) throw new Error(`cannot save to ${path}: it is a pipe or a socket, not a file`);
  if (stat !== null && !stat.isFile()) return { target, temp: null, mode: null }; // a device such as /dev/null
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  return { target, temp, mode: stat?.isFile() ? stat.mode & 0o7777 : null };
}

/** Flushes a directory's entries (the rename) to disk, where the platform allows it. */
function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Windows cannot open a directory; the rename itself is done
  }
}

async function syncDirAsync(dir: string): Promise<void> {
  try {
    const fh = await fs.promises.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // as in syncDir
  }
}

function removeQuietly(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Creates or replaces the file at `path` with what `write` writes, atomically (see above). */
export function writeAtomic(path: string, write: (out: FileWriter) => void): void {
  const p = plan(path);
  const fd = fs.openSync(p.temp ?? p.target, p.temp === null ? 'w' : 'wx');
  try {
    if (p.mode !== null) fs.fchmodSync(fd, p.mode);
    write(new FileWriter(fd));
    if (p.temp !== null) fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    if (p.temp !== null) removeQuietly(p.temp);
    throw e;
  }
  fs.closeSync(fd);
  if (p.temp === null) return;
  try {
    fs.renameSync(p.temp, p.target);
  } catch (e) {
    removeQuietly(p.temp);
    throw e;
  }
  syncDir(dirname(p.target));
}

/** writeAtomic() writing `chunks` without blocking the event loop. */
export async function writeAtomicAsync(path: string, chunks: Iterable<Uint8Array>): Promise<void> {
  const p = plan(path);
  const fh = await fs.promises.open(p.temp ?? p.target, p.temp === null ? 'w' : 'wx');
  try {
    if (p.mode !== null) await fh.chmod(p.mode);
    for (const chunk of chunks) {
      for (let done = 0; done < chunk.length; ) {
        done += (await fh.write(chunk, done, Math.min(chunk.length - done, IO_CHUNK))).bytesWritten;
      }
    }
    if (p.temp !== null) await fh.sync();
  } catch (e) {
    await fh.close();
    if (p.temp !== null) await fs.promises.rm(p.temp, { force: true });
    throw e;
  }
  await fh.close();
  if (p.temp === null) return;
  try {
    await fs.promises.rename(p.temp, p.target);
  } catch (e) {
    await fs.promises.rm(p.temp, { force: true });
    throw e;
  }
  await syncDirAsync(dirname(p.target));
}
