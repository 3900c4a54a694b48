/** Views of a snapshot the renderer needs, computed once per snapshot: indexes, filtering, sorting, the process tree. */
import type { Snapshot, SnapshotContainer, SnapshotNamespace, SnapshotProcess, SnapshotSocket } from '../../shared/snapshot/types';

export interface SnapshotIndex {
  snapshot: Snapshot;
  byPid: Map<number, SnapshotProcess>;
  childrenOf: Map<number, number[]>;
  socketByInode: Map<number, SnapshotSocket>;
  containerById: Map<string, SnapshotContainer>;
  namespaceByKey: Map<string, SnapshotNamespace>;
  commandLine: Map<number, string>;
  /** pid -> the lower-cased text a filter searches, computed once per snapshot rather than per keystroke */
  haystack: Map<number, string>;
  errorsByPid: Map<number, { scope: string; message: string }[]>;
}

export const nsKey = (type: string, inode: number) => `${type}:${inode}`;

export function commandLineOf(p: SnapshotProcess): string {
  return p.cmdline.length > 0 ? p.cmdline.join(' ') : `[${p.name}]`;
}

export function indexSnapshot(snapshot: Snapshot): SnapshotIndex {
  const byPid = new Map(snapshot.processes.map((p) => [p.pid, p]));
  const childrenOf = new Map<number, number[]>();
  for (const p of snapshot.processes) {
    const list = childrenOf.get(p.ppid);
    if (list) list.push(p.pid);
    else childrenOf.set(p.ppid, [p.pid]);
  }
  const errorsByPid = new Map<number, { scope: string; message: string }[]>();
  for (const e of snapshot.errors) {
    const m = /^pid (\d+)/.exec(e.scope);
    if (!m) continue;
    const pid = Number(m[1]);
    errorsByPid.set(pid, [...(errorsByPid.get(pid) ?? []), e]);
  }
  const containerById = new Map(snapshot.containers.map((c) => [c.id, c]));
  const commandLine = new Map(snapshot.processes.map((p) => [p.pid, commandLineOf(p)]));
  const haystack = new Map<number, string>();
  for (const p of snapshot.processes) {
    const c = p.containerId ? containerById.get(p.containerId) : undefined;
    haystack.set(p.pid, [String(p.pid), p.name, p.user ?? String(p.uid), commandLine.get(p.pid) ?? '', p.containerId ?? '', c?.podName ?? '', c?.podNamespace ?? '', c?.name ?? ''].join('\u0000').toLowerCase());
  }
  return {
    snapshot,
    byPid,
    haystack,
    childrenOf,
    socketByInode: new Map(snapshot.sockets.map((s) => [s.inode, s])),
    containerById,
    namespaceByKey: new Map(snapshot.namespaces.map((n) => [nsKey(n.type, n.inode), n])),
    commandLine,
    errorsByPid,
  };
}

export type ProcessColumn = 'pid' | 'ppid' | 'user' | 'state' | 'cpu' | 'threads' | 'rssKb' | 'container' | 'name' | 'cmdline';
export interface SortSpec {
  column: ProcessColumn;
  descending: boolean;
}

function containerLabelOf(index: SnapshotIndex, p: SnapshotProcess): string {
  if (!p.containerId) return '';
  const c = index.containerById.get(p.containerId);
  return [c?.podNamespace, c?.podName, c?.name].filter(Boolean).join('/') || p.containerId.slice(0, 12);
}

export function containerCell(index: SnapshotIndex, p: SnapshotProcess): string {
  return containerLabelOf(index, p);
}

function sortValue(index: SnapshotIndex, p: SnapshotProcess, column: ProcessColumn): string | number {
  switch (column) {
    case 'pid':
    case 'ppid':
    case 'threads':
      return p[column];
    case 'rssKb':
      return p.rssKb ?? -1;
    case 'cpu':
      return p.cpuPercent ?? -1;
    case 'user':
      return p.user ?? String(p.uid);
    case 'state':
      return p.state;
    case 'container':
      return containerLabelOf(index, p);
    case 'name':
      return p.name;
    case 'cmdline':
      return index.commandLine.get(p.pid) ?? '';
  }
}

/** Lower-cased words of a filter; a process matches when every word is found in one of its fields. */
export function matchesFilter(index: SnapshotIndex, p: SnapshotProcess, words: string[]): boolean {
  if (words.length === 0) return true;
  const haystack = index.haystack.get(p.pid) ?? '';
  return words.every((w) => haystack.includes(w));
}

export function filterWords(filter: string): string[] {
  return filter.toLowerCase().split(/\s+/).filter(Boolean);
}

export function filterAndSort(index: SnapshotIndex, filter: string, sort: SortSpec): SnapshotProcess[] {
  const words = filterWords(filter);
  const rows = index.snapshot.processes.filter((p) => matchesFilter(index, p, words));
  const dir = sort.descending ? -1 : 1;
  const keyed = rows.map((p) => [sortValue(index, p, sort.column), p] as const);
  keyed.sort((a, b) => {
    const [x, y] = [a[0], b[0]];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c !== 0 ? c * dir : a[1].pid - b[1].pid;
  });
  return keyed.map(([, p]) => p);
}

export interface TreeRow {
  process: SnapshotProcess;
  depth: number;
}

/** The process tree, depth first; with a filter, the matches and their ancestors. */
export function processTree(index: SnapshotIndex, filter: string): TreeRow[] {
  const words = filterWords(filter);
  let keep: Set<number> | null = null;
  if (words.length > 0) {
    keep = new Set();
    for (const p of index.snapshot.processes) {
      if (!matchesFilter(index, p, words)) continue;
      for (let q: SnapshotProcess | undefined = p; q && !keep.has(q.pid); q = index.byPid.get(q.ppid)) keep.add(q.pid);
    }
  }
  const rows: TreeRow[] = [];
  const roots = index.snapshot.processes.filter((p) => !index.byPid.has(p.ppid) || p.ppid === p.pid).map((p) => p.pid);
  const stack: [number, number][] = roots.reverse().map((pid) => [pid, 0]);
  const seen = new Set<number>();
  while (stack.length > 0) {
    const [pid, depth] = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const p = index.byPid.get(pid);
    if (!p || (keep && !keep.has(pid))) continue;
    rows.push({ process: p, depth });
    const kids = [...(index.childrenOf.get(pid) ?? [])].sort((a, b) => b - a);
    for (const k of kids) stack.push([k, depth + 1]);
  }
  return rows;
}

/** ss-like sockets view: listening only, a protocol family, and words found in the addresses or the holders' pids and names. */
export function filterSockets(sockets: SnapshotSocket[], listeningOnly: boolean, proto: string, text = '', index?: SnapshotIndex): SnapshotSocket[] {
  const words = filterWords(text);
  const matches = (s: SnapshotSocket) => {
    if (words.length === 0) return true;
    const haystack = [s.local, s.remote, ...s.pids.map((p) => `${p} ${index?.byPid.get(p)?.name ?? ''}`)].join('\u0000').toLowerCase();
    return words.every((w) => haystack.includes(w));
  };
  return sockets.filter((s) => (!listeningOnly || s.state === 'LISTEN') && (proto === 'all' || s.proto.replace(/6$/, '') === proto) && matches(s));
}

export function formatKb(kb: number | null | undefined): string {
  if (kb === null || kb === undefined) return '';
  if (kb < 1024) return `${kb} K`;
  if (kb < 1024 * 1024) return `${(kb / 1024).toFixed(1)} M`;
  return `${(kb / 1024 / 1024).toFixed(2)} G`;
}
