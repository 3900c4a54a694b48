/**
 * Live refresh: a delta from a refresh's output (compact stat of every pid, full reads of new pids, fds of
 * the pids a detail view shows), and applyDelta, which both the main process and the renderer use to move
 * a snapshot forward. Only what changes often crosses the wire.
 */
import type { Loadavg } from '../proc/loadavg';
import { type NodeOverview, overviewFields } from '../proc/overview';
import type { ContainerNames } from '../containers/names';
import { partialView } from './partial';
import { deriveRelations } from './derive';
import { type TickChanges, byPidIn, containersStand, deriveTick } from './derive-tick';
import type { Snapshot, SnapshotError, SnapshotFd, SnapshotProcess } from './types';

export interface ProcessUpdate {
  pid: number;
  state: string;
  ppid: number;
  cpuTicks: number;
  cpuPercent: number | null;
  threads: number;
  rssKb: number | null;
  nice?: number;
  priority?: number;
  virtKb?: number;
}

/** Whether an update moves any number of `p`: a delta carries only the processes it does. */
export function numbersMoved(p: SnapshotProcess, u: ProcessUpdate): boolean {
  return (
    u.state !== p.state ||
    u.ppid !== p.ppid ||
    u.cpuTicks !== p.cpuTicks ||
    u.cpuPercent !== p.cpuPercent ||
    u.threads !== p.threads ||
    u.rssKb !== p.rssKb ||
    (u.nice !== undefined && (u.nice !== p.nice || u.priority !== p.priority || u.virtKb !== p.virtKb))
  );
}

export interface SnapshotDelta {
  collectedAt: string;
  durationMs: number;
  uptimeSec: number | null;
  load?: Loadavg;
  overview?: NodeOverview;
  /** the processes still running whose numbers moved, in the order of the snapshot's; one not here and not removed stands as it was */
  updated: ProcessUpdate[];
  added: SnapshotProcess[];
  removed: number[];
  /** fd tables re-read for an open detail view */
  fds: { pid: number; fds: SnapshotFd[] | null; fdError?: string }[];
  errors: SnapshotError[];
}

function namesOf(prev: Snapshot): Map<string, ContainerNames> {
  const names = new Map<string, ContainerNames>();
  for (const c of prev.containers) {
    const n: ContainerNames = {};
    if (c.name) n.name = c.name;
    if (c.podName) n.podName = c.podName;
    if (c.podNamespace) n.podNamespace = c.podNamespace;
    if (c.sandbox !== undefined) n.sandbox = c.sandbox;
    if (c.image) n.image = c.image;
    names.set(c.id, n);
  }
  return names;
}

