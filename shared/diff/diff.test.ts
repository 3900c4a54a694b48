import { describe, expect, it } from 'vitest';
import type { Snapshot, SnapshotProcess, SnapshotSocket } from '../snapshot/types';
import { DEFAULT_THRESHOLDS, diffSnapshots, processChanges } from './diff';
import { formatDiff, summaryLine } from './format';

function proc(pid: number, name: string, extra: Partial<SnapshotProcess> = {}): SnapshotProcess {
  return { pid, ppid: 1, name, state: 'S', uid: 0, gid: 0, user: 'root', threads: 1, cmdline: [name], exe: `/bin/${name}`, cwd: '/', nspid: [pid], namespaces: { net: 1, pid: 2 }, cgroups: [{ hierarchy: 0, controllers: [], path: '/' }], rssKb: 1000, startTicks: pid * 10, fds: [], containerId: null, ...extra };
}

function sock(inode: number, local: string, pids: number[], extra: Partial<SnapshotSocket> = {}): SnapshotSocket {
  return { proto: 'tcp', inode, local, remote: '0.0.0.0:0', state: 'LISTEN', netns: 1, pids, ...extra };
}

function snap(processes: SnapshotProcess[], sockets: SnapshotSocket[] = [], node: Partial<Snapshot['node']> = {}): Snapshot {
  return { format: 'procscope.snapshot/v1', node: { target: 'local', hostname: 'web-1', kernel: '6.1', bootId: 'boot-a', collectedAt: '2026-11-29T09:00:00.000Z', ...node }, processes, namespaces: [], sockets, containers: [], errors: [] };
}

