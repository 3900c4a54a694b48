/** buildContainers: groups processes into containers by cgroup, maps host pids to container pids, names them, and cross-checks. */
import { processError } from '../snapshot/errors';
import type { SnapshotContainer, SnapshotError, SnapshotNamespace, SnapshotProcess, SnapshotSocket } from '../snapshot/types';
import { type ContainerMatch, matchContainer, matchProcessContainer } from './match';
import type { NameSources, RuntimeState } from './names';

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

/** Compares the scan with the container's cpuset (v1) and cgroup.procs (v2); true when cgroup.procs was read and compared. */
function crossCheck(match: Match, members: SnapshotProcess[], inputs: ContainerInputs, byPid: Map<number, SnapshotProcess>, containerOf: Map<number, string>, errors: SnapshotError[]): boolean {
  for (const p of members) {
    if (!p.cpuset || p.cpuset === '/') continue;
    const fromCpuset = matchContainer(p.cpuset);
    if (fromCpuset && fromCpuset.id !== match.id) {
      errors.push(processError(p.pid, 'cpuset', `/proc/${p.pid}/cpuset puts it in container ${fromCpuset.id}, its cgroup in ${match.id}`, { kind: 'parse', path: `/proc/${p.pid}/cpuset` }));
    }
  }
  if (match.hierarchy !== 0) return false;
  const listed = new Set<number>();
  let sawAny = false;
  for (const [path, pids] of inputs.cgroupProcs) {
    // Sub-cgroups that are not the container's own (nspawn's supervisor) do not count.
    if (!path.startsWith(match.cgroupPath) || matchContainer(path)?.id !== match.id) continue;
    sawAny = true;
    for (const pid of pids) listed.add(pid);
  }
  if (!sawAny) return false;
  const procsFile = `${inputs.cgroup2Mount ?? ''}${match.cgroupPath}/…/cgroup.procs`;
  for (const p of members) {
    // A zombie has left its cgroup (cgroup v2 lists no zombie in cgroup.procs): that is no disagreement.
    if (!listed.has(p.pid) && p.state !== 'Z') errors.push({ scope: `container ${match.id}`, message: `pid ${p.pid} is in it by /proc/${p.pid}/cgroup, but ${procsFile} does not list it` });
  }
  for (const pid of listed) {
    if (byPid.has(pid) && containerOf.get(pid) !== match.id) {
      errors.push({ scope: `container ${match.id}`, message: `${procsFile} lists pid ${pid}, which /proc/${pid}/cgroup puts ${containerOf.get(pid) ? `in container ${containerOf.get(pid)}` : 'outside any container'}` });
    }
  }
  return true;
}

export type Match = ContainerMatch & { hierarchy: number; namespace?: string; oci?: 'runc' | 'crun'; /** members by pid namespace: a container with no cgroup of its own */ pidNs?: number };

/** The cgroup path of a process on one hierarchy. */
function pathOn(p: SnapshotProcess, hierarchy: number): string | null {
  return p.cgroups.find((c) => c.hierarchy === hierarchy && (hierarchy !== 0 || c.controllers.length === 0))?.path ?? null;
}

/**
 * Containers a runtime keeps state for (containerd's tasks, runc, crun), anchored at their init's cgroup: found
 * whatever their cgroup is named (ctr run NAME puts a container in /<namespace>/NAME), and labelled with the runtime.
 */
