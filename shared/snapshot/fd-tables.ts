import { digitsAt } from '../collect/files';
import { parseFdTarget } from '../proc/links';
import type { SnapshotFd } from './types';

/**
 * The fd tables of a links section, link by link: from the whole map (collectFds), or as the links stream in
 * (early-parse.ts). A path added again replaces what it had, where it had it, as in a Map.
 */
export class FdTables {
  /** path -> its fd, or null for a path that is no fd or whose link could not be read (an empty target; its error is in pathErrors) */
  private readonly byPath = new Map<string, SnapshotFd | null>();

  add(path: string, target: string): void {
    // "/proc/<pid>/fd/<fd>"
    const slash = path.indexOf('/', 6);
    const n = target === '' || slash < 0 || !path.startsWith('/fd/', slash) ? null : digitsAt(path, slash + 4, path.length);
    if (n === null) {
      this.byPath.set(path, null);
      return;
    }
    const fd: SnapshotFd = { fd: n, target };
    const parsed = parseFdTarget(target);
    if (parsed.kind === 'socket') fd.socketInode = parsed.inode!;
    this.byPath.set(path, fd);
  }

  /** pid -> its fds by number */
  tables(): Map<number, SnapshotFd[]> {
    const fds = new Map<number, SnapshotFd[]>();
    for (const [path, fd] of this.byPath) {
      if (fd === null) continue;
      const pid = digitsAt(path, 6, path.indexOf('/', 6));
      if (pid === null) continue;
      let list = fds.get(pid);
      if (!list) fds.set(pid, (list = []));
      list.push(fd);
    }
    for (const list of fds.values()) list.sort((a, b) => a.fd - b.fd);
    return fds;
  }
}
