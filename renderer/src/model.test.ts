import { describe, expect, it } from 'vitest';
import type { Snapshot, SnapshotProcess } from '../../shared/snapshot/types';
import { filterAndSort, filterSockets, indexSnapshot, processTree } from './model';
import { visibleParts, visibleText } from '../../shared/visible';

function proc(pid: number, ppid: number, name: string, extra: Partial<SnapshotProcess> = {}): SnapshotProcess {
  return { pid, ppid, name, state: 'S', uid: 0, gid: 0, user: 'root', threads: 1, cmdline: [name, `--id=${pid}`], exe: null, nspid: [pid], namespaces: {}, cgroups: [], fds: [], containerId: null, rssKb: pid * 10, ...extra };
}

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

const index = indexSnapshot(fakeSnapshot([proc(1, 0, 'init'), proc(2, 1, 'sshd', { user: 'alice' }), proc(3, 2, 'nginx', { containerId: 'c'.repeat(64) }), proc(4, 1, 'cron')]));

describe('renderer model', () => {
  it.each([
    ['', [1, 2, 3, 4]],
    ['alice', [2]],
    ['shop nginx', [3]],
    ['--id=4', [4]],
    ['3', [3]],
    ['web-0', [3]],
    ['nothing-like-this', []],
  ])('filter %j', (filter, pids) => {
    expect(filterAndSort(index, filter, { column: 'pid', descending: false }).map((p) => p.pid)).toEqual(pids);
  });

  it('sorts by any column, both ways', () => {
    expect(filterAndSort(index, '', { column: 'name', descending: false }).map((p) => p.name)).toEqual(['cron', 'init', 'nginx', 'sshd']);
    expect(filterAndSort(index, '', { column: 'rssKb', descending: true }).map((p) => p.pid)).toEqual([4, 3, 2, 1]);
    expect(filterAndSort(index, '', { column: 'container', descending: true }).map((p) => p.pid)[0]).toBe(3);
  });

  it('builds the tree by parent, keeping ancestors of matches', () => {
    expect(processTree(index, '').map((r) => [r.process.pid, r.depth])).toEqual([[1, 0], [2, 1], [3, 2], [4, 1]]);
    expect(processTree(index, 'nginx').map((r) => r.process.pid)).toEqual([1, 2, 3]);
  });

  it('filters sockets by listening and protocol family', () => {
    expect(filterSockets(index.snapshot.sockets, true, 'all').map((s) => s.inode)).toEqual([1, 3]);
    expect(filterSockets(index.snapshot.sockets, false, 'udp').map((s) => s.inode)).toEqual([2]);
    expect(filterSockets(index.snapshot.sockets, false, 'all', ':22', index).map((s) => s.inode)).toEqual([1]);
    expect(filterSockets(index.snapshot.sockets, false, 'all', 'sshd /run', index).map((s) => s.inode)).toEqual([3]);
    expect(filterSockets(index.snapshot.sockets, false, 'all', 'nothing', index)).toEqual([]);
  });

  it('shows control characters and non-UTF-8 bytes as escapes', () => {
    expect(visibleText('a\nb\tc\x1b[31m\udcff)')).toBe('a\\nb\\tc\\e[31m\\xff)');
    expect(visibleParts('ok\n').map((p) => p.escaped)).toEqual([false, true]);
    expect(visibleText('\u202eevil')).toBe('\\u{202e}evil');
  });
});