export function anchorsFrom(states: RuntimeState[], byPid: { get(pid: number): SnapshotProcess | undefined }, hostPidNs: number | undefined): Match[] {
  const anchors: Match[] = [];
  for (const state of states) {
    const init = byPid.get(state.initPid);
    if (!init) continue;
    const own = matchProcessContainer(init.cgroups);
    // Docker, Podman, CRI-O and the kubelet's containers (containerd or runc underneath) keep what their cgroup says.
    if (own && own.runtime !== 'other' && !(own.runtime === 'containerd' && state.runtime === 'containerd')) continue;
    const hierarchy = own?.hierarchy ?? (init.cgroups.some((c) => c.hierarchy === 0 && c.path !== '/') ? 0 : (init.cgroups.find((c) => c.controllers.includes('name=systemd'))?.hierarchy ?? 0));
    const cgroupPath = own?.cgroupPath ?? pathOn(init, hierarchy);
    // No cgroup of its own (rootless, where the user may not make one): its members are those of its pid namespace.
    const pidNs = !cgroupPath || cgroupPath === '/' ? init.namespaces.pid : undefined;
    if ((!cgroupPath || cgroupPath === '/') && (pidNs === undefined || pidNs === hostPidNs)) continue;
    anchors.push({
      ...(pidNs !== undefined ? { pidNs } : {}),
      runtime: state.runtime === 'containerd' ? 'containerd' : 'other',
      id: state.id,
      cgroupPath: cgroupPath ?? '/',
      podUid: own?.podUid ?? null,
      qosClass: own?.qosClass ?? null,
      name: own?.name ?? null,
      hierarchy,
      ...(state.namespace ? { namespace: state.namespace } : {}),
      ...(state.runtime !== 'containerd' ? { oci: state.runtime } : {}),
    });
  }
  return anchors;
}

function underAnchor(p: SnapshotProcess, anchors: Match[]): Match | null {
  for (const a of anchors) {
    if (a.pidNs !== undefined) {
      if (p.namespaces.pid === a.pidNs) return a;
      continue;
    }
    const path = pathOn(p, a.hierarchy);
    if (path !== null && (path === a.cgroupPath || path.startsWith(a.cgroupPath + '/'))) return a;
  }
  return null;
}

/** The container a process is in: by its cgroup path, or under a runtime's anchor where the path alone does not say. */
export function matchOf(p: SnapshotProcess, anchors: Match[]): Match | null {
  const byPath = matchProcessContainer(p.cgroups);
  return (!byPath || byPath.runtime === 'other' || byPath.runtime === 'containerd' ? underAnchor(p, anchors) : null) ?? byPath;
}

/** The default way a process is given its container: in place. A live tick gives it to a copy only where it changed. */
const setContainerId = (p: SnapshotProcess, id: string | null) => {
  p.containerId = id;
};

