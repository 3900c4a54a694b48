/** Views of a snapshot the renderer needs, computed once per snapshot: indexes, filtering, sorting, the process tree. */
import { type ColumnContext, type ProcessColumn, sortValueOf } from '../../shared/process-columns';

export { STATE_MEANING, formatCpuTime, formatKb, formatStart } from '../../shared/process-columns';
import { containerLabel, shortId } from '../../shared/containers/summary';
import { isListening } from '../../shared/snapshot/listening';
import { filterWords, matchesWords, processHaystack } from '../../shared/process-filter';
import type { Snapshot, SnapshotContainer, SnapshotError, SnapshotNamespace, SnapshotProcess, SnapshotSocket } from '../../shared/snapshot/types';

/** A per-process value computed on first ask and kept with the process object, so a live tick costs only what moved. */
export interface PidLookup<T> {
  get(pid: number): T | undefined;
}

export interface SnapshotIndex {
  snapshot: Snapshot;
  byPid: Map<number, SnapshotProcess>;
  childrenOf: Map<number, number[]>;
  socketByInode: Map<number, SnapshotSocket>;
  containerById: Map<string, SnapshotContainer>;
  namespaceByKey: Map<string, SnapshotNamespace>;
  commandLine: PidLookup<string>;
  /** pid -> the lower-cased text a filter searches, made once per process object rather than per keystroke */
  haystack: PidLookup<string>;
  errorsByPid: Map<number, SnapshotError[]>;
  /** uid -> user name, as the processes of the snapshot name them */
  userByUid: Map<number, string>;
  /** container id -> its processes' CPU% and RSS, summed */
  containerTotals: Map<string, ContainerTotals>;
}

export interface ContainerTotals {
  cpu: number;
  rssKb: number;
}

export const nsKey = (type: string, inode: number) => `${type}:${inode}`;

/** Command lines by argv array: a live tick copies a process but keeps its argv, so each is joined once. */
const commandLines = new WeakMap<string[], { line: string; lower: string }>();

function commandLineEntry(p: SnapshotProcess): { line: string; lower: string } {
  let entry = commandLines.get(p.cmdline);
  if (!entry) {
    const line = p.cmdline.length > 0 ? p.cmdline.join(' ') : `[${p.name}]`;
    commandLines.set(p.cmdline, (entry = { line, lower: line.toLowerCase() }));
  }
  return entry;
}

/**
 * A process's filter text, kept with the container names it was made from: a live tick keeps the objects of the
 * processes that did not change, and their text stands while their container's names do.
 */
const haystacks = new WeakMap<SnapshotProcess, { name?: string | null; podName?: string | null; podNamespace?: string | null; text: string }>();

function haystackOf(p: SnapshotProcess, c: SnapshotContainer | undefined): string {
  const kept = haystacks.get(p);
  if (kept && kept.name === c?.name && kept.podName === c?.podName && kept.podNamespace === c?.podNamespace) return kept.text;
  const text = processHaystack(p, p.cmdline.length > 0 ? commandLineEntry(p).lower : `[${p.name}]`.toLowerCase(), c);
  haystacks.set(p, { name: c?.name, podName: c?.podName, podNamespace: c?.podNamespace, text });
  return text;
}

export function commandLineOf(p: SnapshotProcess): string {
  return p.cmdline.length > 0 ? commandLineEntry(p).line : `[${p.name}]`;
}

/** The last index made: the next one reuses its lookups of sockets, containers and namespaces where those did not change. */
let lastIndex: SnapshotIndex | null = null;

export function indexSnapshot(snapshot: Snapshot): SnapshotIndex {
  lastIndex = buildIndex(snapshot, lastIndex);
  return lastIndex;
}

function errorsByPidOf(errors: SnapshotError[]): Map<number, SnapshotError[]> {
  const byPid = new Map<number, SnapshotError[]>();
  for (const e of errors) {
    if (e.pid === undefined) continue;
    const list = byPid.get(e.pid);
    if (list) list.push(e);
    else byPid.set(e.pid, [e]);
  }
  return byPid;
}

/**
 * The index of a snapshot: one pass over its processes (at 10,000 processes, each map built per tick cost about
 * 5 ms); what hangs on a table that did not change (a live tick keeps the same arrays) is taken from `prev`.
 */
