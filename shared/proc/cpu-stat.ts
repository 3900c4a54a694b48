/**
 * The cpu lines of /proc/stat: "cpu  user nice system idle iowait irq softirq steal guest guest_nice" in clock
 * ticks since boot, the whole machine first, then one line per core ("cpu0", "cpu1", ...).
 */

export interface CpuTimes {
  /** ticks spent doing anything but idle and iowait (guest time is inside user and nice) */
  busy: number;
  /** all ticks */
  total: number;
}

export interface CpuStat {
  all: CpuTimes;
  /** by core number; a core that is offline has no line and is left out */
  cores: (CpuTimes & { core: number })[];
}

function times(fields: number[]): CpuTimes {
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export function parseCpuStat(text: string): CpuStat | null {
  let all: CpuTimes | null = null;
  const cores: CpuStat['cores'] = [];
  for (const line of text.split('\n')) {
    const m = /^cpu(\d*)\s+(\d+(?:\s+\d+){3,})\s*$/.exec(line);
    if (!m) continue;
    const t = times(m[2]!.split(/\s+/).map(Number));
    if (m[1] === '') all = t;
    else cores.push({ core: Number(m[1]), ...t });
  }
  return all ? { all, cores } : null;
}

/** Busy share of the ticks between two readings, in percent; null when no time passed. */
export function cpuPercentBetween(before: CpuTimes, after: CpuTimes): number | null {
  const total = after.total - before.total;
  if (total <= 0) return null;
  return Math.min(100, Math.max(0, ((after.busy - before.busy) / total) * 100));
}