/** Gives each process its container id (through `assign`) and returns the containers, sorted by runtime and id. */
export function buildContainers(inputs: ContainerInputs, errors: SnapshotError[], assign: (p: SnapshotProcess, id: string | null) => void = setContainerId): SnapshotContainer[] {
  const groups = new Map<string, { match: Match; members: SnapshotProcess[] }>();
  const containerOf = new Map<number, string>();
  const byPid = new Map(inputs.processes.map((p) => [p.pid, p]));
  const anchors = anchorsFrom(inputs.names.states ?? [], byPid, inputs.hostNamespaces.pid);
  for (const p of inputs.processes) {
    const match = matchOf(p, anchors);
    assign(p, match ? match.id : null);
    if (!match) continue;
    containerOf.set(p.pid, match.id);
    // One container is one id in one cgroup: the same id under two paths (a cgroup named after a real
    // container, in a subtree an unprivileged user was delegated) is two findings, never one container.
    const key = `${match.id}\0${match.cgroupPath}`;
    const g = groups.get(key);
    if (g) g.members.push(p);
    else groups.set(key, { match, members: [p] });
  }
  const pathsById = new Map<string, string[]>();
  for (const { match } of groups.values()) pathsById.set(match.id, [...(pathsById.get(match.id) ?? []), match.cgroupPath]);
  for (const [id, paths] of pathsById) {
    if (paths.length > 1) errors.push({ scope: `container ${id}`, message: `this id names ${paths.length} cgroups (${paths.join(', ')}): one may be named after the other by someone who may create cgroups; each is shown apart, marked as a conflict` });
  }
  const hostnameByUts = new Map<number, string>();
  for (const [pid, hostname] of inputs.utsHostnames) {
    const uts = byPid.get(pid)?.namespaces.uts;
    if (uts !== undefined) hostnameByUts.set(uts, hostname);
  }

  /** Whether the runtime's own state lists the container: where that state was readable, else not said. */
  const confirmation = (match: Match): { confirmed?: boolean } => {
    const runtime = match.runtime === 'docker' || match.runtime === 'containerd' || match.runtime === 'podman' ? match.runtime : null;
    if (!runtime || !inputs.names.readableState?.has(runtime)) return {};
    // A rootless Podman container (under a user's slice) is kept in that user's home, which is not checked.
    if (runtime === 'podman' && /\/user\.slice\//.test(match.cgroupPath)) return {};
    return { confirmed: inputs.names.listed?.get(runtime)?.has(match.id) ?? false };
  };
  const containers: SnapshotContainer[] = [];
  for (const { match, members } of groups.values()) {
    members.sort((a, b) => a.pid - b.pid);
    const init = pickInit(members);
    const namespaces = Object.fromEntries(Object.entries(init?.namespaces ?? {}).filter(([t]) => !FOR_CHILDREN.test(t)));
    const names = inputs.names.byContainerId.get(match.id) ?? {};
    const pod = match.podUid ? inputs.names.byPodUid.get(match.podUid) : undefined;
    const onlyPause = match.podUid !== null && members.every((p) => p.name === 'pause');
    const checked = crossCheck(match, members, inputs, byPid, containerOf, errors);
    // A container an OCI runtime's state or a bare id found is Podman's when a Podman storage lists it (rootless ones
    // run by runc or crun under cgroupfs have no libpod in their cgroup path).
    const runtime = match.runtime === 'other' && inputs.names.podmanIds?.has(match.id) ? 'podman' : match.runtime;
    containers.push({
      id: match.id,
      runtime,
      cgroupPath: match.cgroupPath,
      ...(match.namespace ? { namespace: match.namespace } : {}),
      ...(match.oci ? { ociRuntime: match.oci } : {}),
      ...(pathsById.get(match.id)!.length > 1 ? { conflict: true } : {}),
      ...confirmation(match),
      podUid: match.podUid,
      qosClass: match.qosClass,
      name: names.name ?? match.name,
      ...(names.image ? { image: names.image } : {}),
      podName: names.podName ?? pod?.name ?? null,
      podNamespace: names.podNamespace ?? pod?.namespace ?? null,
      sandbox: names.sandbox ?? onlyPause,
      pids: members.map((p) => p.pid),
      pidMap: members.map((p) => ({ hostPid: p.pid, containerPid: innermost(p.nspid), ...(p.state === 'Z' ? { zombie: true } : {}) })),
      initPid: init?.pid ?? null,
      hostname: namespaces.uts !== undefined ? (hostnameByUts.get(namespaces.uts) ?? null) : null,
      namespaces,
      sharesHost: Object.keys(namespaces).filter((t) => inputs.hostNamespaces[t] === namespaces[t]).sort(),
      ...(init?.namespacesError ? { namespacesError: init.namespacesError } : {}),
      ...(checked ? { membersChecked: true } : {}),
    });
  }
  return containers.sort((a, b) => a.runtime.localeCompare(b.runtime) || a.id.localeCompare(b.id));
}

/**
 * Marks namespaces as the host's or a container's, and sockets with the container of their net namespace; a socket
 * in the host's (a --network host container: node exporters, CNI agents, ingress controllers) or another shared one
 * gets the container of the process holding it, which is the answer to "which container listens on X".
 */
export function attributeNamespaces(
  namespaces: SnapshotNamespace[],
  sockets: SnapshotSocket[],
  processes: SnapshotProcess[],
  hostNamespaces: Record<string, number>,
  containerOf: ReadonlyMap<number, string | null | undefined> = new Map(processes.map((p) => [p.pid, p.containerId])),
): void {
  const netOwner = new Map<number, string | null>();
  for (const ns of namespaces) {
    ns.pids.sort((a, b) => a - b);
    ns.host = hostNamespaces[ns.type] === ns.inode;
    const ids = ns.pids.map((pid) => containerOf.get(pid) ?? null);
    ns.containerIds = [...new Set(ids.filter((id): id is string => id !== null))].sort();
    ns.containerId = ns.host ? null : (ids.find((id) => id !== null) ?? null);
    if (ns.type === 'net') netOwner.set(ns.inode, ns.containerId);
  }
  for (const s of sockets) {
    const owner = s.netns != null ? (netOwner.get(s.netns) ?? null) : null;
    s.containerId = owner ?? s.pids.map((pid) => containerOf.get(pid) ?? null).find((id) => id !== null) ?? null;
  }
}
