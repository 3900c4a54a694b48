/** `procscope ps`: a first read as `ps aux` prints it, with the container or pod of each process. */
import { containerLabel, shortId } from '../containers/summary';
import { filterWords, matchesWords, processHaystack } from '../process-filter';
import type { Snapshot, SnapshotContainer, SnapshotProcess } from '../snapshot/types';
import { visibleText } from '../visible';

export const PS_SORT_KEYS = ['pid', 'user', 'cpu', 'mem', 'rss', 'vsz', 'time', 'start', 'name', 'container'] as const;
export type PsSortKey = (typeof PS_SORT_KEYS)[number];
/** Keys sorted biggest first unless the key says "+": what one sorts by to find the top users. */
const BIGGEST_FIRST = new Set<PsSortKey>(['cpu', 'mem', 'rss', 'vsz', 'time']);

export interface PsSort {
  key: PsSortKey;
  descending: boolean;
}

/** "cpu", "-start", "+rss": a key, "-" for biggest (latest) first, "+" for smallest first; null if not a key. */
export function parsePsSort(text: string): PsSort | null {
  const m = /^([+-]?)([a-z]+)$/.exec(text);
  const key = m?.[2] as PsSortKey | undefined;
  if (!m || !key || !(PS_SORT_KEYS as readonly string[]).includes(key)) return null;
  return { key, descending: m[1] === '-' || (m[1] === '' && BIGGEST_FIRST.has(key)) };
}

export interface PsRow {
  process: SnapshotProcess;
  container: string;
  memPercent: number | null;
}

const commandOf = (p: SnapshotProcess) => (p.cmdline.length > 0 ? p.cmdline.join(' ') : `[${p.name}]`);

function containerCell(c: SnapshotContainer | undefined, id: string | null): string {
  if (!id) return '-';
  return c ? containerLabel(c) : shortId(id);
}

/** The processes the filter (the app's filter words) keeps, in the sort's order. */
export function psRows(snapshot: Snapshot, filter: string, sort: PsSort): PsRow[] {
  const containers = new Map(snapshot.containers.map((c) => [c.id, c]));
  const total = snapshot.node.memory?.totalKb;
  const words = filterWords(filter);
  const rows = snapshot.processes
    .filter((p) => matchesWords(processHaystack(p, commandOf(p).toLowerCase(), p.containerId ? containers.get(p.containerId) : undefined), words))
    .map((p) => ({ process: p, container: containerCell(p.containerId ? containers.get(p.containerId) : undefined, p.containerId), memPercent: total && p.rssKb != null ? (p.rssKb / total) * 100 : null }));
  const value = (r: PsRow): number | string => {
    const p = r.process;
    switch (sort.key) {
      case 'pid': return p.pid;
      case 'user': return p.user ?? String(p.uid);
      case 'cpu': return p.cpuPercent ?? -1;
      case 'mem': return r.memPercent ?? -1;
      case 'rss': return p.rssKb ?? -1;
      case 'vsz': return p.virtKb ?? -1;
      case 'time': return p.cpuTicks ?? -1;
      case 'start': return p.startTicks ?? -1;
      case 'name': return p.name;
      case 'container': return r.container;
    }
  };
  const sign = sort.descending ? -1 : 1;
  return rows.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c !== 0 ? sign * c : a.process.pid - b.process.pid;
  });
}

/** ps's TIME: the CPU time as [DD-]MM:SS... as minutes:seconds. */
function cpuTime(ticks: number | undefined, clockTicks: number): string {
  if (ticks === undefined) return '-';
  const seconds = Math.floor(ticks / clockTicks);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function startCell(startedAt: string | undefined, collectedAt: string): string {
  if (!startedAt) return '-';
  return startedAt.slice(0, 10) === collectedAt.slice(0, 10) ? startedAt.slice(11, 16) : startedAt.slice(5, 10);
}

/** One decimal, cut rather than rounded, as ps prints %CPU and %MEM: the table and the app show the same figure. */
export const psTenths = (x: number): string => (Math.floor(x * 10) / 10).toFixed(1);
const tenths = (x: number | null | undefined) => (x == null ? '-' : psTenths(x));

/** The table, as `ps aux` lays it out, with CONTAINER before COMMAND; every text from the node made visible. */
export function formatPsTable(snapshot: Snapshot, rows: PsRow[]): string {
  const clk = snapshot.node.clockTicks ?? 100;
  const cells = rows.map(({ process: p, container, memPercent }) => [
    visibleText(p.user ?? String(p.uid)),
    String(p.pid),
    tenths(p.cpuPercent),
    tenths(memPercent),
    String(p.virtKb ?? '-'),
    String(p.rssKb ?? '-'),
    p.state,
    startCell(p.startedAt, snapshot.node.collectedAt),
    cpuTime(p.cpuTicks, clk),
    visibleText(container),
    visibleText(commandOf(p)),
  ]);
  const header = ['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'STAT', 'START', 'TIME', 'CONTAINER', 'COMMAND'];
  const all = [header, ...cells];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const right = new Set([1, 2, 3, 4, 5]);
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' ')).join('\n') + '\n';
}