export function buildIndex(snapshot: Snapshot, prev: SnapshotIndex | null = null): SnapshotIndex {
  const same = <K extends keyof Snapshot>(key: K) => prev !== null && prev.snapshot[key] === snapshot[key];
  const byPid = new Map<number, SnapshotProcess>();
  const childrenOf = new Map<number, number[]>();
  const userByUid = new Map<number, string>();
  const containerTotals = new Map<string, ContainerTotals>();
  for (const p of snapshot.processes) {
    byPid.set(p.pid, p);
    const siblings = childrenOf.get(p.ppid);
    if (siblings) siblings.push(p.pid);
    else childrenOf.set(p.ppid, [p.pid]);
    if (p.user && !userByUid.has(p.uid)) userByUid.set(p.uid, p.user);
    if (p.containerId) {
      const t = containerTotals.get(p.containerId);
      if (t) {
        t.cpu += p.cpuPercent ?? 0;
        t.rssKb += p.rssKb ?? 0;
      } else containerTotals.set(p.containerId, { cpu: p.cpuPercent ?? 0, rssKb: p.rssKb ?? 0 });
    }
  }
  const containerById = same('containers') ? prev!.containerById : new Map(snapshot.containers.map((c) => [c.id, c]));
  return {
    snapshot,
    byPid,
    childrenOf,
    commandLine: {
      get: (pid) => {
        const p = byPid.get(pid);
        return p ? commandLineOf(p) : undefined;
      },
    },
    haystack: {
      get: (pid) => {
        const p = byPid.get(pid);
        return p ? haystackOf(p, p.containerId ? containerById.get(p.containerId) : undefined) : undefined;
      },
    },
    socketByInode: same('sockets') ? prev!.socketByInode : new Map(snapshot.sockets.map((s) => [s.inode, s])),
    containerById,
    namespaceByKey: same('namespaces') ? prev!.namespaceByKey : new Map(snapshot.namespaces.map((n) => [nsKey(n.type, n.inode), n])),
    errorsByPid: same('errors') ? prev!.errorsByPid : errorsByPidOf(snapshot.errors),
    userByUid,
    containerTotals,
  };
}

export type { ProcessColumn };
export interface SortSpec {
  column: ProcessColumn;
  descending: boolean;
}

/** A container as one cell: its names where the node keeps them, else its short id. */
export function containerText(index: SnapshotIndex, containerId: string | null | undefined): string {
  if (!containerId) return '';
  const c = index.containerById.get(containerId);
  return c && (c.name || c.podName) ? containerLabel(c) : shortId(containerId);
}

export function containerCell(index: SnapshotIndex, p: SnapshotProcess): string {
  return containerText(index, p.containerId);
}


/** The column table's view of an index: the command lines and container cells the index keeps per process. */
const contexts = new WeakMap<SnapshotIndex, ColumnContext>();

export function columnContext(index: SnapshotIndex): ColumnContext {
  let ctx = contexts.get(index);
  if (!ctx) contexts.set(index, (ctx = { node: index.snapshot.node, commandLine: (p) => index.commandLine.get(p.pid) ?? '', container: (p) => containerCell(index, p) }));
  return ctx;
}

/** Lower-cased words of a filter; a process matches when every word is found in one of its fields. */
export function matchesFilter(index: SnapshotIndex, p: SnapshotProcess, words: string[]): boolean {
  if (words.length === 0) return true;
  return matchesWords(index.haystack.get(p.pid) ?? '', words);
}

export { filterWords };

export function filterAndSort(index: SnapshotIndex, filter: string, sort: SortSpec): SnapshotProcess[] {
  const words = filterWords(filter);
  const rows = words.length === 0 ? index.snapshot.processes.slice() : index.snapshot.processes.filter((p) => matchesFilter(index, p, words));
  if (!rows.every((p, i) => i === 0 || rows[i - 1]!.pid < p.pid)) rows.sort((a, b) => a.pid - b.pid);
  const ctx = columnContext(index);
  return sortRows(rows, (p, column) => sortValueOf(column as ProcessColumn, ctx, p), sort);
}

export interface TreeRow {
  process: SnapshotProcess;
  depth: number;
  /** the branch lines drawn before the name: "│  ├─ " */
  prefix: string;
  hasChildren: boolean;
  collapsed: boolean;
}