describe('diffSnapshots', () => {
  it('matches by boot id, pid and start time: a reused pid is an exit and a start', () => {
    const d = diffSnapshots(snap([proc(1, 'init'), proc(42, 'old')]), snap([proc(1, 'init'), proc(42, 'new', { startTicks: 9999 })]));
    expect(d.matching).toBe('identity');
    expect(d.processes.exited.map((p) => p.name)).toEqual(['old']);
    expect(d.processes.started.map((p) => p.name)).toEqual(['new']);
    expect(d.processes.changed).toEqual([]);
  });

  it('leaves procscope\'s own collector processes and the sockets only they hold out of both sides', () => {
    const d = diffSnapshots(snap([proc(1, 'init'), proc(50, 'sh', { collector: true })], [sock(7, '127.0.0.1:1', [50])]), snap([proc(1, 'init'), proc(60, 'sh', { collector: true })]));
    expect(d.summary).toEqual({ processesStarted: 0, processesExited: 0, processesChanged: 0, listenersAdded: 0, listenersRemoved: 0, socketsOpened: 0, socketsClosed: 0, containersCreated: 0, containersGone: 0, namespacesCreated: 0, namespacesGone: 0 });
  });

  it('pairs by name and command line across nodes or boots, and says why', () => {
    const a = snap([proc(1, 'init'), proc(10, 'nginx'), proc(11, 'nginx'), proc(12, 'agent', { cmdline: ['agent', '--v1'] })], [sock(1, '0.0.0.0:80', [10])]);
    const b = snap([proc(1, 'init'), proc(20, 'nginx'), proc(21, 'agent', { cmdline: ['agent', '--v2'] })], [sock(5, '10.0.0.9:80', [20]), sock(6, '0.0.0.0:443', [20])], { hostname: 'web-2', bootId: 'boot-b' });
    const d = diffSnapshots(a, b);
    expect(d.matching).toBe('similarity');
    expect(d.matchingReason).toBe('they are different nodes (web-1 and web-2)');
    expect(d.processes.exited.map((p) => [p.pid, p.cmdline.join(' ')])).toEqual([[11, 'nginx'], [12, 'agent --v1']]);
    expect(d.processes.started.map((p) => p.cmdline.join(' '))).toEqual(['agent --v2']);
    // Port 80 of nginx is there on both (at other addresses); 443 is new.
    expect(d.listeners.added.map((s) => s.local)).toEqual(['0.0.0.0:443']);
    expect(d.listeners.removed).toEqual([]);
    expect(formatDiff(d)).toContain('Matched by similarity, because they are different nodes (web-1 and web-2)');
    expect(diffSnapshots(a, snap(a.processes, a.sockets, { bootId: 'boot-c' })).matchingReason).toBe('web-1 rebooted between them (its boot id changed)');
  });

  it('takes the same host name and target for the same boot where a side has no boot id (older files)', () => {
    expect(diffSnapshots(snap([proc(1, 'init')], [], { bootId: undefined }), snap([proc(1, 'init')])).matching).toBe('identity');
  });

  it.each<[string, Partial<SnapshotProcess>, Partial<SnapshotProcess>, string[]]>([
    ['nothing', {}, {}, []],
    ['argv', {}, { cmdline: ['x', '--new'] }, ['cmdline']],
    ['a binary replaced on disk', { exe: '/bin/x' }, { exe: '/bin/x (deleted)' }, ['exe']],
    ['an exe that could not be read is no change', { exe: '/bin/x' }, { exe: null }, []],
    ['user, cwd, parent', {}, { uid: 33, user: 'www', cwd: '/srv', ppid: 7 }, ['uid', 'cwd', 'ppid']],
    ['a move to another container and cgroup', {}, { containerId: 'c1', cgroups: [{ hierarchy: 0, controllers: [], path: '/docker/c1' }] }, ['container', 'cgroup']],
    ['a namespace joined', {}, { namespaces: { net: 9, pid: 2 } }, ['namespace']],
    ['9 more threads: under the threshold', {}, { threads: 10 }, []],
    ['10 more threads', {}, { threads: 11 }, ['threads']],
    ['RSS by less than 64 MiB', {}, { rssKb: 1000 + 65535 }, []],
    ['RSS by 64 MiB', {}, { rssKb: 1000 + 65536 }, ['rss']],
  ])('processChanges: %s', (_name, before, after, fields) => {
    expect(processChanges(proc(5, 'x', before), proc(5, 'x', after), DEFAULT_THRESHOLDS).map((c) => c.field)).toEqual(fields);
  });

  it('lists listeners apart from other sockets, and writes a summary line', () => {
    const conn = sock(30, '10.0.0.1:5555', [2], { remote: '10.0.0.2:5432', state: 'ESTABLISHED' });
    const d = diffSnapshots(snap([proc(1, 'init'), proc(2, 'app')], [sock(20, '0.0.0.0:22', [1])]), snap([proc(1, 'init'), proc(2, 'app')], [sock(21, '0.0.0.0:8080', [2]), conn]));
    expect(d.listeners.added.map((s) => s.local)).toEqual(['0.0.0.0:8080']);
    expect(d.listeners.removed.map((s) => s.local)).toEqual(['0.0.0.0:22']);
    expect(d.sockets.opened.map((s) => [s.local, s.remote])).toEqual([['10.0.0.1:5555', '10.0.0.2:5432']]);
    expect(summaryLine(d)).toBe('+0 processes, -0, 0 changed; +1 listener, -1; +0 containers, -0; +1 socket, -0; +0 namespaces, -0');
    expect(formatDiff(d)).toContain('+ tcp 10.0.0.1:5555 → 10.0.0.2:5432 ESTABLISHED  2/app');
  });

  it('takes a namespace inode the kernel handed on to a new namespace for another namespace: gone and created', () => {
    const ns = (inode: number, pids: number[], paths?: string[]) => ({ type: 'pid', inode, pids, ...(paths ? { paths } : {}) });
    const before = { ...snap([proc(1, 'init'), proc(5, 'old-ctr')]), namespaces: [ns(100, [5]), ns(200, [1]), ns(300, [], ['/run/netns/x'])] };
    const after = { ...snap([proc(1, 'init'), proc(9, 'new-ctr')]), namespaces: [ns(100, [9]), ns(200, [1]), ns(300, [], ['/run/netns/x'])] };
    const d = diffSnapshots(before, after);
    expect(d.namespaces.created.map((n) => n.inode)).toEqual([100]);
    expect(d.namespaces.gone.map((n) => n.inode)).toEqual([100]);
  });

  it('shows names from the node escaped', () => {
    const d = diffSnapshots(snap([proc(1, 'init')]), snap([proc(1, 'init'), proc(3, 'evil', { cmdline: ['evil\n+ 1 root fake', '\u202e'] })]));
    expect(formatDiff(d)).toContain('+ 3 root "evil\\n+ 1 root fake" \\u{202e}');
  });
});
