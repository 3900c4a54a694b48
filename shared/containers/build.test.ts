import { describe, expect, it } from 'vitest';
import type { SnapshotError, SnapshotProcess } from '../snapshot/types';
import { buildContainers } from './build';
import type { RuntimeState } from './names';

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
  names: { byContainerId: new Map(), byPodUid: new Map(), states: [] as RuntimeState[] },
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
    const [checked] = buildContainers(inputs(processes, new Map([[scope, [11, 1]]])), errors);
    expect(checked!.membersChecked).toBe(true);
    expect(buildContainers(inputs(processes, new Map()), [])[0]!.membersChecked).toBeUndefined();
    expect(errors.map((e) => e.message)).toEqual([
      `/proc/11/cpuset puts it in container ${OTHER}, its cgroup in ${ID}`,
      expect.stringMatching(/^pid 10 is in it by \/proc\/10\/cgroup, but .* does not list it$/),
      expect.stringMatching(/lists pid 1, which \/proc\/1\/cgroup puts outside any container$/),
    ]);
  });
});

describe('buildContainers, where paths alone mislead', () => {
  const run = (processes: SnapshotProcess[], states: RuntimeState[] = [], cgroupProcs = new Map<string, number[]>()) => {
    const errors: SnapshotError[] = [];
    const containers = buildContainers({ ...inputs(processes, cgroupProcs), names: { byContainerId: new Map(), byPodUid: new Map(), states } }, errors);
    return { containers, errors };
  };

  it('finds a containerd container by its task (ctr run NAME: /<namespace>/NAME), with its namespace', () => {
    const { containers } = run([proc(1, 0, '/', [1]), proc(40, 1, '/', [40], { name: 'containerd-shim' }), proc(41, 40, '/default/web', [41, 1]), proc(42, 41, '/default/web', [42, 2])], [{ runtime: 'containerd', namespace: 'default', id: 'web', initPid: 41 }]);
    expect(containers).toHaveLength(1);
    expect(containers[0]).toMatchObject({ id: 'web', runtime: 'containerd', namespace: 'default', cgroupPath: '/default/web', pids: [41, 42], initPid: 41 });
  });

  it('labels a hex-named containerd container in another namespace containerd, not other', () => {
    const { containers } = run([proc(41, 1, `/tenant/${ID}`, [41, 1])], [{ runtime: 'containerd', namespace: 'tenant', id: ID, initPid: 41 }]);
    expect(containers[0]).toMatchObject({ id: ID, runtime: 'containerd', namespace: 'tenant' });
  });

  it('finds a container run by runc directly, by its state', () => {
    const { containers } = run([proc(50, 1, '/mybox', [50, 1])], [{ runtime: 'runc', id: 'mybox', initPid: 50 }]);
    expect(containers[0]).toMatchObject({ id: 'mybox', runtime: 'other', ociRuntime: 'runc', pids: [50] });
  });

  it('keeps Docker its own name when its containerd task is known too', () => {
    const { containers } = run([proc(60, 1, `/system.slice/docker-${ID}.scope`, [60, 1])], [{ runtime: 'containerd', namespace: 'moby', id: ID, initPid: 60 }]);
    expect(containers[0]).toMatchObject({ id: ID, runtime: 'docker' });
  });

  it('does not count the nspawn supervisor as a member', () => {
    const machine = '/machine.slice/machine-web.scope';
    const supervisor: SnapshotProcess = { ...proc(70, 1, `${machine}/supervisor`, [70]), cgroups: [{ hierarchy: 1, controllers: ['name=systemd'], path: `${machine}/supervisor` }, { hierarchy: 2, controllers: ['memory'], path: machine }] };
    const inside: SnapshotProcess = { ...proc(71, 70, `${machine}/payload`, [71, 1]), cgroups: [{ hierarchy: 1, controllers: ['name=systemd'], path: `${machine}/payload` }, { hierarchy: 2, controllers: ['memory'], path: machine }] };
    const { containers } = run([supervisor, inside]);
    expect(containers).toHaveLength(1);
    expect(containers[0]!.pids).toEqual([71]);
    expect(supervisor.containerId).toBeNull();
  });

  it('shows a zombie as a member marked zombie, and no disagreement with cgroup.procs', () => {
    const { containers, errors } = run([proc(10, 1, scope, [10, 1]), proc(11, 10, scope, [11, 2], { state: 'Z' })], [], new Map([[scope, [10]]]));
    expect(containers[0]!.pidMap).toEqual([{ hostPid: 10, containerPid: 1 }, { hostPid: 11, containerPid: 2, zombie: true }]);
    expect(errors).toEqual([]);
  });

  it('makes an id under two cgroup paths two findings, flagged, not one container with both pids', () => {
    const fake = `/user.slice/user-1000.slice/user@1000.service/docker-${ID}.scope`;
    const { containers, errors } = run([proc(10, 1, scope, [10, 1]), proc(20, 1, fake, [20])]);
    expect(containers.map((c) => [c.cgroupPath, c.pids, c.conflict])).toEqual(expect.arrayContaining([[scope, [10], true], [fake, [20], true]]));
    expect(errors.some((e) => /names 2 cgroups/.test(e.message))).toBe(true);
  });
});
