import { describe, expect, it } from 'vitest';
import type { Snapshot, SnapshotProcess } from '../../shared/snapshot/types';
import { NODE_SAMPLES, addSample, formatUptime, processSeries } from './overview';

const snap = (at: number, extra: Partial<Snapshot['node']> = {}, processes: Partial<SnapshotProcess>[] = []): Snapshot =>
  ({ format: 'procscope.snapshot/v1', node: { target: 't', hostname: 'h', kernel: 'k', collectedAt: new Date(at).toISOString(), ...extra }, processes, namespaces: [], sockets: [], containers: [], errors: [] }) as unknown as Snapshot;

describe('the overview over time', () => {
  it('samples the node once per reading, at most NODE_SAMPLES', () => {
    let ring = addSample([], snap(1000, { cpuPercent: 12, memory: { totalKb: 100, availableKb: 40, freeKb: 0, buffersKb: 0, cachedKb: 0, swapTotalKb: 0, swapFreeKb: 0 }, load: { one: 1.5, five: 1, fifteen: 1, running: 1, tasks: 9 } }));
    expect(ring).toEqual([{ at: 1000, cpu: 12, memUsedKb: 60, load: 1.5 }]);
    expect(addSample(ring, snap(1000))).toBe(ring);
    for (let i = 1; i <= NODE_SAMPLES + 5; i++) ring = addSample(ring, snap(1000 + i * 2000));
    expect(ring).toHaveLength(NODE_SAMPLES);
    expect(ring[0]!.cpu).toBeNull();
  });

  it('follows one process, not a later one with its pid', () => {
    const moments = [1, 2, 3].map((i) => ({ at: new Date(i * 10_000).toISOString(), snapshot: snap(i * 10_000, {}, [{ pid: 7, startTicks: i === 2 ? 99 : 5, cpuPercent: i, rssKb: i * 100 }]) }));
    expect(processSeries(moments, snap(40_000, {}, [{ pid: 7, startTicks: 5, cpuPercent: 4, rssKb: 400 }]), 7, 5)).toEqual([
      { at: 10_000, cpu: 1, rssKb: 100 },
      { at: 30_000, cpu: 3, rssKb: 300 },
      { at: 40_000, cpu: 4, rssKb: 400 },
    ]);
  });

  it.each([
    [59, '0 min'],
    [3 * 3600 + 12 * 60, '3 h 12 min'],
    [2 * 86400 + 5 * 3600, '2 d 5 h'],
  ])('uptime %d s is %s', (sec, text) => expect(formatUptime(sec)).toBe(text));
});
