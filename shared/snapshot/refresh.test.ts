import { describe, expect, it } from 'vitest';
import { fakeSnapshot } from '../../renderer/test/fake-snapshot';
import { deriveRelations } from './derive';
import { type SnapshotDelta, applyDelta } from './refresh';
import type { Snapshot, SnapshotProcess } from './types';

const proc = (pid: number, ppid: number, cpuTicks = 0): SnapshotProcess => ({ pid, ppid, name: `p${pid}`, state: 'S', uid: 0, euid: 0, gid: 0, user: 'root', threads: 1, tids: [pid], cmdline: [`p${pid}`], exe: null, cwd: null, nspid: [pid], namespaces: {}, cgroups: [], children: [], rssKb: 100, cpuTicks, cpuPercent: 0, fds: [], containerId: null });
const delta = (parts: Partial<SnapshotDelta>): SnapshotDelta => ({ collectedAt: '2026-01-01T00:00:02.000Z', durationMs: 5, uptimeSec: 12, updated: [], added: [], removed: [], fds: [], errors: [], ...parts });
const same = (p: SnapshotProcess) => ({ pid: p.pid, state: p.state, ppid: p.ppid, cpuTicks: p.cpuTicks!, cpuPercent: p.cpuPercent ?? null, threads: p.threads, rssKb: p.rssKb ?? null });

describe('applyDelta', () => {
  const prev = fakeSnapshot([proc(1, 0), proc(2, 1), proc(3, 1)]);
  prev.processes[0]!.children = [2, 3];

  it('keeps a process whose numbers did not move as the same object, and copies one that moved', () => {
    const next = applyDelta(prev, delta({ updated: [same(prev.processes[0]!), { ...same(prev.processes[1]!), cpuTicks: 9, cpuPercent: 4.5 }, same(prev.processes[2]!)] }));
    expect(next.processes[0]).toBe(prev.processes[0]);
    expect(next.processes[1]).not.toBe(prev.processes[1]);
    expect(next.processes[1]!.cpuPercent).toBe(4.5);
    expect(prev.processes[1]!.cpuPercent).toBe(0);
    // Numbers only: relations stand as they were.
    expect(next.containers).toBe(prev.containers);
  });

  it('derives children again when a process comes or goes, without touching the snapshot it started from', () => {
    const next = applyDelta(prev, delta({ updated: prev.processes.slice(0, 2).map(same), removed: [3], added: [proc(4, 2)] }));
    expect(next.processes.map((p) => [p.pid, p.children])).toEqual([[1, [2]], [2, [4]], [4, []]]);
    expect(prev.processes.map((p) => p.children)).toEqual([[2, 3], [], []]);
  });

  it('finds updates out of order too', () => {
    const next = applyDelta(prev, delta({ updated: [{ ...same(prev.processes[2]!), rssKb: 7 }, same(prev.processes[0]!), same(prev.processes[1]!)] }));
    expect(next.processes.map((p) => p.rssKb)).toEqual([100, 100, 7]);
  });
});

describe('applyDelta and what only a full read reads', () => {
  it("keeps a container's image and cgroup resources when a refresh derives its containers again", () => {
    const id = 'c0ffee'.padEnd(64, '0');
    const inContainer = (pid: number): SnapshotProcess => ({ ...proc(pid, 1), cgroups: [{ hierarchy: 0, controllers: [], path: `/system.slice/docker-${id}.scope` }] });
    const base = fakeSnapshot([proc(1, 0)]);
    const withContainer = applyDelta(base, delta({ updated: [same(base.processes[0]!)], added: [inContainer(10)] }));
    expect(withContainer.containers.map((c) => c.id)).toEqual([id]);
    // As a full read leaves it: the image from the runtime's files, the limits from its cgroup.
    const full = { ...withContainer, containers: [{ ...withContainer.containers[0]!, image: 'redis:7', resources: { cgroup: 2 as const, memoryMaxBytes: 64 * 1024 * 1024, pidsMax: 50 } }] };
    const next = applyDelta(full, delta({ updated: full.processes.map(same), added: [inContainer(11)] }));
    expect(next.containers[0]!.pids).toEqual([10, 11]);
    expect(next.containers[0]).toMatchObject({ image: 'redis:7', resources: { memoryMaxBytes: 64 * 1024 * 1024, pidsMax: 50 } });
  });
});

