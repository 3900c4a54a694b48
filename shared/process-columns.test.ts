import { describe, expect, it } from 'vitest';
import { csvColumns, processRecord } from './export/formats';
import { DEFAULT_PROCESS_COLUMNS, PROCESS_COLUMNS, PROCESS_COLUMN_DEFS, type ProcessColumnDef, filesNeeded, formatElapsed, isProcessColumn, plainColumnContext, sortValueOf } from './process-columns';
import { checkSettings } from './settings';
import type { Snapshot, SnapshotProcess } from './snapshot/types';

const node = { target: 'local', hostname: 'web-1', kernel: '6.1', collectedAt: '2026-12-08T10:00:00.000Z', clockTicks: 100, memory: { totalKb: 1000 } } as Snapshot['node'];
const p: SnapshotProcess = {
  pid: 42, ppid: 1, name: 'nginx', state: 'S', uid: 33, gid: 33, user: 'www-data', threads: 4, cmdline: ['nginx', '-g', 'daemon off;'], exe: '/usr/sbin/nginx',
  nspid: [42], namespaces: {}, cgroups: [], fds: null, containerId: null, rssKb: 250, virtKb: 2048, cpuPercent: 1.25, cpuTicks: 6150, nice: -5, priority: 15,
  startTicks: 900, startedAt: '2026-12-08T09:00:00.000Z', io: { readBytes: 4096, writeBytes: 0, rchar: 5000, wchar: 10, syscr: 1, syscw: 1, cancelledWriteBytes: 0 },
} as SnapshotProcess;
const snapshot = { format: 'procscope.snapshot/v1', node, processes: [p], namespaces: [], sockets: [], containers: [], errors: [] } as unknown as Snapshot;
const ctx = plainColumnContext(snapshot);

describe('the process columns', () => {
  it('are each declared once, with a header, a label and a width', () => {
    expect(new Set(PROCESS_COLUMNS).size).toBe(PROCESS_COLUMNS.length);
    for (const def of PROCESS_COLUMN_DEFS as readonly ProcessColumnDef[]) expect([def.title, def.label, def.width].every((t) => t.length > 0), def.id).toBe(true);
    expect(DEFAULT_PROCESS_COLUMNS).toEqual(['pid', 'ppid', 'user', 'state', 'cpu', 'threads', 'rssKb', 'container', 'name', 'cmdline']);
  });

  it.each([
    ['pid', 42, '42'],
    ['user', 'www-data', 'www-data'],
    ['cpu', 1.25, '1.2'],
    ['mem', 25, '25.0'],
    ['time', 6150, '1:01.50'],
    ['rssKb', 250, '250 K'],
    ['virt', 2048, '2.0 M'],
    ['ioRead', 4096, '4 K'],
    ['cmdline', 'nginx -g daemon off;', 'nginx -g daemon off;'],
    ['elapsed', 3600, '01:00:00'],
  ] as const)('%s: sorts by %j, shows %j', (id, value, text) => {
    const def = PROCESS_COLUMN_DEFS.find((d) => d.id === id)! as ProcessColumnDef;
    expect(sortValueOf(id, ctx, p)).toBe(value);
    expect(String((def.cell ?? def.value)(ctx, p))).toBe(text);
  });

  it.each([
    [0, '00:00'],
    [59, '00:59'],
    [61, '01:01'],
    [3599, '59:59'],
    [86399, '23:59:59'],
    [86400 * 3 + 3661, '3-01:01:01'],
  ])('gives %i seconds as ps gives ELAPSED: %s', (seconds, text) => {
    expect(formatElapsed(seconds)).toBe(text);
  });

  it('sorts a missing value first, whatever its type', () => {
    expect(sortValueOf('ioRead', ctx, { ...p, io: undefined } as SnapshotProcess)).toBe(-1);
    expect(sortValueOf('nice', ctx, { ...p, nice: undefined } as SnapshotProcess)).toBe(-1);
  });

  it('name the process files they need beyond the first read: I/O columns need io', () => {
    expect(filesNeeded(['pid', 'cpu', 'cmdline'])).toEqual([]);
    expect(filesNeeded(['pid', 'ioRead', 'ioWrite'])).toEqual(['io']);
    expect(filesNeeded(DEFAULT_PROCESS_COLUMNS)).toEqual([]);
  });

  it('give the exports their attributes: each column that names one is in every record and CSV row', () => {
    const record = processRecord(snapshot, p);
    for (const def of PROCESS_COLUMN_DEFS as readonly ProcessColumnDef[]) if (def.export) expect(Object.hasOwn(record, def.export.name), def.id).toBe(true);
    expect(record).toMatchObject({ 'process.pid': 42, 'process.owner': 'www-data', 'process.memory.usage': 256000, 'process.memory.virtual': 2097152, 'procscope.cpu_time_seconds': 61.5, 'procscope.io.read_bytes': 4096, 'process.command_line': 'nginx -g "daemon off;"' });
    expect(csvColumns(snapshot)).toContain('procscope.mem_percent');
  });

  it('are what the settings may hold, and nothing else', () => {
    expect(PROCESS_COLUMNS.every(isProcessColumn)).toBe(true);
    expect(isProcessColumn('constructor')).toBe(false);
    expect(checkSettings({ processColumns: ['pid', 'bogus', 'ioRead', 'pid'] })).toEqual({ processColumns: ['pid', 'ioRead'] });
  });
});
