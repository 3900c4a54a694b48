/** A small snapshot for renderer tests: a process list of your choice, three sockets and one Kubernetes container. */
import type { Snapshot, SnapshotProcess } from '../../shared/snapshot/types';

export function fakeSnapshot(processes: SnapshotProcess[]): Snapshot {
  return {
    format: 'procscope.snapshot/v1',
    node: { target: 'local', hostname: 'h', kernel: '6', collectedAt: '2026-01-01T00:00:00.000Z' },
    processes,
    namespaces: [],
    sockets: [
      { proto: 'tcp', inode: 1, local: '0.0.0.0:22', remote: '0.0.0.0:*', state: 'LISTEN', pids: [1] },
      { proto: 'udp6', inode: 2, local: '[::1]:53', remote: '[::]:*', state: 'UNCONN', pids: [2] },
      { proto: 'unix', inode: 3, local: '/run/x', remote: '', state: 'LISTEN', pids: [2] },
    ],
    containers: [{ id: 'c'.repeat(64), runtime: 'containerd', cgroupPath: '/x', podName: 'web-0', podNamespace: 'shop', name: 'nginx', pids: [3], pidMap: [{ hostPid: 3, containerPid: 1 }] }],
    errors: [],
  };
}