describe('applyDelta when processes come and go', () => {
  const deepFreeze = <T>(value: T): T => {
    if (value && typeof value === 'object' && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const v of Object.values(value)) deepFreeze(v);
    }
    return value;
  };
  const sock = (pid: number, inode: number, listed: boolean): SnapshotProcess => ({ ...proc(pid, 1), fds: [{ fd: 3, target: `socket:[${inode}]`, socketInode: inode, ...(listed ? {} : { socketUnlisted: true }) }] });
  // A rootless container with no cgroup of its own: its members are those of its init's pid namespace (an anchor
  // that goes when its init goes).
  const inPidNs = (pid: number, ppid: number): SnapshotProcess => ({ ...proc(pid, ppid), namespaces: { pid: 4026532999 } });
  const base = () => {
    const snap = fakeSnapshot([proc(1, 0), sock(2, 500, true), sock(3, 501, false), inPidNs(20, 1), inPidNs(21, 20), proc(30, 1)]);
    snap.node.hostNamespaces = { pid: 4026531836 };
    snap.node.runtimeStates = [{ runtime: 'runc', id: 'abc123', initPid: 20 }];
    snap.sockets = [{ proto: 'tcp', inode: 500, state: 'LISTEN', local: '127.0.0.1:80', remote: '0.0.0.0:0', pids: [2] }];
    for (const p of snap.processes) p.children = snap.processes.filter((c) => c.ppid === p.pid && c.pid !== p.pid).map((c) => c.pid);
    return applyDelta(snap, delta({ updated: snap.processes.map(same), added: [proc(40, 30)] }));
  };
  /** What a snapshot's processes give derived from scratch: children, containers, namespaces and sockets. */
  const afresh = (snap: Snapshot) => {
    const processes = structuredClone(snap.processes).map((p) => ({ ...p, containerId: null, children: [] as number[] }));
    for (const p of processes) p.children = processes.filter((c) => c.ppid === p.pid && c.pid !== p.pid).map((c) => c.pid);
    const sockets = structuredClone(snap.sockets).map((s) => ({ ...s, pids: [] }));
    const inputs = { hostNamespaces: snap.node.hostNamespaces ?? {}, names: { byContainerId: new Map(), byPodUid: new Map(), states: snap.node.runtimeStates ?? [] }, utsHostnames: new Map(), cgroupProcs: new Map(), cgroup2Mount: null, mountedNetns: [] };
    const { containers, namespaces } = deriveRelations(processes, sockets, inputs, []);
    return { processes, sockets, containers, namespaces };
  };

  it.each<[string, (prev: Snapshot) => SnapshotDelta]>([
    ['one comes', (prev) => delta({ updated: prev.processes.map(same), added: [proc(50, 2)] })],
    ['one goes', (prev) => delta({ updated: prev.processes.filter((p) => p.pid !== 40).map(same), removed: [40] })],
    ['a container init goes, and its child is reparented', (prev) => delta({ updated: prev.processes.filter((p) => p.pid !== 20).map((p) => (p.pid === 21 ? { ...same(p), ppid: 1 } : same(p))), removed: [20] })],
  ])('%s: nothing of the last tick is written to, untouched processes stay the same objects, and all is as derived afresh', (_name, change) => {
    const prev = deepFreeze(base());
    const d = change(prev);
    const next = applyDelta(prev, d);
    const fresh = afresh(next);
    expect({ processes: next.processes, sockets: next.sockets, containers: next.containers, namespaces: next.namespaces }).toEqual(fresh);
    const touched = new Set([...d.added.map((p) => p.pid), ...d.added.map((p) => p.ppid), ...d.removed, ...prev.processes.filter((p) => d.removed.includes(p.pid)).map((p) => p.ppid), 1, 21]);
    for (const p of next.processes) if (!touched.has(p.pid)) expect(p, `pid ${p.pid}`).toBe(prev.processes.find((q) => q.pid === p.pid));
  });

  it('takes the container from a process whose anchor went, on a copy', () => {
    const prev = deepFreeze(base());
    expect(prev.processes.find((p) => p.pid === 21)?.containerId).toBe('abc123');
    const next = applyDelta(prev, delta({ updated: prev.processes.filter((p) => p.pid !== 20).map(same), removed: [20] }));
    expect(next.processes.find((p) => p.pid === 21)?.containerId).toBeNull();
    expect(prev.processes.find((p) => p.pid === 21)?.containerId).toBe('abc123');
    expect(next.containers).toEqual([]);
  });
});
