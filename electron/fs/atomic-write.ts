/**
 * The project's one way to write a file: a temporary file beside the target, made with O_EXCL under a random name
 * (a planted symlink or file there makes the open fail, never writes through it), written, fsynced, renamed over the
 * target, and the directory fsynced, so a crash or a failed run leaves the old file or the new one, never half.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ProcscopeFailure } from '../../shared/errors';

export type Content = string | Buffer | Iterable<string | Buffer>;

export interface WriteOptions {
  /** the file's mode; unless said, a replaced file keeps its own and a new one is 0600 */
  mode?: number;
}

function writeAll(fd: number, content: Content): number {
  let bytes = 0;
  for (const piece of typeof content === 'string' || Buffer.isBuffer(content) ? [content] : content) {
    const buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
    for (let at = 0; at < buf.length; ) at += writeSync(fd, buf, at);
    bytes += buf.length;
  }
  return bytes;
}

function fsyncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // a file system that cannot fsync a directory (some network ones): the rename is still atomic
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Writes content to path atomically; returns the bytes written. A device or FIFO (-o /dev/null) is written in place. */
export function writeFileAtomically(path: string, content: Content, options: WriteOptions = {}): number {
  // A rename would replace a device with a regular file, and as root that takes /dev/null from the whole machine.
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing && !existing.isFile() && !existing.isDirectory()) {
    const fd = openSync(path, 'w');
    try {
      return writeAll(fd, content);
    } finally {
      closeSync(fd);
    }
  }
  const dir = dirname(resolve(path));
  const temp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', options.mode ?? (existing ? existing.mode & 0o777 : 0o600));
  try {
    let bytes: number;
    try {
      bytes = writeAll(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    fsyncDirectory(dir);
    return bytes;
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/**
 * Refuses a directory another user could plant files in: owned by someone but us or root, or writable by others
 * without the sticky bit (as /tmp has). A symlink is judged by what it leads to, and must be ours or root's itself.
 */
export function checkPrivateEnough(dir: string, what = 'directory'): void {
  const uid = process.getuid?.() ?? 0;
  const trusted = (owner: number) => owner === uid || owner === 0;
  const link = lstatSync(dir);
  const st = statSync(dir);
  const problem =
    !st.isDirectory() ? 'it is not a directory'
    : link.isSymbolicLink() && !trusted(link.uid) ? `it is a symlink owned by uid ${link.uid}`
    : !trusted(st.uid) ? `it belongs to uid ${st.uid}, who could replace what procscope writes there`
    : (st.mode & 0o002) !== 0 && (st.mode & 0o1000) === 0 ? 'anyone may write it and it has no sticky bit, so another user could replace what procscope writes there'
    : null;
  if (problem) throw new ProcscopeFailure({ kind: 'permission-denied', message: `Refused to write in the ${what} ${dir}: ${problem}.`, hint: `Use a directory of your own (mkdir -m 700), or fix its owner and mode.` });
}
