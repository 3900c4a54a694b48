import { describe, expect, it } from 'vitest';
import { type SnapshotDelta, applyDelta } from '../../shared/snapshot/refresh';
import type { Snapshot, SnapshotProcess } from '../../shared/snapshot/types';
import { fakeSnapshot } from '../test/fake-snapshot';
import { buildIndex, filterAndSort, filterSockets, formatCpuTime, formatStart, indexSnapshot, isListening, nextSort, processTree, sortRows } from './model';

function proc(pid: number, ppid: number, name: string, extra: Partial<SnapshotProcess> = {}): SnapshotProcess {
  return { pid, ppid, name, state: 'S', uid: 0, gid: 0, user: 'root', threads: 1, cmdline: [name, `--id=${pid}`], exe: null, nspid: [pid], namespaces: {}, cgroups: [], fds: [], containerId: null, rssKb: pid * 10, ...extra };
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

  it("filters a process a live tick kept (the same object) by its container's names as they are now", () => {
    const snap = index.snapshot;
    const renamed = { ...snap, containers: snap.containers.map((c) => ({ ...c, name: 'renamed-box', podName: null })), errors: [...snap.errors] };
    const again = indexSnapshot(renamed);
    expect(again.snapshot.processes[2]).toBe(index.snapshot.processes[2]);
    expect(filterAndSort(again, 'renamed-box', { column: 'pid', descending: false }).map((p) => p.pid)).toEqual([3]);
    expect(filterAndSort(again, 'web-0', { column: 'pid', descending: false }).map((p) => p.pid)).toEqual([]);
    expect(filterAndSort(indexSnapshot(snap), 'web-0', { column: 'pid', descending: false }).map((p) => p.pid)).toEqual([3]);
  });

  it('sorts by any column, both ways', () => {
    expect(filterAndSort(index, '', { column: 'name', descending: false }).map((p) => p.name)).toEqual(['cron', 'init', 'nginx', 'sshd']);
    expect(filterAndSort(index, '', { column: 'rssKb', descending: true }).map((p) => p.pid)).toEqual([4, 3, 2, 1]);
    expect(filterAndSort(index, '', { column: 'container', descending: true }).map((p) => p.pid)[0]).toBe(3);
  });

  it('builds the tree by parent with branch lines, keeping ancestors of matches', () => {
    expect(processTree(index, '').map((r) => [r.process.pid, r.depth, r.prefix])).toEqual([
      [1, 0, ''],
      [2, 1, '├─ '],
      [3, 2, '│  └─ '],
      [4, 1, '└─ '],
    ]);
    expect(processTree(index, 'nginx').map((r) => r.process.pid)).toEqual([1, 2, 3]);
  });

  it('folds a subtree and says so', () => {
    const rows = processTree(index, '', new Set([2]));
    expect(rows.map((r) => r.process.pid)).toEqual([1, 2, 4]);
    expect(rows.find((r) => r.process.pid === 2)).toMatchObject({ hasChildren: true, collapsed: true });
    expect(rows.find((r) => r.process.pid === 4)).toMatchObject({ hasChildren: false, collapsed: false });
  });

  it.each([
    ['tcp LISTEN', { proto: 'tcp', state: 'LISTEN' }, true],
    ['tcp ESTAB', { proto: 'tcp', state: 'ESTAB' }, false],
    ['udp bound, no peer', { proto: 'udp', state: 'UNCONN' }, true],
    ['udp6 connected', { proto: 'udp6', state: 'ESTAB' }, false],
    ['unix stream listener', { proto: 'unix', state: 'LISTEN' }, true],
    ['tcp closed (UNCONN is not a TCP state to list)', { proto: 'tcp', state: 'UNCONN' }, false],
  ] as const)('listening as ss -l: %s', (_name, socket, listening) => {
    expect(isListening({ inode: 1, local: '', remote: '', pids: [], ...socket })).toBe(listening);
  });

  it('filters sockets by listening, protocol family, and exact ports', () => {
    const sockets = [...index.snapshot.sockets, { proto: 'tcp' as const, inode: 9, local: '10.0.0.1:2311', remote: '10.0.0.2:40022', state: 'ESTAB', pids: [] }];
    expect(filterSockets(sockets, true, 'all').map((s) => s.inode)).toEqual([1, 2, 3]);
    expect(filterSockets(sockets, false, 'udp').map((s) => s.inode)).toEqual([2]);
    expect(filterSockets(sockets, false, 'all', ':22', index).map((s) => s.inode)).toEqual([1]);
    expect(filterSockets(sockets, false, 'all', ':2311', index).map((s) => s.inode)).toEqual([9]);
    expect(filterSockets(sockets, false, 'all', ':40022', index).map((s) => s.inode)).toEqual([9]);
    expect(filterSockets(sockets, false, 'all', ':23', index)).toEqual([]);
    expect(filterSockets(sockets, false, 'all', 'alice', index).map((s) => s.inode)).toEqual([]);
    expect(filterSockets(index.snapshot.sockets, false, 'all', 'sshd /run', index).map((s) => s.inode)).toEqual([3]);
    expect(filterSockets(index.snapshot.sockets, false, 'all', 'nothing', index)).toEqual([]);
  });

  it('sorts any table by a column, numbers as numbers, ties kept in order', () => {
    const rows = [{ n: 10, s: 'b' }, { n: 9, s: 'a' }, { n: 10, s: 'a' }];
    expect(sortRows(rows, (r, c) => (c === 'n' ? r.n : r.s), { column: 'n', descending: false })).toEqual([rows[1], rows[0], rows[2]]);
    expect(sortRows(rows, (r, c) => (c === 'n' ? r.n : r.s), { column: 's', descending: true })).toEqual([rows[0], rows[1], rows[2]]);
    expect(nextSort({ column: 'n', descending: false }, 'n')).toEqual({ column: 'n', descending: true });
    expect(nextSort({ column: 'n', descending: false }, 'rx', true)).toEqual({ column: 'rx', descending: true });
    expect(nextSort(null, 's')).toEqual({ column: 's', descending: false });
  });
});

