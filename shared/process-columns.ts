/**
 * Every column of the process table, declared once, as htop's Process_fields[] are: its id, header, chooser label,
 * width, cell and tooltip, its sort, its attribute in the ndjson and CSV exports, and the process files it needs
 * beyond the first read's (a full read reads /proc/<pid>/io only when a column shown needs it). A new column is an
 * entry here; the table, the chooser, the sort, the settings check and the exports take it from this list.
 */
import type { ProcessFile } from './collect/files';
import { psTenths } from './ps/table';
import type { Snapshot, SnapshotProcess } from './snapshot/types';

/** What a cell may need beyond its process: the node's figures, and text the table keeps per process. */
export interface ColumnContext {
  node: Snapshot['node'];
  /** the command line as the table shows it */
  commandLine(p: SnapshotProcess): string;
  /** the container as one cell: its names, or its short id */
  container(p: SnapshotProcess): string;
}

type Value = string | number | null;

export interface ProcessColumnDef {
  id: string;
  /** the table's header */
  title: string;
  /** the column chooser's label */
  label: string;
  width: string;
  /** its width while the detail pane is open; absent: hidden then */
  compactWidth?: string;
  align?: 'right';
  /** shown until the user chooses */
  shown?: boolean;
  /** the first click on its header sorts the biggest first, as top and htop do */
  biggestFirst?: boolean;
  /** the raw value: what it sorts by (null sorts first) and, unless `exported` says otherwise, what the exports carry */
  value(ctx: ColumnContext, p: SnapshotProcess): Value;
  /** the cell's text (default: the value) */
  cell?(ctx: ColumnContext, p: SnapshotProcess): string | number;
  /** the cell's tooltip (default: its text) */
  tooltip?(ctx: ColumnContext, p: SnapshotProcess): string;
  /** its attribute in the ndjson and CSV exports (OpenTelemetry's name where it has one), and the value there */
  export?: { name: string; value?(ctx: ColumnContext, p: SnapshotProcess): Value };
  /** process files it needs that the first read does not read */
  needs?: readonly ProcessFile[];
}

/** Memory use as a share of the node's memory (MEM%), or null when the node's total was not read. */
export function memPercent(node: Snapshot['node'], p: SnapshotProcess): number | null {
  const total = node.memory?.totalKb;
  return total && p.rssKb != null ? (p.rssKb / total) * 100 : null;
}

export function formatKb(kb: number | null | undefined): string {
  if (kb === null || kb === undefined) return '';
  if (kb < 1024) return `${kb} K`;
  if (kb < 1024 * 1024) return `${(kb / 1024).toFixed(1)} M`;
  return `${(kb / 1024 / 1024).toFixed(2)} G`;
}

/** CPU time as htop's TIME+ shows it: minutes:seconds.hundredths */
export function formatCpuTime(ticks: number | undefined, clockTicks = 100): string {
  if (ticks === undefined) return '';
  const hundredths = Math.floor((ticks / clockTicks) * 100);
  const minutes = Math.floor(hundredths / 6000);
  const rest = hundredths - minutes * 6000;
  return `${minutes}:${String(Math.floor(rest / 100)).padStart(2, '0')}.${String(rest % 100).padStart(2, '0')}`;
}

/** A start time: the clock time if it was the same day as the reading, else the date. */
export function formatStart(startedAt: string | undefined, collectedAt: string): string {
  if (!startedAt) return '';
  const start = new Date(startedAt);
  const sameDay = start.toDateString() === new Date(collectedAt).toDateString();
  return sameDay ? start.toTimeString().slice(0, 5) : start.toISOString().slice(0, 10);
}

/** Whole seconds from a process's start to the reading, or null when its start is unknown. */
export function elapsedSeconds(collectedAt: string, startedAt: string | undefined): number | null {
  if (!startedAt) return null;
  return Math.max(0, Math.floor((Date.parse(collectedAt) - Date.parse(startedAt)) / 1000));
}

/** Elapsed time as ps's ELAPSED (etime) prints it: [[dd-]hh:]mm:ss */
export function formatElapsed(seconds: number | null): string {
  if (seconds === null) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  const [d, h, m, s] = [Math.floor(seconds / 86400), Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60, seconds % 60];
  return `${d > 0 ? `${d}-` : ''}${d > 0 || h > 0 ? `${two(h)}:` : ''}${two(m)}:${two(s)}`;
}

