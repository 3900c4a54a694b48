/**
 * What a live tick in which processes came, went or changed their fds does to the derived tables, worked out from
 * those processes alone. At 10,000 processes, deriving namespaces, containers and socket holders again from every
 * process cost about 80 ms a tick; a tick touches tens.
 */
import { anchorsFrom, matchOf } from '../containers/build';
import { FOR_CHILDREN } from './derive';
import type { Snapshot, SnapshotNamespace, SnapshotProcess, SnapshotSocket } from './types';

export interface TickChanges {
  /** processes of the last tick that are gone (the last tick's objects) */
  gone: SnapshotProcess[];
  /** processes new this tick (copies the tick owns, in the new list) */
  came: SnapshotProcess[];
  /** processes whose parent changed or that became or stopped being zombies (the last tick's objects) */
  moved: SnapshotProcess[];
  /** processes whose fd table was read again: as they were and as they are (a copy the tick owns) */
  refd: { before: SnapshotProcess; after: SnapshotProcess }[];
}

export interface TickRelations {
  namespaces: SnapshotNamespace[];
  sockets: SnapshotSocket[];
}

/** The process of `pid` in a list sorted by pid. */
export function byPidIn(sorted: SnapshotProcess[], pid: number): SnapshotProcess | undefined {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = sorted[mid]!.pid;
    if (at === pid) return sorted[mid];
    if (at < pid) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** Whether every container keeps its members: no process that changed is, was or would be in one. */
export function containersStand(prev: Snapshot, processes: SnapshotProcess[], changes: TickChanges): boolean {
  if (changes.gone.some((p) => p.containerId) || changes.moved.some((p) => p.containerId)) return false;
  if (changes.came.length === 0) return true;
  const states = prev.node.runtimeStates ?? [];
  const anchors = states.length > 0 ? anchorsFrom(states, { get: (pid) => byPidIn(processes, pid) }, prev.node.hostNamespaces?.pid) : [];
  return changes.came.every((p) => matchOf(p, anchors) === null);
}

/** a and b sorted ascending, merged without repeats */
function mergeSorted(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (out[out.length - 1] !== next) out.push(next);
  }
  return out;
}

/** The first index of `sorted` at or after `from` whose value is not below `value`. */
function lowerBound(sorted: number[], value: number, from: number): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `pids` (sorted) without `left` and with `entered` (both sorted), copied in slices between the edits: a host
 * namespace holds nearly every process, and a tick edits it in a few places.
 */
function edited(pids: number[], left: number[], entered: number[]): number[] {
  const parts: number[][] = [];
  let from = 0;
  let i = 0;
  let j = 0;
  while (i < left.length || j < entered.length) {
    // A pid that went and came again (reused) is taken out first, then put back.
    const leaving = j >= entered.length || (i < left.length && left[i]! <= entered[j]!);
    const pid = leaving ? left[i++]! : entered[j++]!;
    const at = lowerBound(pids, pid, from);
    parts.push(pids.slice(from, at));
    from = at;
    if (leaving) {
      if (pids[at] === pid) from = at + 1;
    } else if (pids[at] !== pid && entered[j - 2] !== pid) parts.push([pid]);
  }
  parts.push(pids.slice(from));
  return ([] as number[]).concat(...parts);
}

const sameNumbers = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function namespaceKeys(p: SnapshotProcess, each: (key: string, type: string, inode: number) => void): void {
  for (const type in p.namespaces) if (!type.endsWith(FOR_CHILDREN)) each(`${type}:${p.namespaces[type]}`, type, p.namespaces[type]!);
}

/** The namespace groups after processes with no container came and went; the groups no one entered or left stay the same objects. */
function namespacesAfter(prev: Snapshot, changes: TickChanges): SnapshotNamespace[] {
  const leaving = new Map<string, number[]>();
  const joining = new Map<string, { type: string; inode: number; pids: number[] }>();
  for (const p of changes.gone) {
    namespaceKeys(p, (key) => {
      const list = leaving.get(key);
      if (list) list.push(p.pid);
      else leaving.set(key, [p.pid]);
    });
  }
  for (const p of changes.came) {
    namespaceKeys(p, (key, type, inode) => {
      const group = joining.get(key);
      if (group) group.pids.push(p.pid);
      else joining.set(key, { type, inode, pids: [p.pid] });
    });
  }
  if (leaving.size === 0 && joining.size === 0) return prev.namespaces;
  const ascending = (a: number, b: number) => a - b;
  const hostNamespaces = prev.node.hostNamespaces ?? {};
  const out: SnapshotNamespace[] = [];
  for (const ns of prev.namespaces) {
    const key = `${ns.type}:${ns.inode}`;
    const left = leaving.get(key);
    const entered = joining.get(key);
    if (!left && !entered) {
      out.push(ns);
      continue;
    }
    joining.delete(key);
    const pids = edited(ns.pids, (left ?? []).sort(ascending), (entered?.pids ?? []).sort(ascending));
    // A namespace with no process left is gone, unless a path holds it (ip netns add).
    if (pids.length > 0 || ns.paths) out.push({ ...ns, pids });
  }
  // Entered only by processes of no container: theirs, and no container's.
  for (const { type, inode, pids } of joining.values()) out.push({ type, inode, pids: mergeSorted(pids.sort(ascending), []), host: hostNamespaces[type] === inode, containerIds: [], containerId: null });
  return out.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.inode - b.inode));
}

