import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures';
import { parseStat } from './stat';

describe('parseStat', () => {
  it.each([
    ['stat-sleep.txt', { comm: 'sleep', state: 'S' }],
    ['stat-kthread.txt', { comm: expect.any(String), state: expect.stringMatching(/^[SIRD]$/), ppid: 2 }],
    ['stat-zombie.txt', { comm: 'sleep', state: 'Z' }],
    ['stat-renamed.txt', { comm: 'a\nb) c:d\\e', state: 'S' }],
  ])('%s', (file, expected) => {
    const stat = parseStat(fixture(file));
    expect(stat).toMatchObject(expected);
    expect(stat.pid).toBeGreaterThan(0);
    expect(stat.numThreads).toBeGreaterThanOrEqual(1);
    expect(stat.startTicks).toBeGreaterThan(0);
  });

  it.each([
    ['comm with ) and spaces', '42 (a) b (c) R 1 42 42 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 999 0 0', 'a) b (c', 'R', 10],
    ['empty comm', '7 () S 2 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0', '', 'S', 0],
  ])('%s', (_name, line, comm, state, cpu) => {
    const stat = parseStat(line);
    expect(stat.comm).toBe(comm);
    expect(stat.state).toBe(state);
    expect(stat.utime + stat.stime).toBe(cpu);
  });

  it.each([[''], ['42 no parens'], ['42 (x) ?? 1'], ['42 (x)']])('rejects %j', (line) => {
    expect(() => parseStat(line)).toThrow();
  });
});
