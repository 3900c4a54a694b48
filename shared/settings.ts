/** What the app remembers between runs (settings.json in the config directory), and the check of what may be stored. */

/** Every column the process table can show, in its order. */
export const PROCESS_COLUMNS = ['pid', 'ppid', 'user', 'state', 'nice', 'priority', 'cpu', 'mem', 'time', 'threads', 'rssKb', 'virt', 'ioRead', 'ioWrite', 'start', 'container', 'name', 'cmdline'] as const;
export type ProcessColumn = (typeof PROCESS_COLUMNS)[number];

/** The columns shown until the user chooses. */
export const DEFAULT_PROCESS_COLUMNS: ProcessColumn[] = ['pid', 'ppid', 'user', 'state', 'cpu', 'threads', 'rssKb', 'container', 'name', 'cmdline'];

export interface Settings {
  processColumns?: ProcessColumn[];
  /** the fleet view's deadline for each node, connection included, in seconds (serve --timeout when unset) */
  fleetTimeoutSec?: number;
}

/** The fleet deadlines one may set: enough for a slow login, not so long that a dead node holds the view. */
export const FLEET_TIMEOUT_RANGE = { min: 5, max: 600 } as const;

export function isProcessColumn(value: unknown): value is ProcessColumn {
  return typeof value === 'string' && (PROCESS_COLUMNS as readonly string[]).includes(value);
}

/** The settings kept from `value`: known keys with valid values only (a hand-edited or older file loses the rest). */
export function checkSettings(value: unknown): Settings {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const columns = Array.isArray(v.processColumns) ? [...new Set(v.processColumns.filter(isProcessColumn))] : undefined;
  const timeout = v.fleetTimeoutSec;
  const fleetTimeout = typeof timeout === 'number' && Number.isInteger(timeout) && timeout >= FLEET_TIMEOUT_RANGE.min && timeout <= FLEET_TIMEOUT_RANGE.max ? timeout : undefined;
  return { ...(columns && columns.length > 0 ? { processColumns: columns } : {}), ...(fleetTimeout !== undefined ? { fleetTimeoutSec: fleetTimeout } : {}) };
}
