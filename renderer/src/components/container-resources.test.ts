import { describe, expect, it } from 'vitest';
import type { Snapshot, SnapshotContainer, SnapshotProcess } from '../../../shared/snapshot/types';
import { indexSnapshot } from '../model';
import { memoryText, podRows } from './ContainersView';

const proc = (pid: number, containerId: string, cpuPercent: number, rssKb: number) => ({ pid, ppid: 1, name: 'p', state: 'S', uid: 0, gid: 0, user: 'root', threads: 1, cmdline: [], exe: null, nspid: [pid], namespaces: {}, cgroups: [], fds: [], containerId, cpuPercent, rssKb }) as unknown as SnapshotProcess;
const container = (id: string, extra: Partial<SnapshotContainer>): SnapshotContainer => ({ id, runtime: 'containerd', cgroupPath: `/${id}`, pids: [], pidMap: [], ...extra });

describe('container resources in the view', () => {
  it.each<[SnapshotContainer['resources'], string]>([
    [{ cgroup: 2, memoryBytes: 12 * 1024 * 1024, memoryMaxBytes: 64 * 1024 * 1024 }, '12.0 M / 64.0 M'],
    [{ cgroup: 1, memoryBytes: 2048, memoryMaxBytes: null }, '2 K / no limit'],
    [{ cgroup: 2 }, ''],
    [undefined, ''],
  ])('memory %j', (r, text) => expect(memoryText(r)).toBe(text));

  it('groups Kubernetes containers by pod: QoS, containers (not the pause one), CPU and RSS summed, memory limits summed or none', () => {
    const snapshot = {
      format: 'procscope.snapshot/v1',
      node: { target: 't', hostname: 'h', kernel: 'k', collectedAt: '2026-11-29T00:00:00Z' },
      processes: [proc(10, 'a', 5, 1000), proc(11, 'a', 1, 24), proc(20, 'b', 2, 500), proc(30, 'pause', 0, 100), proc(40, 'c', 50, 10)],
      namespaces: [],
      sockets: [],
      containers: [
        container('a', { podUid: 'u1', podName: 'web', podNamespace: 'shop', qosClass: 'burstable', resources: { cgroup: 2, memoryMaxBytes: 64 * 1024 * 1024 } }),
        container('b', { podUid: 'u1', podName: 'web', podNamespace: 'shop', qosClass: 'burstable', resources: { cgroup: 2, memoryMaxBytes: 32 * 1024 * 1024 } }),
        container('pause', { podUid: 'u1', sandbox: true }),
        container('c', { podUid: 'u2', podName: 'batch', podNamespace: 'jobs', qosClass: 'besteffort', resources: { cgroup: 2, memoryMaxBytes: null } }),
        container('loose', {}),
      ],
      errors: [],
    } as unknown as Snapshot;
    expect(podRows(indexSnapshot(snapshot))).toEqual([
      { uid: 'u2', name: 'jobs/batch', qos: 'besteffort', containers: 1, cpu: 50, rssKb: 10, memoryMaxBytes: null },
      { uid: 'u1', name: 'shop/web', qos: 'burstable', containers: 2, cpu: 8, rssKb: 1624, memoryMaxBytes: 96 * 1024 * 1024 },
    ]);
  });
});