describe('htop columns', () => {
  it.each<[number | undefined, number, string]>([
    [12345, 100, '2:03.45'],
    [0, 100, '0:00.00'],
    [360000, 100, '60:00.00'],
    [250, 250, '0:01.00'],
    [undefined, 100, ''],
  ])('TIME+ of %s ticks at %d Hz is %j', (ticks, hz, text) => expect(formatCpuTime(ticks, hz)).toBe(text));

  it('gives a start time as the clock time that day, else the date', () => {
    const at = '2026-11-29T15:00:00';
    expect(formatStart(new Date('2026-11-29T09:05:00').toISOString(), new Date(at).toISOString())).toBe('09:05');
    expect(formatStart(new Date('2026-11-20T09:05:00').toISOString(), new Date(at).toISOString())).toMatch(/^2026-11-(19|20)$/);
    expect(formatStart(undefined, at)).toBe('');
  });
});

describe('index across live ticks', () => {
  const box = 'c'.repeat(64);
  const base = fakeSnapshot([proc(1, 0, 'init'), proc(3, 1, 'nginx', { containerId: box, cpuPercent: 1, cgroups: [{ hierarchy: 0, controllers: [], path: `/system.slice/docker-${box}.scope` }] }), proc(5, 1, 'cron')]);
  const tick = (prev: Snapshot, d: Partial<SnapshotDelta>): Snapshot =>
    applyDelta(prev, { collectedAt: new Date(0).toISOString(), durationMs: 1, uptimeSec: null, updated: [], added: [], removed: [], fds: [], errors: [], ...d });
  const moved = (p: SnapshotProcess, cpuPercent: number) => ({ pid: p.pid, state: p.state, ppid: p.ppid, cpuTicks: (p.cpuTicks ?? 0) + 1, cpuPercent, threads: p.threads, rssKb: p.rssKb ?? null });

  it("sums a container's CPU again when only its processes' numbers moved", () => {
    expect(indexSnapshot(base).containerTotals.get(box)?.cpu).toBe(1);
    const next = tick(base, { updated: [moved(base.processes[1]!, 42)] });
    expect(indexSnapshot(next).containerTotals.get(box)?.cpu).toBe(42);
  });

  it('gives a process that came and drops one that went, in every lookup, as a full index would', () => {
    const prev = tick(base, {});
    indexSnapshot(prev);
    const born = proc(7, 3, 'worker', { containerId: box, cpuPercent: 5, cgroups: [{ hierarchy: 0, controllers: [], path: `/system.slice/docker-${box}.scope` }] });
    const next = tick(prev, { added: [born], removed: [5] });
    const kept = indexSnapshot(next);
    const fresh = buildIndex(next);
    const pids = [1, 3, 5, 7];
    for (const key of ['byPid', 'childrenOf', 'commandLine', 'haystack', 'errorsByPid'] as const) {
      expect(pids.map((pid) => kept[key].get(pid)), key).toEqual(pids.map((pid) => fresh[key].get(pid)));
    }
    for (const key of ['userByUid', 'containerTotals', 'socketByInode', 'containerById', 'namespaceByKey'] as const) {
      expect([...kept[key].entries()], key).toEqual([...fresh[key].entries()]);
    }
    expect(kept.containerTotals.get(box)).toEqual({ cpu: 6, rssKb: 100 });
    expect(kept.byPid.has(5)).toBe(false);
    expect(kept.commandLine.get(7)).toBe('worker --id=7');
  });
});
