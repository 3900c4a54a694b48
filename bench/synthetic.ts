/** A snapshot of N made-up processes for the renderer bench: a tree, varied names, users, containers. */
import type { Snapshot, SnapshotProcess } from '../shared/snapshot/types';

export function syntheticSnapshot(n: number): Snapshot {
  const names = ['nginx', 'postgres', 'java', 'node', 'python3', 'sshd', 'containerd-shim', 'kworker/0:1', 'worker', 'redis-server'];
  const processes: SnapshotProcess[] = [];
  for (let pid = 1; pid <= n; pid++) {
    const name = names[pid % names.length]!;
    processes.push({
      pid,
      ppid: pid === 1 ? 0 : Math.max(1, Math.floor(pid / 3)),
      name,
      state: pid % 17 === 0 ? 'R' : 'S',
      uid: pid % 5 === 0 ? 1000 : 0,
      gid: 0,
      user: pid % 5 === 0 ? 'app' : 'root',
      threads: 1 + (pid % 8),
      cmdline: [`/usr/bin/${name}`, `--instance=${name}-${pid}`, '--config', `/etc/${name}/${pid % 50}.conf`],
      exe: `/usr/bin/${name}`,
      nspid: [pid],
      namespaces: { net: 4026531840, pid: 4026531836, mnt: 4026531841 },
      cgroups: [{ hierarchy: 0, controllers: [], path: '/system.slice' }],
      rssKb: (pid * 37) % 500000,
      cpuPercent: (pid * 7) % 100,
      fds: [],
      containerId: null,
    });
  }
  return {
    format: 'procscope.snapshot/v1',
    node: { target: 'synthetic', hostname: 'bench', kernel: '6.0', collectedAt: new Date().toISOString() },
    processes,
    namespaces: [],
    sockets: [],
    containers: [],
    errors: [],
  };
}
