import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../shared/snapshot/types';
import { HISTORY_MOMENTS, HISTORY_PROCESSES, HISTORY_STEP_MS, remember } from './history';

const at = (ms: number, processes = 1): Snapshot =>
  ({ format: 'procscope.snapshot/v1', node: { target: 'local', hostname: 'h', kernel: 'k', collectedAt: new Date(ms).toISOString() }, processes: Array.from({ length: processes }, (_, i) => ({ pid: i + 1 })), namespaces: [], sockets: [], containers: [], errors: [] }) as unknown as Snapshot;

describe('remember', () => {
  it('keeps one moment per step at most, and returns the same array when it keeps nothing', () => {
    const h1 = remember([], at(0));
    const h2 = remember(h1, at(HISTORY_STEP_MS - 1));
    expect(h2).toBe(h1);
    const h3 = remember(h2, at(HISTORY_STEP_MS));
    expect(h3.map((m) => m.at)).toEqual([new Date(0).toISOString(), new Date(HISTORY_STEP_MS).toISOString()]);
    expect(h1).toHaveLength(1);
  });

  it('drops the oldest moments past the count and past the process bound', () => {
    let h = remember([], at(0));
    for (let i = 1; i <= HISTORY_MOMENTS + 5; i++) h = remember(h, at(i * HISTORY_STEP_MS));
    expect(h).toHaveLength(HISTORY_MOMENTS);
    expect(h[h.length - 1]!.at).toBe(new Date((HISTORY_MOMENTS + 5) * HISTORY_STEP_MS).toISOString());
    const big = Math.ceil(HISTORY_PROCESSES / 3);
    let b = remember([], at(0, big));
    for (let i = 1; i < 5; i++) b = remember(b, at(i * HISTORY_STEP_MS, big));
    expect(b.reduce((n, m) => n + m.snapshot.processes.length, 0)).toBeLessThanOrEqual(HISTORY_PROCESSES);
    expect(b).toHaveLength(2);
  });
});