export function applyDelta(prev: Snapshot, delta: SnapshotDelta): Snapshot {
  const removed = new Set(delta.removed);
  const fdUpdates = new Map(delta.fds.map((f) => [f.pid, f]));
  const processes: SnapshotProcess[] = [];
  const updates = new Map(delta.updated.map((u) => [u.pid, u]));
  // Most ticks change numbers only: then who is in which container, namespace and socket stands as it was.
  let sameMembers = delta.added.length === 0 && delta.removed.length === 0 && delta.fds.length === 0;
  /** the pids whose children change: parents of the processes that went or moved */
  const newParents = new Set<number>();
  const changes: TickChanges = { gone: [], came: [], moved: [], refd: [] };
  // At 10,000 processes each lookup per process is a millisecond of a tick: only the maps that hold something are asked.
  const anyRemoved = removed.size > 0;
  const anyFds = fdUpdates.size > 0;
  for (const p of prev.processes) {
    if (anyRemoved && removed.has(p.pid)) {
      newParents.add(p.ppid);
      changes.gone.push(p);
      continue;
    }
    const u = updates.get(p.pid);
    const f = anyFds ? fdUpdates.get(p.pid) : undefined;
    if (u && u.ppid !== p.ppid) newParents.add(p.ppid).add(u.ppid);
    if (u && (u.ppid !== p.ppid || (u.state === 'Z') !== (p.state === 'Z'))) {
      sameMembers = false;
      changes.moved.push(p);
    }
    // A process whose numbers did not move stays the same object: nothing to copy, nothing to redraw.
    const moved = u !== undefined && numbersMoved(p, u);
    let proc: SnapshotProcess = moved
      ? { ...p, state: u.state, ppid: u.ppid, cpuTicks: u.cpuTicks, cpuPercent: u.cpuPercent, threads: u.threads, rssKb: u.rssKb, ...(u.nice !== undefined ? { nice: u.nice, priority: u.priority!, virtKb: u.virtKb! } : {}) }
      : p;
    if (f) {
      const { fdError: _old, ...rest } = proc;
      proc = f.fds === null ? { ...rest, fds: null, fdError: f.fdError ?? 'unreadable' } : { ...rest, fds: f.fds };
      changes.refd.push({ before: p, after: proc });
    }
    processes.push(proc);
  }
  const node = (processes: SnapshotProcess[]) => {
    const { partial: _partial, load: _load, cpu: _cpu, cpuPercent: _cp, corePercents: _cores, memory: _mem, pressure: _psi, ...kept } = prev.node;
    return {
      ...kept,
      collectedAt: delta.collectedAt,
      uptimeSec: delta.uptimeSec,
      ...(delta.load ? { load: delta.load } : {}),
      ...(delta.overview ? overviewFields(delta.overview, prev.node.cpu) : {}),
      durationMs: delta.durationMs,
      ...partialView(processes, prev.node),
    };
  };
  if (sameMembers) return { ...prev, node: node(processes), processes, errors: delta.errors.length > 0 ? [...prev.errors, ...delta.errors] : prev.errors };

  // Processes come, go or move: only their parents' children change, and only those parents are copied (the
  // objects of `prev` are never written to; at 10,000 processes, copying them all cost more than the rest of the tick).
  if (delta.added.length > 0) {
    const present = new Set(processes.map((p) => p.pid));
    changes.came = delta.added.filter((p) => !present.has(p.pid)).map((p) => ({ ...p, containerId: null }));
  }
  for (const p of changes.came) newParents.add(p.pid).add(p.ppid);
  processes.push(...changes.came);
  processes.sort((a, b) => a.pid - b.pid);
  const children = new Map<number, number[]>([...newParents].map((pid) => [pid, []]));
  for (const p of processes) if (p.ppid !== p.pid) children.get(p.ppid)?.push(p.pid);
  for (let i = 0; i < processes.length; i++) {
    const list = children.get(processes[i]!.pid);
    if (list) processes[i] = { ...processes[i]!, children: list };
  }
  const errors = [...prev.errors.filter((e) => e.pid === undefined || byPidIn(processes, e.pid) !== undefined), ...delta.errors];
  if (containersStand(prev, processes, changes)) {
    const { namespaces, sockets } = deriveTick(prev, processes, changes);
    return { ...prev, node: node(processes), processes, sockets, namespaces, errors };
  }
  return { ...prev, node: node(processes), processes, ...deriveAll(prev, processes), errors };
}

/** Containers, namespaces and socket holders derived again from every process: a tick in which a container's members changed. */
function deriveAll(prev: Snapshot, processes: SnapshotProcess[]): Pick<Snapshot, 'sockets' | 'namespaces' | 'containers'> {
  const pids = new Set(processes.map((p) => p.pid));
  const utsHostnames = new Map<number, string>();
  for (const c of prev.containers) if (c.hostname && c.initPid != null && pids.has(c.initPid)) utsHostnames.set(c.initPid, c.hostname);
  const sockets = prev.sockets.map((s) => ({ ...s }));
  // A container id that changed (its anchor process went) is given to a copy.
  const containerIds = new Map<number, string | null>();
  const relations = deriveRelations(
    processes,
    sockets,
    {
      hostNamespaces: prev.node.hostNamespaces ?? {},
      names: { byContainerId: namesOf(prev), byPodUid: new Map(), states: prev.node.runtimeStates ?? [] },
      utsHostnames,
      cgroupProcs: new Map(),
      cgroup2Mount: prev.node.cgroup2Mount ?? null,
      mountedNetns: prev.node.mountedNetns ?? [],
    },
    [],
    (p, id) => {
      if ((p.containerId ?? null) !== id) containerIds.set(p.pid, id);
    },
  );
  if (containerIds.size > 0) {
    for (let i = 0; i < processes.length; i++) {
      const id = containerIds.get(processes[i]!.pid);
      if (id !== undefined) processes[i] = { ...processes[i]!, containerId: id };
    }
  }
  // A container's cgroup resources are a full read's: they stand until the next one.
  const resourcesOf = new Map(prev.containers.flatMap((c) => (c.resources ? [[c.id, c.resources] as const] : [])));
  const containers = relations.containers.map((c) => (resourcesOf.has(c.id) ? { ...c, resources: resourcesOf.get(c.id)! } : c));
  return { sockets, namespaces: relations.namespaces, containers };
}
