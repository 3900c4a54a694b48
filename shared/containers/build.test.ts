import { describe, expect, it } from 'vitest';
import type { SnapshotError, SnapshotProcess } from '../snapshot/types';
import { buildContainers } from './build';

const ID = 'c'.repeat(64);
const OTHER = 'd'.repeat(64);
const scope = `/system.slice/docker-${ID}.scope`;

function proc(pid: number, ppid: number, path: string, nspid: number[], extra: Partial<SnapshotProcess> = {}): SnapshotProcess {
  return {
    pid, ppid, name: 'x', state: 'S', uid: 0, gid: 0, threads: 1, cmdline: [], exe: null, nspid,
    namespaces: { net: pid === 1 ? 1000 : 2000, uts: pid === 1 ? 3000 : 4000, user: 5000 },
    cgroups: [{ hierarchy: 0, controllers: [], path }], fds: [], containerId: null, ...extra,
  };
}

const inputs = (processes: SnapshotProcess[], cgroupProcs: Map<string, number[]>) => ({
  processes,
  hostNamespaces: { net: 1000, uts: 3000, user: 5000 },
  names: { byContainerId: new Map(), byPodUid: new Map() },
  utsHostnames: new Map([[11, 'inside']]),
  cgroupProcs,
  cgroup2Mount: '/sys/fs/cgroup',
});

describe('buildContainers', () => {
  it('maps host pids to container pids and finds init, hostname and shared namespaces', () => {
    const processes = [proc(1, 0, '/init.scope', [1]), proc(10, 1, scope, [10]), proc(11, 10, scope, [11, 1]), proc(12, 11, `${scope}/sub`, [12, 2])];
    const errors: SnapshotError[] = [];
    const [c] = buildContainers(inputs(processes, new Map([[scope, [10, 11]], [`${scope}/sub`, [12]]])), errors);
    expect(c).toMatchObject({ id: ID, runtime: 'docker', pids: [10, 11, 12], initPid: 11, hostname: 'inside', sharesHost: ['user'] });
    expect(c!.pidMap).toEqual([{ hostPid: 10, containerPid: null }, { hostPid: 11, containerPid: 1 }, { hostPid: 12, containerPid: 2 }]);
    expect(processes.map((p) => p.containerId)).toEqual([null, ID, ID, ID]);
    expect(errors).toEqual([]);
  });

  it('reports where cgroup.procs and cpuset disagree with the scan', () => {
    const processes = [proc(1, 0, '/', [1]), proc(10, 1, scope, [10]), proc(11, 10, scope, [11, 1], { cpuset: `/docker/${OTHER}` })];
    const errors: SnapshotError[] = [];
    buildContainers(inputs(processes, new Map([[scope, [11, 1]]])), errors);
    expect(errors.map((e) => e.message)).toEqual([
      `/proc/11/cpuset puts it in container ${OTHER}, its cgroup in ${ID}`,
      expect.stringMatching(/^pid 10 is in it by \/proc\/10\/cgroup, but .* does not list it$/),
      expect.stringMatching(/lists pid 1, which \/proc\/1\/cgroup puts outside any container$/),
    ]);
  });
});
