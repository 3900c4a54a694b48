/**
 * diffSnapshots: what started, exited and changed between two snapshots, which listeners and sockets came and
 * went, which containers and namespaces were created or are gone. procscope's own collector processes are left
 * out of both sides: they differ every time.
 */
import { isListening } from '../snapshot/listening';
import type { Snapshot, SnapshotContainer, SnapshotNamespace, SnapshotProcess, SnapshotSocket } from '../snapshot/types';
import {
  type ContainerRef,
  DIFF_FORMAT,
  type DiffMatching,
  type DiffThresholds,
  type FieldChange,
  type NamespaceRef,
  type ProcessChange,
  type ProcessRef,
  type SnapshotDiff,
  type SocketRef,
} from './types';

export const DEFAULT_THRESHOLDS: DiffThresholds = { threads: 10, rssKb: 64 * 1024 };

/** What one side holds, indexed for the comparison. */
interface Side {
  snapshot: Snapshot;
  processes: SnapshotProcess[];
  byPid: Map<number, SnapshotProcess>;
  containers: Map<string, SnapshotContainer>;
  sockets: SnapshotSocket[];
}

function sideOf(snapshot: Snapshot): Side {
  const collector = new Set(snapshot.processes.filter((p) => p.collector).map((p) => p.pid));
  const processes = snapshot.processes.filter((p) => !p.collector);
  // A socket only the collector holds is the collector's (its pipe to ss, its ssh channel's socket on a loopback node).
  const sockets = snapshot.sockets.filter((s) => s.pids.length === 0 || s.pids.some((pid) => !collector.has(pid)));
  return { snapshot, processes, byPid: new Map(processes.map((p) => [p.pid, p])), containers: new Map(snapshot.containers.map((c) => [c.id, c])), sockets };
}

function matchingOf(a: Snapshot, b: Snapshot): { matching: DiffMatching; reason?: string } {
  const [x, y] = [a.node, b.node];
  if (x.bootId && y.bootId) {
    if (x.bootId === y.bootId) return { matching: 'identity' };
    return { matching: 'similarity', reason: x.hostname === y.hostname ? `${x.hostname} rebooted between them (its boot id changed)` : `they are different nodes (${x.hostname} and ${y.hostname})` };
  }
  if (x.hostname === y.hostname && x.target === y.target) return { matching: 'identity', reason: 'one side has no boot id: the same host name and target are taken for the same boot' };
  return { matching: 'similarity', reason: `they are different nodes (${x.hostname} and ${y.hostname})` };
}

function containerNameOf(c: SnapshotContainer | undefined): string | null {
  if (!c) return null;
  if (c.podName) return `${c.podNamespace ? `${c.podNamespace}/` : ''}${c.podName}${c.name && !c.sandbox ? `/${c.name}` : ''}`;
  return c.name ?? null;
}

function processRef(side: Side, p: SnapshotProcess): ProcessRef {
  return {
    pid: p.pid,
    ppid: p.ppid,
    name: p.name,
    user: p.user ?? null,
    uid: p.uid,
    cmdline: p.cmdline,
    exe: p.exe,
    startTicks: p.startTicks ?? null,
    startedAt: p.startedAt ?? null,
    containerId: p.containerId,
    container: p.containerId ? containerNameOf(side.containers.get(p.containerId)) : null,
  };
}

function socketRef(side: Side, s: SnapshotSocket): SocketRef {
  return {
    proto: s.proto,
    local: s.local,
    remote: s.remote,
    state: s.state,
    netns: s.netns ?? null,
    inode: s.inode,
    holders: s.pids.map((pid) => ({ pid, name: side.byPid.get(pid)?.name ?? '?' })),
    containerId: s.containerId ?? null,
  };
}

function containerRef(c: SnapshotContainer): ContainerRef {
  return { id: c.id, runtime: c.runtime, name: c.name ?? null, podName: c.podName ?? null, podNamespace: c.podNamespace ?? null, initPid: c.initPid ?? null, processes: c.pids.length };
}

function namespaceRef(n: SnapshotNamespace): NamespaceRef {
  return { type: n.type, inode: n.inode, processes: n.pids.length, containerId: n.containerId ?? null, paths: n.paths ?? [] };
}

/** Keys present on one side only, each way, in the order of the sides' lists. */
function added<T>(before: Map<string, T>, after: Map<string, T>): T[] {
  const out: T[] = [];
  for (const [k, v] of after) if (!before.has(k)) out.push(v);
  return out;
}

function keyed<T>(items: T[], key: (t: T) => string): Map<string, T> {
  const m = new Map<string, T>();
  for (const t of items) {
    const k = key(t);
    if (!m.has(k)) m.set(k, t);
  }
  return m;
}