/** What a process state letter means (proc(5)), for the state column's tooltip. */
export const STATE_MEANING: Record<string, string> = {
  R: 'running or runnable',
  S: 'sleeping, interruptible (waiting for an event)',
  D: 'waiting in uninterruptible disk sleep (usually I/O)',
  Z: 'zombie: ended, not yet reaped by its parent',
  T: 'stopped (by a signal)',
  t: 'stopped by a debugger (tracing stop)',
  X: 'dead',
  I: 'idle kernel thread',
  P: 'parked',
  W: 'paging or waking',
  K: 'wakekill',
};

/** The argv as one line, quoted where an argument would not read back (the exports' command line). */
export function commandLineText(argv: string[]): string {
  return argv.map((a) => (a === '' || /[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

const kbToBytes = (kb: number | null | undefined) => (kb == null ? null : kb * 1024);
const NOT_READ_IO = 'not readable by this login, or not read (no I/O column was shown)';

/** An I/O column: bytes that reached storage, with what the process asked for in the tooltip; it needs /proc/<pid>/io. */
function ioColumn<const I extends string>(id: I, title: string, label: string, bytes: 'readBytes' | 'writeBytes', asked: 'rchar' | 'wchar', what: string, exportName: string) {
  return {
    id,
    title,
    label,
    width: '80px',
    align: 'right',
    biggestFirst: true,
    needs: ['io'],
    value: (_, p) => p.io?.[bytes] ?? null,
    cell: (_, p) => formatKb(p.io ? Math.round(p.io[bytes] / 1024) : null),
    tooltip: (_, p) => (p.io ? `${p.io[bytes]} bytes ${what}, ${p.io[asked]} asked for` : NOT_READ_IO),
    export: { name: exportName },
  } as const satisfies ProcessColumnDef;
}

export const PROCESS_COLUMN_DEFS = [
  { id: 'pid', title: 'PID', label: 'PID', width: '72px', compactWidth: '64px', align: 'right', shown: true, value: (_, p) => p.pid, export: { name: 'process.pid' } },
  { id: 'ppid', title: 'PPID', label: 'Parent PID', width: '72px', align: 'right', shown: true, value: (_, p) => p.ppid, export: { name: 'process.parent_pid' } },
  { id: 'user', title: 'USER', label: 'User', width: '96px', compactWidth: '80px', shown: true, value: (_, p) => p.user ?? String(p.uid), export: { name: 'process.owner', value: (_, p) => p.user ?? null } },
  { id: 'state', title: 'S', label: 'State', width: '28px', shown: true, value: (_, p) => p.state, tooltip: (_, p) => `${p.state}: ${STATE_MEANING[p.state] ?? 'unknown state'}`, export: { name: 'procscope.state' } },
  { id: 'nice', title: 'NI', label: 'Nice', width: '40px', align: 'right', value: (_, p) => p.nice ?? null, export: { name: 'procscope.nice' } },
  { id: 'priority', title: 'PRI', label: 'Priority', width: '44px', align: 'right', value: (_, p) => p.priority ?? null, export: { name: 'procscope.priority' } },
  {
    id: 'cpu',
    title: 'CPU%',
    label: 'CPU%',
    width: '64px',
    compactWidth: '56px',
    align: 'right',
    shown: true,
    biggestFirst: true,
    value: (_, p) => p.cpuPercent ?? null,
    cell: (_, p) => (p.cpuPercent == null ? '' : psTenths(p.cpuPercent)),
    tooltip: (_, p) => (p.cpuPercent == null ? '' : `${p.cpuPercent.toFixed(3)}% (cut to one decimal, as ps does)`),
    export: { name: 'procscope.cpu_percent' },
  },
  {
    id: 'mem',
    title: 'MEM%',
    label: "MEM% (of the node's memory)",
    width: '60px',
    align: 'right',
    biggestFirst: true,
    value: (ctx, p) => memPercent(ctx.node, p),
    cell: (ctx, p) => {
      const m = memPercent(ctx.node, p);
      return m == null ? '' : psTenths(m);
    },
    tooltip: (ctx, p) => {
      const m = memPercent(ctx.node, p);
      return m == null ? '' : `${m.toFixed(3)}% of the node's memory (cut to one decimal, as ps does)`;
    },
    export: { name: 'procscope.mem_percent' },
  },
  {
    id: 'time',
    title: 'TIME+',
    label: 'TIME+ (CPU time)',
    width: '84px',
    align: 'right',
    biggestFirst: true,
    value: (_, p) => p.cpuTicks ?? null,
    cell: (ctx, p) => formatCpuTime(p.cpuTicks, ctx.node.clockTicks ?? 100),
    export: { name: 'procscope.cpu_time_seconds', value: (ctx, p) => (p.cpuTicks == null ? null : p.cpuTicks / (ctx.node.clockTicks ?? 100)) },
  },
  { id: 'threads', title: 'THR', label: 'Threads', width: '52px', align: 'right', shown: true, biggestFirst: true, value: (_, p) => p.threads, export: { name: 'process.thread.count' } },
  { id: 'rssKb', title: 'RSS', label: 'RSS (resident memory)', width: '80px', align: 'right', shown: true, biggestFirst: true, value: (_, p) => p.rssKb ?? null, cell: (_, p) => formatKb(p.rssKb), export: { name: 'process.memory.usage', value: (_, p) => kbToBytes(p.rssKb) } },
  { id: 'virt', title: 'VIRT', label: 'VIRT (virtual memory)', width: '80px', align: 'right', biggestFirst: true, value: (_, p) => p.virtKb ?? null, cell: (_, p) => formatKb(p.virtKb), export: { name: 'process.memory.virtual', value: (_, p) => kbToBytes(p.virtKb) } },
  ioColumn('ioRead', 'IO READ', 'I/O read (bytes from storage)', 'readBytes', 'rchar', 'read from storage', 'procscope.io.read_bytes'),
  ioColumn('ioWrite', 'IO WRITE', 'I/O written (bytes to storage)', 'writeBytes', 'wchar', 'written to storage', 'procscope.io.write_bytes'),
  {
    id: 'start',
    title: 'START',
    label: 'Start time',
    width: '90px',
    value: (_, p) => p.startTicks ?? null,
    cell: (ctx, p) => formatStart(p.startedAt, ctx.node.collectedAt),
    tooltip: (_, p) => (p.startedAt ? new Date(p.startedAt).toLocaleString() : ''),
    export: { name: 'process.creation.time', value: (_, p) => p.startedAt ?? null },
  },
  {
    id: 'elapsed',
    title: 'ELAPSED',
    label: 'Elapsed (time since it started)',
    width: '96px',
    align: 'right',
    biggestFirst: true,
    value: (ctx, p) => elapsedSeconds(ctx.node.collectedAt, p.startedAt),
    cell: (ctx, p) => formatElapsed(elapsedSeconds(ctx.node.collectedAt, p.startedAt)),
    export: { name: 'procscope.elapsed_seconds' },
  },
  { id: 'container', title: 'CONTAINER', label: 'Container', width: '150px', shown: true, value: (ctx, p) => ctx.container(p) },
  { id: 'name', title: 'NAME', label: 'Name', width: '170px', compactWidth: '120px', shown: true, value: (_, p) => p.name, export: { name: 'process.executable.name' } },
  {
    id: 'cmdline',
    title: 'COMMAND LINE',
    label: 'Command line',
    width: 'minmax(200px, 1fr)',
    compactWidth: 'minmax(100px, 1fr)',
    shown: true,
    value: (ctx, p) => ctx.commandLine(p),
    export: { name: 'process.command_line', value: (_, p) => commandLineText(p.cmdline) },
  },
] as const satisfies readonly ProcessColumnDef[];

export type ProcessColumn = (typeof PROCESS_COLUMN_DEFS)[number]['id'];

const BY_ID: ReadonlyMap<string, ProcessColumnDef> = new Map(PROCESS_COLUMN_DEFS.map((c) => [c.id, c as ProcessColumnDef]));

export function columnDef(id: ProcessColumn): ProcessColumnDef {
  return BY_ID.get(id)!;
}

/** Every column the process table can show, in its order. */
export const PROCESS_COLUMNS: readonly ProcessColumn[] = PROCESS_COLUMN_DEFS.map((c) => c.id);

/** The columns shown until the user chooses. */
export const DEFAULT_PROCESS_COLUMNS: readonly ProcessColumn[] = PROCESS_COLUMN_DEFS.filter((c) => 'shown' in c && c.shown).map((c) => c.id);

export function isProcessColumn(value: unknown): value is ProcessColumn {
  return typeof value === 'string' && BY_ID.has(value);
}

/** What a column sorts by: its value, a missing one first. */
export function sortValueOf(id: ProcessColumn, ctx: ColumnContext, p: SnapshotProcess): string | number {
  return columnDef(id).value(ctx, p) ?? -1;
}

/** The process files the shown columns need beyond the first read's. */
export function filesNeeded(columns: readonly ProcessColumn[]): ProcessFile[] {
  return [...new Set(columns.flatMap((id) => columnDef(id).needs ?? []))];
}

/** A context made from the snapshot alone (the exports, the CLI): the table's own keeps its text per process. */
export function plainColumnContext(snapshot: Snapshot, container: (p: SnapshotProcess) => string = () => ''): ColumnContext {
  return { node: snapshot.node, commandLine: (p) => (p.cmdline.length > 0 ? p.cmdline.join(' ') : `[${p.name}]`), container };
}
