import { describe, expect, it } from 'vitest';
import type { Snapshot, SnapshotProcess } from '../snapshot/types';
import { type FleetQuery, matchSnapshot } from './query';

const proc = (pid: number, name: string, extra: Partial<SnapshotProcess> = {}): SnapshotProcess => ({ pid, ppid: 1, name, state: 'S', uid: 0, gid: 0, user: 'root', threads: 1, cmdline: [name], exe: `/usr/bin/${name}`, nspid: [pid], namespaces: {}, cgroups: [], fds: [], containerId: null, ...extra });
const snapshot: Snapshot = {
  format: 'procscope.snapshot/v1',
  node: { target: 't', hostname: 'h', kernel: 'k', collectedAt: '2026-11-29T00:00:00Z' },
  processes: [
    proc(10, 'kube-apiserver', { cmdline: ['kube-apiserver', '--secure-port=6443'] }),
    proc(20, 'curl', { user: 'alice', uid: 1000 }),
    proc(30, 'nginx', { containerId: 'c0ffee' + '0'.repeat(58), exe: '/usr/sbin/nginx (deleted)' }),
    proc(40, 'sh', { collector: true }),
  ],
  namespaces: [],
  sockets: [
    { proto: 'tcp6', inode: 1, local: '[::]:6443', remote: '[::]:0', state: 'LISTEN', netns: 1, pids: [10] },
    { proto: 'tcp', inode: 2, local: '10.0.0.5:51000', remote: '10.0.0.1:6443', state: 'ESTAB', netns: 1, pids: [20] },
    { proto: 'tcp', inode: 3, local: '0.0.0.0:80', remote: '0.0.0.0:0', state: 'LISTEN', netns: 9, pids: [30] },
    { proto: 'tcp', inode: 4, local: '127.0.0.1:6443', remote: '0.0.0.0:0', state: 'LISTEN', netns: 1, pids: [40] },
  ],
  containers: [{ id: 'c0ffee' + '0'.repeat(58), runtime: 'containerd', cgroupPath: '/x', name: 'web', podName: 'web-7d9', podNamespace: 'shop', podUid: 'uid-1', pids: [30], pidMap: [] }],
  errors: [],
};

describe('matchSnapshot', () => {
  it.each<[string, FleetQuery, [number, string[]][]]>([
    ['a port, listening or connected, not the collector\'s', { port: 6443 }, [[10, ['tcp6 [::]:6443 LISTEN']], [20, ['tcp 10.0.0.5:51000 → 10.0.0.1:6443 ESTAB']]]],
    ['a port in another network namespace', { port: 80 }, [[30, ['tcp 0.0.0.0:80 LISTEN']]]],
    ['a name', { name: /^kube-/ }, [[10, ['name kube-apiserver']]]],
    ['a command line', { cmdline: /secure-port=6443/ }, [[10, ['cmdline kube-apiserver --secure-port=6443']]]],
    ['an exe, deleted since it started', { exe: '/usr/sbin/nginx' }, [[30, ['exe /usr/sbin/nginx (deleted)']]]],
    ['a container id prefix', { container: 'C0FFEE' }, [[30, ['container web']]]],
    ['a container name', { container: 'web' }, [[30, ['container web']]]],
    ['a pod by namespace/name, and by uid', { pod: 'shop/web-7d9' }, [[30, ['pod shop/web-7d9']]]],
    ['a pod uid', { pod: 'uid-1' }, [[30, ['pod shop/web-7d9']]]],
    ['a user by name or uid', { user: '1000' }, [[20, ['user alice']]]],
    ['conditions together', { port: 6443, user: 'alice' }, [[20, ['tcp 10.0.0.5:51000 → 10.0.0.1:6443 ESTAB', 'user alice']]]],
    ['nothing', { name: /^postgres$/ }, []],
  ])('%s', (_name, query, expected) => {
    expect(matchSnapshot(snapshot, query).map((m) => [m.pid, m.matched])).toEqual(expected);
  });
  it('names the container and pod of a match', () => {
    expect(matchSnapshot(snapshot, { port: 80 })[0]).toMatchObject({ container: 'web', pod: 'shop/web-7d9', containerId: snapshot.containers[0]!.id });
  });
});
