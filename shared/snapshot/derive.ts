/** What follows from the processes: socket holders, namespace groups, containers. Shared by a full snapshot and a refresh. */
import { type ContainerInputs, attributeNamespaces, buildContainers } from '../containers/build';
import type { SnapshotContainer, SnapshotError, SnapshotNamespace, SnapshotProcess, SnapshotSocket } from './types';

const FOR_CHILDREN = /_for_children$/;

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

export function groupNamespaces(processes: SnapshotProcess[]): SnapshotNamespace[] {
  const groups = new Map<string, SnapshotNamespace>();
  for (const p of processes) {
    for (const type in p.namespaces) {
      if (FOR_CHILDREN.test(type)) continue;
      const inode = p.namespaces[type]!;
      const k = `${type}:${inode}`;
      const g = groups.get(k);
      if (g) g.pids.push(p.pid);
      else groups.set(k, { type, inode, pids: [p.pid] });
    }
  }
  return [...groups.values()].sort((a, b) => a.type.localeCompare(b.type) || a.inode - b.inode);
}

/** CPU use since the process started, as ps shows it. */
export function lifetimeCpuPercent(p: SnapshotProcess, clockTicks: number, uptimeSec: number | null | undefined): number | null {
  if (uptimeSec == null || p.startTicks == null || p.cpuTicks === undefined) return null;
  const alive = uptimeSec - p.startTicks / clockTicks;
  return alive > 0 ? Math.round(((p.cpuTicks / clockTicks / alive) * 100) * 10) / 10 : null;
}

export interface Relations {
  namespaces: SnapshotNamespace[];
  containers: SnapshotContainer[];
}

/** Fills containerId, sockets' pids and containerId; returns namespaces and containers. */
export function deriveRelations(
  processes: SnapshotProcess[],
  sockets: SnapshotSocket[],
  inputs: Omit<ContainerInputs, 'processes'>,
  errors: SnapshotError[],
): Relations {
  const containers = buildContainers({ ...inputs, processes }, errors);
  const holders = socketHolders(processes);
  for (const s of sockets) s.pids = holders.get(s.inode) ?? [];
  const namespaces = groupNamespaces(processes);
  attributeNamespaces(namespaces, sockets, processes, inputs.hostNamespaces);
  return { namespaces, containers };
}