/** Inodes of the sockets the node's tables list: a refresh does not read the tables, so a tick's are its full read's. */
const listedBySockets = new WeakMap<SnapshotSocket[], Set<number>>();

function listedInodes(sockets: SnapshotSocket[]): Set<number> {
  let listed = listedBySockets.get(sockets);
  if (!listed) listedBySockets.set(sockets, (listed = new Set(sockets.map((s) => s.inode))));
  return listed;
}

/** Labels the fds of a process the tick owns whose socket no table lists. */
function markUnlisted(p: SnapshotProcess, listed: Set<number>): void {
  for (const fd of p.fds ?? []) {
    if (fd.socketInode === undefined) continue;
    if (listed.has(fd.socketInode)) delete fd.socketUnlisted;
    else fd.socketUnlisted = true;
  }
}

/** The sockets after holders came, went or changed their fds; a socket whose holders did not change stays the same object. */
function socketsAfter(prev: Snapshot, processes: SnapshotProcess[], namespaces: SnapshotNamespace[], changes: TickChanges): SnapshotSocket[] {
  const leaving = new Set<number>();
  const affected = new Set<number>();
  const holders = new Map<number, number[]>();
  const hold = (p: SnapshotProcess) => {
    for (const fd of p.fds ?? []) {
      if (fd.socketInode === undefined) continue;
      affected.add(fd.socketInode);
      const list = holders.get(fd.socketInode);
      if (!list) holders.set(fd.socketInode, [p.pid]);
      else if (!list.includes(p.pid)) list.push(p.pid);
    }
  };
  const release = (p: SnapshotProcess) => {
    leaving.add(p.pid);
    for (const fd of p.fds ?? []) if (fd.socketInode !== undefined) affected.add(fd.socketInode);
  };
  for (const p of changes.gone) release(p);
  for (const { before, after } of changes.refd) {
    release(before);
    hold(after);
  }
  for (const p of changes.came) hold(p);
  const listed = listedInodes(prev.sockets);
  for (const p of changes.came) markUnlisted(p, listed);
  for (const { after } of changes.refd) markUnlisted(after, listed);
  if (affected.size === 0) return prev.sockets;
  // As attributeNamespaces gives it: the container of its net namespace, else of the first holder in one (a holder
  // that changed its fds may be in a container).
  const netOwner = new Map(namespaces.filter((ns) => ns.type === 'net').map((ns) => [ns.inode, ns.containerId ?? null]));
  const containerOf = (s: SnapshotSocket, pids: number[]) =>
    (s.netns != null ? (netOwner.get(s.netns) ?? null) : null) ?? pids.map((pid) => byPidIn(processes, pid)?.containerId ?? null).find((id) => id !== null) ?? null;
  let changed = false;
  const sockets = prev.sockets.map((s) => {
    if (!affected.has(s.inode)) return s;
    const stayed = s.pids.filter((pid) => !leaving.has(pid));
    const pids = mergeSorted(stayed, (holders.get(s.inode) ?? []).sort((a, b) => a - b));
    const containerId = containerOf(s, pids);
    if (sameNumbers(pids, s.pids) && containerId === (s.containerId ?? null)) return s;
    changed = true;
    return { ...s, pids, containerId };
  });
  if (!changed) return prev.sockets;
  listedBySockets.set(sockets, listed);
  return sockets;
}

/**
 * Namespaces and sockets after a tick in which no container gained or lost a member (containersStand): every
 * container stands as it was, and so does the container of every namespace.
 */
export function deriveTick(prev: Snapshot, processes: SnapshotProcess[], changes: TickChanges): TickRelations {
  const namespaces = namespacesAfter(prev, changes);
  return { namespaces, sockets: socketsAfter(prev, processes, namespaces, changes) };
}
