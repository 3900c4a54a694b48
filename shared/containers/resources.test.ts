import { describe, expect, it } from 'vitest';
import { cgroupPathsOf, parseCpuMax, parseMaxValue, readContainerResources } from './resources';

describe('container resources', () => {
  it.each<[string, number | null | undefined]>([
    ['max\n', null],
    ['67108864\n', 67108864],
    ['', undefined],
    ['lots', undefined],
  ])('max value %j', (text, value) => expect(parseMaxValue(text)).toBe(value));

  it.each<[string, number | null | undefined]>([
    ['50000 100000\n', 0.5],
    ['max 100000\n', null],
    ['200000 100000', 2],
    ['50000', undefined],
  ])('cpu.max %j', (text, cores) => expect(parseCpuMax(text)).toBe(cores));

  it('reads cgroup v2 files', () => {
    const dir = '/sys/fs/cgroup/system.slice/docker-abc.scope';
    const files = new Map(
      Object.entries({
        'memory.current': '1234567\n',
        'memory.max': '67108864\n',
        'memory.events': 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n',
        'cpu.max': '50000 100000\n',
        'cpu.stat': 'usage_usec 999\nuser_usec 500\nsystem_usec 499\nnr_periods 40\nnr_throttled 7\nthrottled_usec 123456\n',
        'pids.current': '3\n',
        'pids.max': '50\n',
      }).map(([k, v]) => [`${dir}/${k}`, v]),
    );
    expect(readContainerResources({ v2: '/system.slice/docker-abc.scope', v1: new Map() }, (f) => files.get(f), '/sys/fs/cgroup', new Map())).toEqual({
      cgroup: 2,
      memoryBytes: 1234567,
      memoryMaxBytes: 67108864,
      cpuMaxCores: 0.5,
      throttledPeriods: 7,
      throttledUsec: 123456,
      pidsCurrent: 3,
      pidsMax: 50,
      oomKills: 1,
    });
  });

  it('reads cgroup v1 files, each controller at its mount; an unlimited one as null', () => {
    const mounts = new Map([
      ['memory', '/sys/fs/cgroup/memory'],
      ['cpu', '/sys/fs/cgroup/cpu,cpuacct'],
      ['pids', '/sys/fs/cgroup/pids'],
    ]);
    const p = '/docker/abc';
    const files = new Map([
      [`/sys/fs/cgroup/memory${p}/memory.usage_in_bytes`, '2048\n'],
      [`/sys/fs/cgroup/memory${p}/memory.limit_in_bytes`, '9223372036854771712\n'],
      [`/sys/fs/cgroup/memory${p}/memory.oom_control`, 'oom_kill_disable 0\nunder_oom 0\noom_kill 4\n'],
      [`/sys/fs/cgroup/cpu,cpuacct${p}/cpu.cfs_quota_us`, '-1\n'],
      [`/sys/fs/cgroup/cpu,cpuacct${p}/cpu.cfs_period_us`, '100000\n'],
      [`/sys/fs/cgroup/cpu,cpuacct${p}/cpu.stat`, 'nr_periods 0\nnr_throttled 2\nthrottled_time 5000000\n'],
      [`/sys/fs/cgroup/pids${p}/pids.current`, '1\n'],
      [`/sys/fs/cgroup/pids${p}/pids.max`, 'max\n'],
    ]);
    expect(readContainerResources(cgroupPathsOf([{ hierarchy: 4, controllers: ['memory'], path: p }, { hierarchy: 1, controllers: ['cpu', 'cpuacct'], path: p }, { hierarchy: 8, controllers: ['pids'], path: p }, { hierarchy: 0, controllers: [], path: '/' }]), (f) => files.get(f), '/sys/fs/cgroup/unified', mounts)).toEqual({ cgroup: 1, memoryBytes: 2048, memoryMaxBytes: null, cpuMaxCores: null, throttledPeriods: 2, throttledUsec: 5000, pidsCurrent: 1, pidsMax: null, oomKills: 4 });
    expect(readContainerResources({ v2: '/other', v1: new Map([['memory', '/other']]) }, (f) => files.get(f), null, mounts)).toBeNull();
  });
});
