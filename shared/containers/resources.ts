/**
 * A container's cgroup limits and use, from the cgroup files the collector read: cgroup v2's memory.current,
 * memory.max, memory.events, cpu.max, cpu.stat, pids.current and pids.max; or v1's memory.usage_in_bytes,
 * memory.limit_in_bytes, memory.oom_control, cpu.cfs_quota_us and cpu.cfs_period_us, cpu.stat, pids.*.
 */

export interface ContainerResources {
  cgroup: 1 | 2;
  memoryBytes?: number;
  /** null: no limit */
  memoryMaxBytes?: number | null;
  /** the CPU quota in cores (quota / period); null: no limit */
  cpuMaxCores?: number | null;
  /** periods in which it was throttled, and the time it waited */
  throttledPeriods?: number;
  throttledUsec?: number;
  pidsCurrent?: number;
  /** null: no limit */
  pidsMax?: number | null;
  /** processes the kernel's OOM killer ended in it */
  oomKills?: number;
}

/** v1 says "no memory limit" with a huge number (PAGE_COUNTER_MAX pages) */
const UNLIMITED_V1 = 2 ** 60;

function number(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number(t) : undefined;
}

/** "max" -> null, "123" -> 123 */
export function parseMaxValue(text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  return text.trim() === 'max' ? null : number(text);
}

/** "nr_periods 10\nnr_throttled 3\n..." -> { nr_periods: 10, ... } */
export function parseFlatKeyed(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\S+) (\d+)$/.exec(line.trim());
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** cgroup v2 cpu.max, "QUOTA PERIOD": the quota in cores; null for "max" */
export function parseCpuMax(text: string | undefined): number | null | undefined {
  const m = text === undefined ? null : /^(max|\d+) (\d+)\s*$/.exec(text.trim());
  if (!m) return undefined;
  return m[1] === 'max' ? null : Number(m[1]) / Number(m[2]);
}

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function cgroupV2Resources(file: (name: string) => string | undefined): ContainerResources {
  const stat = parseFlatKeyed(file('cpu.stat'));
  const events = parseFlatKeyed(file('memory.events'));
  return defined({
    cgroup: 2 as const,
    memoryBytes: number(file('memory.current')),
    memoryMaxBytes: parseMaxValue(file('memory.max')),
    cpuMaxCores: parseCpuMax(file('cpu.max')),
    throttledPeriods: stat.get('nr_throttled'),
    throttledUsec: stat.get('throttled_usec'),
    pidsCurrent: number(file('pids.current')),
    pidsMax: parseMaxValue(file('pids.max')),
    oomKills: events.get('oom_kill'),
  });
}

/** v1: each controller's files come from its own mount (memory, cpu, pids). */
export function cgroupV1Resources(file: (controller: string, name: string) => string | undefined): ContainerResources {
  const limit = number(file('memory', 'memory.limit_in_bytes'));
  const quota = number(file('cpu', 'cpu.cfs_quota_us'));
  const period = number(file('cpu', 'cpu.cfs_period_us'));
  const stat = parseFlatKeyed(file('cpu', 'cpu.stat'));
  const throttledNs = stat.get('throttled_time');
  return defined({
    cgroup: 1 as const,
    memoryBytes: number(file('memory', 'memory.usage_in_bytes')),
    memoryMaxBytes: limit === undefined ? undefined : limit >= UNLIMITED_V1 ? null : limit,
    cpuMaxCores: quota === undefined || period === undefined ? undefined : quota < 0 || period <= 0 ? null : quota / period,
    throttledPeriods: stat.get('nr_throttled'),
    throttledUsec: throttledNs === undefined ? undefined : Math.round(throttledNs / 1000),
    pidsCurrent: number(file('pids', 'pids.current')),
    pidsMax: parseMaxValue(file('pids', 'pids.max')),
    oomKills: parseFlatKeyed(file('memory', 'memory.oom_control')).get('oom_kill'),
  });
}

/** Where a container's cgroup is, per hierarchy: its cgroup v2 path, and each v1 controller's path. */
export interface CgroupPaths {
  v2: string | null;
  v1: Map<string, string>;
}

/** The cgroup paths of a process, from its /proc/<pid>/cgroup lines (a v1 controller's path may differ from another's). */
export function cgroupPathsOf(lines: { hierarchy: number; controllers: string[]; path: string }[]): CgroupPaths {
  const v1 = new Map<string, string>();
  let v2: string | null = null;
  for (const l of lines) {
    if (l.hierarchy === 0 && l.controllers.length === 0) v2 = l.path;
    else for (const c of l.controllers) v1.set(c, l.path);
  }
  return { v2, v1 };
}

/**
 * The resources of a container's cgroup: v2's where its files were read under the cgroup2 mount, else v1's under
 * each controller's mount; null when no file of it was read.
 */
export function readContainerResources(paths: CgroupPaths, file: (path: string) => string | undefined, cgroup2Mount: string | null, v1Mounts: Map<string, string>): ContainerResources | null {
  const v2 = cgroup2Mount && paths.v2 ? cgroupV2Resources((name) => file(`${cgroup2Mount}${paths.v2}/${name}`)) : null;
  if (v2 && Object.keys(v2).length > 1) return v2;
  const v1 = cgroupV1Resources((controller, name) => {
    const mount = v1Mounts.get(controller);
    const path = paths.v1.get(controller);
    return mount === undefined || path === undefined ? undefined : file(`${mount}${path}/${name}`);
  });
  return Object.keys(v1).length > 1 ? v1 : null;
}