/** The process tree, depth first, with branch lines; with a filter, the matches and their ancestors; collapsed pids hide their subtrees. */
export function processTree(index: SnapshotIndex, filter: string, collapsed: ReadonlySet<number> = new Set()): TreeRow[] {
  const words = filterWords(filter);
  let keep: Set<number> | null = null;
  if (words.length > 0) {
    keep = new Set();
    for (const p of index.snapshot.processes) {
      if (!matchesFilter(index, p, words)) continue;
      for (let q: SnapshotProcess | undefined = p; q && !keep.has(q.pid); q = index.byPid.get(q.ppid)) keep.add(q.pid);
    }
  }
  const kept = (pid: number) => index.byPid.has(pid) && (!keep || keep.has(pid));
  const kidsOf = (pid: number) => (index.childrenOf.get(pid) ?? []).filter((k) => k !== pid && kept(k)).sort((a, b) => a - b);
  const rows: TreeRow[] = [];
  const roots = index.snapshot.processes.filter((p) => (!index.byPid.has(p.ppid) || p.ppid === p.pid) && kept(p.pid)).map((p) => p.pid);
  // [pid, depth, prefix of this row, prefix its children continue]
  const stack: [number, number, string, string][] = roots.reverse().map((pid) => [pid, 0, '', '']);
  const seen = new Set<number>();
  while (stack.length > 0) {
    const [pid, depth, prefix, carry] = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const kids = kidsOf(pid);
    const folded = collapsed.has(pid) && kids.length > 0;
    rows.push({ process: index.byPid.get(pid)!, depth, prefix, hasChildren: kids.length > 0, collapsed: folded });
    if (folded) continue;
    for (let i = kids.length - 1; i >= 0; i--) {
      const last = i === kids.length - 1;
      stack.push([kids[i]!, depth + 1, carry + (last ? '└─ ' : '├─ '), carry + (last ? '   ' : '│  ')]);
    }
  }
  return rows;
}

/** A sort of any table: a column's value per row, numbers as numbers, ties in the rows' own order. */
export function sortRows<T>(rows: T[], valueOf: (row: T, column: string) => string | number, sort: { column: string; descending: boolean } | null): T[] {
  if (!sort) return rows;
  const dir = sort.descending ? -1 : 1;
  const keyed = rows.map((row, i) => ({ value: valueOf(row, sort.column), i, row }));
  // A column of numbers (most are) sorts without a test per comparison: a live tick sorts every row again.
  if (keyed.every((k) => typeof k.value === 'number')) {
    keyed.sort((a, b) => ((a.value as number) - (b.value as number)) * dir || a.i - b.i);
  } else {
    keyed.sort((a, b) => {
      const x = a.value;
      const y = b.value;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return c !== 0 ? c * dir : a.i - b.i;
    });
  }
  return keyed.map((k) => k.row);
}

/** Rows whose text has every word of a filter. */
export function filterByText<T>(rows: T[], text: string, haystackOf: (row: T) => string): T[] {
  const words = filterWords(text);
  if (words.length === 0) return rows;
  return rows.filter((r) => {
    const haystack = haystackOf(r).toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

export { isListening };

const portOf = (endpoint: string) => /:(\d+)$/.exec(endpoint)?.[1];

/** The processes holding a socket's other end, on this node. */
export function peerPids(index: SnapshotIndex, s: SnapshotSocket): number[] {
  return s.peerInode !== undefined ? (index.socketByInode.get(s.peerInode)?.pids ?? []) : [];
}

/**
 * ss-like sockets view: listening only, a protocol family, and words. A word ":PORT" matches that port exactly,
 * local or remote (":22" is not ":2311"); other words are found in the addresses, the holders' pids and names,
 * the user and the container.
 */
export function filterSockets(sockets: SnapshotSocket[], listeningOnly: boolean, proto: string, text = '', index?: SnapshotIndex): SnapshotSocket[] {
  const words = filterWords(text);
  const ports = words.filter((w) => /^:\d+$/.test(w)).map((w) => String(Number(w.slice(1))));
  const others = words.filter((w) => !/^:\d+$/.test(w));
  const matches = (s: SnapshotSocket) => {
    if (ports.some((port) => portOf(s.local) !== port && portOf(s.remote) !== port)) return false;
    if (others.length === 0) return true;
    const names = s.pids.map((p) => `${p} ${index?.byPid.get(p)?.name ?? ''}`);
    const user = s.uid !== undefined ? (index?.userByUid.get(s.uid) ?? String(s.uid)) : '';
    const haystack = [s.local, s.remote, user, index ? containerText(index, s.containerId) : '', ...names].join('\u0000').toLowerCase();
    return others.every((w) => haystack.includes(w));
  };
  return sockets.filter((s) => (!listeningOnly || isListening(s)) && (proto === 'all' || s.proto.replace(/6$/, '') === proto) && matches(s));
}


/** The sort after a click on a column's head: the same column flips; a new one starts ascending, or biggest first for sizes. */
export function nextSort<S extends { column: string; descending: boolean }>(sort: S | null, column: S['column'], biggestFirst = false): S {
  return { column, descending: sort?.column === column ? !sort.descending : biggestFirst } as S;
}
