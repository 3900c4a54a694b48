import { describe, expect, it } from 'vitest';
import { fakeSnapshot } from '../../renderer/test/fake-snapshot';
import { type SnapshotDelta, applyDelta } from './refresh';
import type { SnapshotProcess } from './types';

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
