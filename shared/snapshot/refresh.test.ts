import fc from 'fast-check';
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
  const OWN_NET = 4026533100;
  const LAST_IN_NET = 4026533101;
  const inNet = (pid: number, ppid: number, net: number): SnapshotProcess => ({ ...proc(pid, ppid), namespaces: { net, net_for_children: net } });
  const dockerId = 'd0c4e2'.padEnd(64, '0');
  const inDocker = (pid: number): SnapshotProcess => ({ ...proc(pid, 1), cgroups: [{ hierarchy: 0, controllers: [], path: `/system.slice/docker-${dockerId}.scope` }] });
  const fdsOf = (pid: number, inodes: number[]) => ({ pid, fds: inodes.map((inode, i) => ({ fd: 3 + i, target: `socket:[${inode}]`, socketInode: inode })) });
  const base = () => {
    const snap = fakeSnapshot([proc(1, 0), sock(2, 500, true), sock(3, 501, false), inPidNs(20, 1), inPidNs(21, 20), inNet(30, 1, OWN_NET), inNet(31, 30, LAST_IN_NET), inDocker(63)]);
    snap.node.hostNamespaces = { pid: 4026531836 };
    snap.node.runtimeStates = [{ runtime: 'runc', id: 'abc123', initPid: 20 }];
    snap.sockets = [{ proto: 'tcp', inode: 500, state: 'LISTEN', local: '127.0.0.1:80', remote: '0.0.0.0:0', pids: [2] }];
    for (const p of snap.processes) p.children = snap.processes.filter((c) => c.ppid === p.pid && c.pid !== p.pid).map((c) => c.pid);
    // As a full read leaves it: every relation derived from its processes.
    const derived = { ...snap, ...afresh(snap) };
    return applyDelta(derived, delta({ updated: snap.processes.map(same), added: [proc(40, 30)] }));
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
    ['the holder of a listed socket goes', (_prev) => delta({ removed: [2] })],
    ['one comes holding a listed socket, one no table lists, and the same socket twice', (_prev) => delta({ added: [{ ...proc(60, 1), fds: [...fdsOf(60, [500, 777, 500]).fds] }] })],
    ['a detail view reads an fd table again: a socket let go, another taken', (_prev) => delta({ fds: [fdsOf(3, [500])] })],
    ['a detail view finds an fd table unreadable', (_prev) => delta({ fds: [{ pid: 2, fds: null, fdError: 'permission denied' }] })],
    ['one comes into a net namespace no process was in', (_prev) => delta({ added: [inNet(61, 30, 4026533999)] })],
    ['the last process of a net namespace goes', (_prev) => delta({ removed: [31] })],
    ['one comes into a namespace others are in', (_prev) => delta({ added: [inNet(62, 30, OWN_NET)] })],
    ['one comes into a container', (_prev) => delta({ added: [inDocker(65)] })],
    ['a container member goes', (_prev) => delta({ removed: [63] })],
    ['one comes into the pid namespace of a container with no cgroup of its own', (_prev) => delta({ added: [inPidNs(66, 21)] })],
    ['one comes into a container and another goes from it', (_prev) => delta({ added: [inDocker(64)], removed: [63] })],
    ['a pid is reused', (_prev) => delta({ added: [inNet(40, 1, OWN_NET)], removed: [40] })],
  ])('%s: nothing of the last tick is written to, untouched processes stay the same objects, and all is as derived afresh', (_name, change) => {
    const prev = deepFreeze(base());
    const d = change(prev);
    const next = applyDelta(prev, d);
    const fresh = afresh(next);
    expect({ processes: next.processes, sockets: next.sockets, containers: next.containers, namespaces: next.namespaces }).toEqual(fresh);
    const touched = new Set([...d.added.map((p) => p.pid), ...d.added.map((p) => p.ppid), ...d.removed, ...d.fds.map((f) => f.pid), ...prev.processes.filter((p) => d.removed.includes(p.pid)).map((p) => p.ppid), 1, 21]);
    for (const p of next.processes) if (!touched.has(p.pid)) expect(p, `pid ${p.pid}`).toBe(prev.processes.find((q) => q.pid === p.pid));
  });

  it('gives what deriving afresh gives, over any run of ticks in which processes come, go and change their fds', () => {
    const NETS = [4026531840, OWN_NET, LAST_IN_NET, 4026533300];
    const INODES = [500, 501, 502, 900];
    const someone = fc.record({
      pid: fc.integer({ min: 2, max: 40 }),
      net: fc.constantFrom(...NETS),
      inodes: fc.subarray(INODES),
      docker: fc.boolean(),
    });
    const made = (x: { pid: number; net: number; inodes: number[]; docker: boolean }): SnapshotProcess => ({
      ...(x.docker ? inDocker(x.pid) : proc(x.pid, 1)),
      namespaces: { net: x.net, mnt: 4026531841 },
      fds: fdsOf(x.pid, x.inodes).fds,
    });
    const tickOf = fc.record({ gone: fc.array(fc.integer({ min: 2, max: 40 }), { maxLength: 4 }), came: fc.array(someone, { maxLength: 4 }), refd: fc.array(fc.record({ pid: fc.integer({ min: 2, max: 40 }), inodes: fc.subarray(INODES) }), { maxLength: 2 }), moved: fc.array(fc.record({ pid: fc.integer({ min: 2, max: 40 }), ppid: fc.integer({ min: 1, max: 40 }), zombie: fc.boolean() }), { maxLength: 2 }) });
    fc.assert(
      fc.property(fc.uniqueArray(someone, { selector: (x) => x.pid, maxLength: 12 }), fc.array(tickOf, { minLength: 1, maxLength: 4 }), (first, ticks) => {
        const start = fakeSnapshot([proc(1, 0), ...first.map(made)].sort((a, b) => a.pid - b.pid));
        start.node.hostNamespaces = { net: 4026531840, mnt: 4026531841 };
        start.sockets = INODES.slice(0, 3).map((inode) => ({ proto: 'tcp' as const, inode, state: 'LISTEN', local: `127.0.0.1:${inode}`, remote: '0.0.0.0:0', pids: [] }));
        for (const p of start.processes) p.children = start.processes.filter((c) => c.ppid === p.pid && c.pid !== p.pid).map((c) => c.pid);
        let snap: Snapshot = { ...start, ...afresh(start) };
        for (const t of ticks) {
          const present = new Set(snap.processes.map((p) => p.pid));
          const removed = [...new Set(t.gone)].filter((pid) => pid !== 1 && present.has(pid));
          const left = new Set(snap.processes.filter((p) => !removed.includes(p.pid)).map((p) => p.pid));
          const added = [...new Map(t.came.filter((x) => !left.has(x.pid)).map((x) => [x.pid, made(x)])).values()];
          const fds = [...new Map(t.refd.filter((r) => left.has(r.pid)).map((r) => [r.pid, fdsOf(r.pid, r.inodes)])).values()];
          const updated = [...new Map(t.moved.filter((m) => left.has(m.pid)).map((m) => [m.pid, m])).values()].map((m) => ({ ...same(snap.processes.find((p) => p.pid === m.pid)!), ppid: m.ppid, state: m.zombie ? 'Z' : 'S' }));
          snap = applyDelta(deepFreeze(snap), delta({ added, removed, fds, updated }));
          const fresh = afresh(snap);
          expect({ processes: snap.processes, sockets: snap.sockets, containers: snap.containers, namespaces: snap.namespaces }).toEqual(fresh);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('takes the container from a process whose anchor went, on a copy', () => {
    const prev = deepFreeze(base());
    expect(prev.processes.find((p) => p.pid === 21)?.containerId).toBe('abc123');
    const next = applyDelta(prev, delta({ updated: prev.processes.filter((p) => p.pid !== 20).map(same), removed: [20] }));
    expect(next.processes.find((p) => p.pid === 21)?.containerId).toBeNull();
    expect(prev.processes.find((p) => p.pid === 21)?.containerId).toBe('abc123');
    expect(next.containers.map((c) => c.id)).toEqual([dockerId]);
  });
});
