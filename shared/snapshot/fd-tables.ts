import { digitsAt } from '../collect/files';
import { parseFdTarget } from '../proc/links';
import type { SnapshotFd } from './types';

/**
 * The fd tables of a links section, link by link: from the whole map (collectFds), or as the links stream in
 * (early-parse.ts). A path read a second time (no kernel does that; a hostile node may) makes the tables be built
 * again from the final map, so that they are always what collectFds gives for it.
 */
export class FdTables {
  private readonly fds = new Map<number, SnapshotFd[]>();
  private repeated = false;

  /** `again`: the path was read before, with another or the same target */
  add(path: string, target: string, again = false): void {
    if (again) this.repeated = true;
    if (this.repeated || target === '') return;
    // "/proc/<pid>/fd/<fd>"; an empty target is a link find listed but could not read (its error is in pathErrors).
    const slash = path.indexOf('/', 6);
    if (slash < 0 || !path.startsWith('/fd/', slash)) return;
    const pid = digitsAt(path, 6, slash);
    const n = digitsAt(path, slash + 4, path.length);
    if (pid === null || n === null) return;
    const fd: SnapshotFd = { fd: n, target };
    const parsed = parseFdTarget(target);
    if (parsed.kind === 'socket') fd.socketInode = parsed.inode!;
    let list = this.fds.get(pid);
    if (!list) this.fds.set(pid, (list = []));
    list.push(fd);
  }

  /** pid -> its fds by number; `links`, the map the pairs went into, when a path came twice */
  tables(links: ReadonlyMap<string, string>): Map<number, SnapshotFd[]> {
    if (this.repeated) return collectFdsOf(links);
    for (const list of this.fds.values()) list.sort((a, b) => a.fd - b.fd);
    return this.fds;
  }
}

/** The fd tables of the links of a whole reply. */
export function collectFdsOf(links: ReadonlyMap<string, string>): Map<number, SnapshotFd[]> {
  const tables = new FdTables();
  for (const [path, target] of links) tables.add(path, target);
  return tables.tables(links);
}
