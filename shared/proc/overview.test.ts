import { describe, expect, it } from 'vitest';
import { cpuPercentBetween, parseCpuStat } from './cpu-stat';
import { fixture } from './fixtures';
import { parseMeminfo } from './meminfo';
import { parsePressure } from './pressure';

describe('the node overview files', () => {
  it('reads the cpu lines of a real /proc/stat: the machine, then each core', () => {
    const s = parseCpuStat(fixture('stat-cpu.txt'))!;
    expect(s.cores.map((c) => c.core)).toEqual([0, 1]);
    expect(s.all.total).toBeGreaterThan(s.all.busy);
    // The machine's line is the sum of its cores' (the kernel adds them up; a tick or two may differ per field).
    expect(Math.abs(s.all.total - s.cores.reduce((n, c) => n + c.total, 0))).toBeLessThan(10);
  });

  it.each<[string, number | null]>([
    ['cpu  100 0 100 800 0 0 0 0 0 0\n', 20],
    ['cpu  100 0 100 800 0 0 0 0\ncpu0 1 2 3 4\n', 20],
    ['cpu 1 2 3\n', null],
    ['intr 1 2 3\n', null],
  ])('%j: busy %s%% since boot', (text, busy) => {
    const s = parseCpuStat(text);
    expect(s ? Math.round((s.all.busy / s.all.total) * 100) : null).toBe(busy);
  });

  it('gives the busy share between two readings', () => {
    expect(cpuPercentBetween({ busy: 100, total: 1000 }, { busy: 150, total: 1100 })).toBe(50);
    expect(cpuPercentBetween({ busy: 100, total: 1000 }, { busy: 100, total: 1000 })).toBeNull();
  });

  it('reads a real /proc/meminfo, and an old one without MemAvailable', () => {
    const m = parseMeminfo(fixture('meminfo.txt'))!;
    expect(m.totalKb).toBeGreaterThan(m.availableKb);
    expect(m.availableKb).toBeGreaterThan(0);
    expect(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 200 kB\n')).toMatchObject({ totalKb: 1000, availableKb: 350, swapTotalKb: 0 });
    expect(parseMeminfo('nothing')).toBeNull();
  });

  it('reads real pressure files, with and without a full line', () => {
    expect(parsePressure(fixture('pressure-cpu.txt'))!.some.avg10).toBeGreaterThanOrEqual(0);
    expect(parsePressure(fixture('pressure-memory.txt'))!.full).toBeDefined();
    expect(parsePressure('some avg10=1.50 avg60=0.00 avg300=0.00 total=12\n')).toEqual({ some: { avg10: 1.5, avg60: 0, avg300: 0, totalUs: 12 } });
    expect(parsePressure('')).toBeNull();
  });
});
