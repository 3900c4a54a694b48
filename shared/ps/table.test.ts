import { describe, expect, it } from 'vitest';
import { formatPsTable, parsePsSort, psRows } from './table';
import type { Snapshot, SnapshotProcess } from '../snapshot/types';

const proc = (pid: number, name: string, extra: Partial<SnapshotProcess> = {}): SnapshotProcess => ({
  pid, ppid: 1, name, state: 'S', uid: 0, gid: 0, user: 'root', threads: 1, cmdline: [name, '--flag'], exe: null, nspid: [pid], namespaces: {}, cgroups: [], fds: null, containerId: null, ...extra,
});

const snapshot = (processes: SnapshotProcess[]): Snapshot => ({
  format: 'procscope.snapshot/v1',
  node: { target: 'local', hostname: 'h', kernel: '6.1', collectedAt: '2026-12-01T10:00:00.000Z', clockTicks: 100, memory: { totalKb: 1000, availableKb: 500, freeKb: 0, buffersKb: 0, cachedKb: 0, swapTotalKb: 0, swapFreeKb: 0 } },
  processes,
  namespaces: [],
  sockets: [],
  containers: [{ id: 'c'.repeat(64), runtime: 'docker', cgroupPath: '/docker/x', name: 'web', pids: [3], pidMap: [] }],
  errors: [],
});

describe('parsePsSort', () => {
  it.each([
    ['pid', { key: 'pid', descending: false }],
    ['cpu', { key: 'cpu', descending: true }],
    ['+rss', { key: 'rss', descending: false }],
    ['-start', { key: 'start', descending: true }],
    ['user', { key: 'user', descending: false }],
    ['pcpu', null],
    ['', null],
    ['--cpu', null],
  ])('%j', (text, expected) => expect(parsePsSort(text)).toEqual(expected));
});

describe('psRows and formatPsTable', () => {
  const snap = snapshot([
    proc(1, 'init', { cpuPercent: 0.05, rssKb: 10, cpuTicks: 6100 }),
    proc(2, 'kthreadd', { cmdline: [], rssKb: 0 }),
    proc(3, 'nginx', { containerId: 'c'.repeat(64), cpuPercent: 12.37, rssKb: 19, cpuTicks: 100, startedAt: '2026-12-01T09:15:00.000Z', virtKb: 2048 }),
    proc(4, 'evil\u001b[2J', { user: 'bob', uid: 1000, cmdline: ['evil\n', 'x'], cpuPercent: 50, startedAt: '2026-11-30T23:00:00.000Z' }),
  ]);

  it('sorts, biggest first where asked, and filters with the app\'s words', () => {
    expect(psRows(snap, '', parsePsSort('cpu')!).map((r) => r.process.pid)).toEqual([4, 3, 1, 2]);
    expect(psRows(snap, '', parsePsSort('+cpu')!).map((r) => r.process.pid)).toEqual([2, 1, 3, 4]);
    expect(psRows(snap, 'web', parsePsSort('pid')!).map((r) => r.process.pid)).toEqual([3]);
    expect(psRows(snap, 'nginx --flag', parsePsSort('pid')!).map((r) => r.process.pid)).toEqual([3]);
    expect(psRows(snap, 'bob', parsePsSort('pid')!).map((r) => r.process.pid)).toEqual([4]);
  });

  it('prints ps aux\'s columns with the container, %MEM cut as ps cuts it, and nothing from the node raw', () => {
    const lines = formatPsTable(snap, psRows(snap, '', parsePsSort('pid')!)).split('\n');
    expect(lines[0]).toMatch(/^USER +PID +%CPU +%MEM +VSZ +RSS +STAT +START +TIME +CONTAINER +COMMAND$/);
    // 19 kB of 1000: 1.9 %, and 12.37 % CPU printed 12.3 (cut, not rounded).
    expect(lines[3]).toMatch(/^root +3 +12\.3 +1\.9 +2048 +19 S +09:15 +0:01 web +nginx --flag$/);
    expect(lines[1]).toMatch(/ 1:01 +- +init --flag$/);
    expect(lines[2]).toMatch(/ - +\[kthreadd\]$/);
    // Another day's start shows the date; a name with an escape and an argv with a newline are made visible.
    expect(lines[4]).toContain(' 11-30 ');
    expect(lines[4]).toContain('evil\\n x');
    expect(lines.join('\n')).not.toContain('\u001b');
  });
});
