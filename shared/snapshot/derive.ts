/** What follows from the processes: socket holders, namespace groups, containers. Shared by a full snapshot and a refresh. */
import { type ContainerInputs, attributeNamespaces, buildContainers } from '../containers/build';
import type { SnapshotContainer, SnapshotError, SnapshotNamespace, SnapshotProcess, SnapshotSocket } from './types';

/** The suffix of the namespace links a process's children will get (pid_for_children): not namespaces it is in. */
export const FOR_CHILDREN = '_for_children';

export function socketHolders(processes: SnapshotProcess[]): Map<number, number[]> {
  const holders = new Map<number, number[]>();
  for (const p of processes) {
    for (const fd of p.fds ?? []) {
      if (fd.socketInode === undefined) continue;
      const list = holders.get(fd.socketInode);
      if (!list) holders.set(fd.socketInode, [p.pid]);
      else if (list[list.length - 1] !== p.pid) list.push(p.pid);
    }
  }
  return holders;
}

export function groupNamespaces(processes: SnapshotProcess[], mountedNetns: { inode: number; path: string }[] = []): SnapshotNamespace[] {
  const groups = new Map<string, SnapshotNamespace>();
  for (const { inode, path } of mountedNetns) {
    const g = groups.get(`net:${inode}`);
    if (g) g.paths!.push(path);
    else groups.set(`net:${inode}`, { type: 'net', inode, pids: [], paths: [path] });
  }
  // type -> inode -> group: no key string made per process and type (10,000 processes, 10 types)
  const byType = new Map<string, Map<number, SnapshotNamespace>>();
  if (groups.size > 0) byType.set('net', new Map([...groups.values()].map((g) => [g.inode, g])));
  for (const p of processes) {
    for (const type in p.namespaces) {
      if (type.endsWith(FOR_CHILDREN)) continue;
      const inode = p.namespaces[type]!;
      let ofType = byType.get(type);
      if (!ofType) byType.set(type, (ofType = new Map()));
      const g = ofType.get(inode);
      if (g) g.pids.push(p.pid);
      else ofType.set(inode, { type, inode, pids: [p.pid] });
    }
  }
  return [...byType.values()].flatMap((m) => [...m.values()]).sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.inode - b.inode));
}

/** Percent of one CPU, which no process can exceed 100 times its thread count; one decimal. */
export function cpuPercentOf(ticks: number, clockTicks: number, seconds: number, threads: number): number | null {
  if (!(seconds > 0) || ticks < 0) return null;
  const percent = Math.min((ticks / clockTicks / seconds) * 100, Math.max(1, threads) * 100);
  return Math.round(percent * 10) / 10;
}

/** When a process started, by the node's clock: boot time (btime) plus its start in clock ticks; null if unknown. */
export function startedAtOf(startTicks: number | null | undefined, clockTicks: number, bootTimeSec: number | null | undefined): string | null {
  if (startTicks == null || !bootTimeSec || !(clockTicks > 0)) return null;
  return new Date(Math.round((bootTimeSec + startTicks / clockTicks) * 1000)).toISOString();
}

/** CPU use since the process started, as ps shows it. */
export function lifetimeCpuPercent(p: SnapshotProcess, clockTicks: number, uptimeSec: number | null | undefined): number | null {
  if (uptimeSec == null || p.startTicks == null || p.cpuTicks === undefined) return null;
  return cpuPercentOf(p.cpuTicks, clockTicks, uptimeSec - p.startTicks / clockTicks, p.threads);
}

/**
 * Marks the collector's own processes: its shell, everything it started, and the shells (and sudo) that run it,
 * so a reader can tell procscope's footprint from the node's.
 */
export function markCollector(processes: SnapshotProcess[], byPid: Map<number, SnapshotProcess>, collectorPid: number | null, scriptShellPid: number | null = null): void {
  if (collectorPid === null) return;
  // The shell that runs procscope's scripts ($$ on the node) holds the collector and its siblings (gzip).
  const self = (scriptShellPid !== null ? byPid.get(scriptShellPid) : undefined) ?? byPid.get(collectorPid);
  if (!self) return;
  const children = new Map<number, SnapshotProcess[]>();
  for (const p of processes) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const stack = [self];
  while (stack.length > 0) {
    const p = stack.pop()!;
    p.collector = true;
    stack.push(...(children.get(p.pid) ?? []));
  }
  for (let up = byPid.get(self.ppid); up && (up.name === self.name || up.name === 'sudo') && !up.collector; up = byPid.get(up.ppid)) up.collector = true;
}

/** Labels each fd whose socket no table lists, so "socket:[N]" is never shown as if nothing more were known. */
function markUnlistedSockets(processes: SnapshotProcess[], sockets: SnapshotSocket[]): void {
  const listed = new Set(sockets.map((s) => s.inode));
  for (const p of processes) {
    for (const fd of p.fds ?? []) {
      if (fd.socketInode === undefined) continue;
      // Written only where it changes: a live tick's processes are the last tick's objects, never written to.
      if (listed.has(fd.socketInode)) {
        if (fd.socketUnlisted) delete fd.socketUnlisted;
      } else if (!fd.socketUnlisted) fd.socketUnlisted = true;
    }
  }
}

export interface Relations {
  namespaces: SnapshotNamespace[];
  containers: SnapshotContainer[];
}

/**
 * Gives each process its container id (in place, or through `assign`), fills sockets' pids and containerId;
 * returns namespaces and containers.
 */
export function deriveRelations(
  processes: SnapshotProcess[],
  sockets: SnapshotSocket[],
  inputs: Omit<ContainerInputs, 'processes'> & { mountedNetns?: { inode: number; path: string }[] },
  errors: SnapshotError[],
  assign?: (p: SnapshotProcess, id: string | null) => void,
): Relations {
  const containerOf = new Map<number, string | null>();
  const containers = buildContainers({ ...inputs, processes }, errors, (p, id) => {
    containerOf.set(p.pid, id);
    if (assign) assign(p, id);
    else p.containerId = id;
  });
  const holders = socketHolders(processes);
  for (const s of sockets) s.pids = holders.get(s.inode) ?? [];
  markUnlistedSockets(processes, sockets);
  const namespaces = groupNamespaces(processes, inputs.mountedNetns);
  attributeNamespaces(namespaces, sockets, processes, inputs.hostNamespaces, containerOf);
  return { namespaces, containers };
}