/** A multiset difference by key: the items of `after` beyond the count `before` has of their key. */
function surplus<T>(before: T[], after: T[], key: (t: T) => string, keyAfter = key): T[] {
  const counts = new Map<string, number>();
  for (const t of before) counts.set(key(t), (counts.get(key(t)) ?? 0) + 1);
  const out: T[] = [];
  for (const t of after) {
    const k = keyAfter(t);
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else out.push(t);
  }
  return out;
}

const sameList = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
const cgroupText = (p: SnapshotProcess) => p.cgroups.map((c) => `${c.hierarchy}:${c.controllers.join(',')}:${c.path}`);

/** The fields that changed in one process seen twice (the same boot, pid and start time). */
export function processChanges(a: SnapshotProcess, b: SnapshotProcess, t: DiffThresholds): FieldChange[] {
  const changes: FieldChange[] = [];
  if (!sameList(a.cmdline, b.cmdline)) changes.push({ field: 'cmdline', before: a.cmdline, after: b.cmdline });
  // null is "could not be read" as often as "none": only two readings that disagree are a change.
  if (a.exe !== null && b.exe !== null && a.exe !== b.exe) changes.push({ field: 'exe', before: a.exe, after: b.exe });
  if (a.uid !== b.uid) changes.push({ field: 'uid', before: a.user ?? a.uid, after: b.user ?? b.uid });
  if (a.cwd != null && b.cwd != null && a.cwd !== b.cwd) changes.push({ field: 'cwd', before: a.cwd, after: b.cwd });
  if (a.ppid !== b.ppid) changes.push({ field: 'ppid', before: a.ppid, after: b.ppid });
  if (a.containerId !== b.containerId) changes.push({ field: 'container', before: a.containerId, after: b.containerId });
  const [ca, cb] = [cgroupText(a), cgroupText(b)];
  if (ca.length > 0 && cb.length > 0 && !sameList(ca, cb)) changes.push({ field: 'cgroup', before: ca, after: cb });
  for (const type of Object.keys(b.namespaces).sort()) {
    const before = a.namespaces[type];
    const after = b.namespaces[type];
    if (before !== undefined && after !== undefined && before !== after) changes.push({ field: 'namespace', detail: type, before, after });
  }
  if (Math.abs(b.threads - a.threads) >= t.threads) changes.push({ field: 'threads', before: a.threads, after: b.threads });
  if (a.rssKb != null && b.rssKb != null && Math.abs(b.rssKb - a.rssKb) >= t.rssKb) changes.push({ field: 'rss', before: a.rssKb, after: b.rssKb });
  return changes;
}

const identityKey = (p: SnapshotProcess) => `${p.pid}:${p.startTicks ?? '?'}`;
const similarityKey = (p: SnapshotProcess) => `${p.name}\0${p.cmdline.join('\0')}`;
const socketKey = (s: SnapshotSocket) => `${s.netns ?? '?'}:${s.proto}:${s.inode}`;
/** Across nodes a listener is its protocol, port and the names of its holders: addresses differ from node to node. */
const listenerLikeness = (side: Side) => (s: SnapshotSocket) =>
  `${s.proto}:${/:([^:\]]*)$/.exec(s.local)?.[1] ?? s.local}:${s.pids.map((pid) => side.byPid.get(pid)?.name ?? '?').sort().join(',')}`;

