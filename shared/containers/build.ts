/** buildContainers: groups processes into containers by cgroup, maps host pids to container pids, names them, and cross-checks. */
import type { SnapshotContainer, SnapshotError, SnapshotNamespace, SnapshotProcess, SnapshotSocket } from '../snapshot/types';
import { type ContainerMatch, matchContainer, matchProcessContainer } from './match';
import type { NameSources } from './names';

export interface ContainerInputs {
  processes: SnapshotProcess[];
  hostNamespaces: Record<string, number>;
  names: NameSources;
  /** pid -> hostname of that pid's uts namespace */
  utsHostnames: Map<number, string>;
  /** cgroup v2 path -> the pids its cgroup.procs lists */
  cgroupProcs: Map<string, number[]>;
  cgroup2Mount: string | null;
}

const FOR_CHILDREN = /_for_children$/;

function innermost(nspid: number[]): number | null {
  return nspid.length > 1 ? nspid[nspid.length - 1]! : null;
}

function pickInit(members: SnapshotProcess[]): SnapshotProcess | undefined {
  const ones = members.filter((p) => innermost(p.nspid) === 1);
  if (ones.length > 0) return ones[0];
  const pids = new Set(members.map((p) => p.pid));
  return members.find((p) => !pids.has(p.ppid)) ?? members[0];
}

function crossCheck(match: ContainerMatch & { hierarchy: number }, members: SnapshotProcess[], inputs: ContainerInputs, byPid: Map<number, SnapshotProcess>, containerOf: Map<number, string>, errors: SnapshotError[]): void {
  for (const p of members) {
    if (!p.cpuset || p.cpuset === '/') continue;
    const fromCpuset = matchContainer(p.cpuset);
    if (fromCpuset && fromCpuset.id !== match.id) {
      errors.push({ scope: `pid ${p.pid} cpuset`, message: `/proc/${p.pid}/cpuset puts it in container ${fromCpuset.id}, its cgroup in ${match.id}` });
    }
  }
  if (match.hierarchy !== 0) return;
  const listed = new Set<number>();
  let sawAny = false;
  for (const [path, pids] of inputs.cgroupProcs) {
    // Sub-cgroups that are not the container's own (nspawn's supervisor) do not count.
    if (!path.startsWith(match.cgroupPath) || matchContainer(path)?.id !== match.id) continue;
    sawAny = true;
    for (const pid of pids) listed.add(pid);
  }
  if (!sawAny) return;
  const procsFile = `${inputs.cgroup2Mount ?? ''}${match.cgroupPath}/…/cgroup.procs`;
  for (const p of members) {
    if (!listed.has(p.pid)) errors.push({ scope: `container ${match.id}`, message: `pid ${p.pid} is in it by /proc/${p.pid}/cgroup, but ${procsFile} does not list it` });
  }
  for (const pid of listed) {
    if (byPid.has(pid) && containerOf.get(pid) !== match.id) {
      errors.push({ scope: `container ${match.id}`, message: `${procsFile} lists pid ${pid}, which /proc/${pid}/cgroup puts ${containerOf.get(pid) ? `in container ${containerOf.get(pid)}` : 'outside any container'}` });
    }
  }
}

/** Fills processes' containerId and returns the containers, sorted by runtime and id. */
export function buildContainers(inputs: ContainerInputs, errors: SnapshotError[]): SnapshotContainer[] {
  const groups = new Map<string, { match: ContainerMatch & { hierarchy: number }; members: SnapshotProcess[] }>();
  const containerOf = new Map<number, string>();
  const byPid = new Map(inputs.processes.map((p) => [p.pid, p]));
  for (const p of inputs.processes) {
    const match = matchProcessContainer(p.cgroups);
    p.containerId = match ? match.id : null;
    if (!match) continue;
    containerOf.set(p.pid, match.id);
    const g = groups.get(match.id);
    if (g) g.members.push(p);
    else groups.set(match.id, { match, members: [p] });
  }
  const hostnameByUts = new Map<number, string>();
  for (const [pid, hostname] of inputs.utsHostnames) {
    const uts = byPid.get(pid)?.namespaces.uts;
    if (uts !== undefined) hostnameByUts.set(uts, hostname);
  }

  const containers: SnapshotContainer[] = [];
  for (const { match, members } of groups.values()) {
    members.sort((a, b) => a.pid - b.pid);
    const init = pickInit(members);
    const namespaces = Object.fromEntries(Object.entries(init?.namespaces ?? {}).filter(([t]) => !FOR_CHILDREN.test(t)));
    const names = inputs.names.byContainerId.get(match.id) ?? {};
    const pod = match.podUid ? inputs.names.byPodUid.get(match.podUid) : undefined;
    const onlyPause = match.podUid !== null && members.every((p) => p.name === 'pause');
    crossCheck(match, members, inputs, byPid, containerOf, errors);
    containers.push({
      id: match.id,
      runtime: match.runtime,
      cgroupPath: match.cgroupPath,
      podUid: match.podUid,
      qosClass: match.qosClass,
      name: names.name ?? match.name,
      podName: names.podName ?? pod?.name ?? null,
      podNamespace: names.podNamespace ?? pod?.namespace ?? null,
      sandbox: names.sandbox ?? onlyPause,
      pids: members.map((p) => p.pid),
      pidMap: members.map((p) => ({ hostPid: p.pid, containerPid: innermost(p.nspid) })),
      initPid: init?.pid ?? null,
      hostname: namespaces.uts !== undefined ? (hostnameByUts.get(namespaces.uts) ?? null) : null,
      namespaces,
      sharesHost: Object.keys(namespaces).filter((t) => inputs.hostNamespaces[t] === namespaces[t]).sort(),
      ...(init?.namespacesError ? { namespacesError: init.namespacesError } : {}),
    });
  }
  return containers.sort((a, b) => a.runtime.localeCompare(b.runtime) || a.id.localeCompare(b.id));
}

/** Marks namespaces as the host's or a container's, and sockets with the container of their net namespace. */
export function attributeNamespaces(namespaces: SnapshotNamespace[], sockets: SnapshotSocket[], processes: SnapshotProcess[], hostNamespaces: Record<string, number>): void {
  const containerOf = new Map(processes.map((p) => [p.pid, p.containerId]));
  const netOwner = new Map<number, string | null>();
  for (const ns of namespaces) {
    ns.pids.sort((a, b) => a - b);
    ns.host = hostNamespaces[ns.type] === ns.inode;
    const ids = ns.pids.map((pid) => containerOf.get(pid) ?? null);
    ns.containerIds = [...new Set(ids.filter((id): id is string => id !== null))].sort();
    ns.containerId = ns.host ? null : (ids.find((id) => id !== null) ?? null);
    if (ns.type === 'net') netOwner.set(ns.inode, ns.containerId);
  }
  for (const s of sockets) s.containerId = s.netns != null ? (netOwner.get(s.netns) ?? null) : null;
}
