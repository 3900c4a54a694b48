/** The node at a glance, from the collector's overview sections: CPU ticks, memory, pressure. */
import { SECTION, pressureSection } from '../collect/protocol';
import { type CpuStat, cpuPercentBetween, parseCpuStat } from './cpu-stat';
import { type Meminfo, parseMeminfo } from './meminfo';
import { type Pressure, parsePressure } from './pressure';

export const PRESSURE_KINDS = ['cpu', 'memory', 'io'] as const;

export interface NodeOverview {
  cpu?: CpuStat;
  memory?: Meminfo;
  /** where the kernel has PSI (4.20+, not turned off) */
  pressure?: Partial<Record<(typeof PRESSURE_KINDS)[number], Pressure>>;
}

/** A section's bytes (a Buffer where it is read), as text. */
interface Bytes {
  toString(encoding: 'latin1'): string;
}

export function parseOverview(sections: Map<string, Bytes>): NodeOverview {
  const text = (name: string) => sections.get(name)?.toString('latin1') ?? '';
  const cpu = parseCpuStat(text(SECTION.cpuStat));
  const memory = parseMeminfo(text(SECTION.meminfo));
  const pressure: NodeOverview['pressure'] = {};
  for (const kind of PRESSURE_KINDS) {
    const p = parsePressure(text(pressureSection(kind)));
    if (p) pressure[kind] = p;
  }
  return { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}), ...(Object.keys(pressure).length ? { pressure } : {}) };
}

/**
 * The overview as node fields, CPU shares included: between `before` and this reading (a live refresh), or since
 * boot (a single reading, before is null).
 */
export function overviewFields(o: NodeOverview, before: CpuStat | undefined): Record<string, unknown> & NodeOverview & { cpuPercent?: number | null; corePercents?: (number | null)[] } {
  if (!o.cpu) return { ...o };
  const zero = { busy: 0, total: 0 };
  const since = (core: number | null) => (core === null ? before?.all : before?.cores.find((c) => c.core === core)) ?? zero;
  return {
    ...o,
    cpuPercent: cpuPercentBetween(since(null), o.cpu.all),
    corePercents: o.cpu.cores.map((c) => cpuPercentBetween(since(c.core), c)),
  };
}