export function diffSnapshots(before: Snapshot, after: Snapshot, thresholds: DiffThresholds = DEFAULT_THRESHOLDS): SnapshotDiff {
  const [a, b] = [sideOf(before), sideOf(after)];
  const { matching, reason } = matchingOf(before, after);
  const side = (s: Snapshot) => ({ target: s.node.target, hostname: s.node.hostname, bootId: s.node.bootId ?? null, collectedAt: s.node.collectedAt });

  let started: SnapshotProcess[];
  let exited: SnapshotProcess[];
  const changed: ProcessChange[] = [];
  if (matching === 'identity') {
    const [ka, kb] = [keyed(a.processes, identityKey), keyed(b.processes, identityKey)];
    started = added(ka, kb);
    exited = added(kb, ka);
    for (const [k, p] of kb) {
      const was = ka.get(k);
      if (!was) continue;
      const changes = processChanges(was, p, thresholds);
      if (changes.length > 0) changed.push({ process: processRef(b, p), changes });
    }
  } else {
    started = surplus(a.processes, b.processes, similarityKey);
    exited = surplus(b.processes, a.processes, similarityKey);
  }

  const listening = (s: Side) => s.sockets.filter(isListening);
  const connected = (s: Side) => s.sockets.filter((x) => !isListening(x));
  let listenersAdded: SnapshotSocket[];
  let listenersRemoved: SnapshotSocket[];
  let opened: SnapshotSocket[] = [];
  let closed: SnapshotSocket[] = [];
  if (matching === 'identity') {
    listenersAdded = added(keyed(listening(a), socketKey), keyed(listening(b), socketKey));
    listenersRemoved = added(keyed(listening(b), socketKey), keyed(listening(a), socketKey));
    opened = added(keyed(connected(a), socketKey), keyed(connected(b), socketKey));
    closed = added(keyed(connected(b), socketKey), keyed(connected(a), socketKey));
  } else {
    listenersAdded = surplus(listening(a), listening(b), listenerLikeness(a), listenerLikeness(b));
    listenersRemoved = surplus(listening(b), listening(a), listenerLikeness(b), listenerLikeness(a));
  }

  const containerKey = matching === 'identity' ? (c: SnapshotContainer) => `${c.runtime}:${c.id}` : (c: SnapshotContainer) => `${c.runtime}:${containerNameOf(c) ?? c.id}`;
  const [kca, kcb] = [keyed(before.containers, containerKey), keyed(after.containers, containerKey)];
  const namespacesOf = (s: Side) => s.snapshot.namespaces.filter((n) => n.pids.some((pid) => s.byPid.has(pid)) || (n.paths?.length ?? 0) > 0);
  const nsKey = (n: SnapshotNamespace) => `${n.type}:${n.inode}`;
  const [kna, knb]: Map<string, SnapshotNamespace>[] = matching === 'identity' ? [keyed(namespacesOf(a), nsKey), keyed(namespacesOf(b), nsKey)] : [new Map(), new Map()];
  // The kernel hands a freed namespace inode to the next namespace: the same inode with no member process and no
  // mount path in common is another namespace, gone and created, as a reused pid is another process.
  for (const [k, nb] of knb!) {
    const na = kna!.get(k);
    if (!na) continue;
    const members = new Set(na.pids.map((pid) => a.byPid.get(pid)).filter((p) => p !== undefined).map(identityKey));
    const shared = nb.pids.some((pid) => { const p = b.byPid.get(pid); return p !== undefined && members.has(identityKey(p)); }) || (nb.paths ?? []).some((path) => (na.paths ?? []).includes(path));
    if (!shared) {
      kna!.set(`${k}:before`, na);
      kna!.delete(k);
    }
  }

  const byPid = (x: { pid: number }, y: { pid: number }) => x.pid - y.pid;
  const bySocket = (x: SnapshotSocket, y: SnapshotSocket) => (x.proto < y.proto ? -1 : x.proto > y.proto ? 1 : x.local < y.local ? -1 : x.local > y.local ? 1 : x.inode - y.inode);
  const diff: SnapshotDiff = {
    format: DIFF_FORMAT,
    from: side(before),
    to: side(after),
    matching,
    ...(reason ? { matchingReason: reason } : {}),
    thresholds,
    summary: {
      processesStarted: started.length,
      processesExited: exited.length,
      processesChanged: changed.length,
      listenersAdded: listenersAdded.length,
      listenersRemoved: listenersRemoved.length,
      socketsOpened: opened.length,
      socketsClosed: closed.length,
      containersCreated: 0,
      containersGone: 0,
      namespacesCreated: 0,
      namespacesGone: 0,
    },
    processes: {
      started: started.sort(byPid).map((p) => processRef(b, p)),
      exited: exited.sort(byPid).map((p) => processRef(a, p)),
      changed: changed.sort((x, y) => x.process.pid - y.process.pid),
    },
    listeners: { added: listenersAdded.sort(bySocket).map((s) => socketRef(b, s)), removed: listenersRemoved.sort(bySocket).map((s) => socketRef(a, s)) },
    sockets: { opened: opened.sort(bySocket).map((s) => socketRef(b, s)), closed: closed.sort(bySocket).map((s) => socketRef(a, s)) },
    containers: { created: added(kca, kcb).map(containerRef), gone: added(kcb, kca).map(containerRef) },
    namespaces: { created: added(kna!, knb!).map(namespaceRef), gone: added(knb!, kna!).map(namespaceRef) },
  };
  diff.summary.containersCreated = diff.containers.created.length;
  diff.summary.containersGone = diff.containers.gone.length;
  diff.summary.namespacesCreated = diff.namespaces.created.length;
  diff.summary.namespacesGone = diff.namespaces.gone.length;
  return diff;
}
