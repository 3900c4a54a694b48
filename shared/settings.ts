/** What the app remembers between runs (settings.json in the config directory), and the check of what may be stored. */

/** Every column the process table can show, in its order. */
export const PROCESS_COLUMNS = ['pid', 'ppid', 'user', 'state', 'nice', 'priority', 'cpu', 'mem', 'time', 'threads', 'rssKb', 'virt', 'ioRead', 'ioWrite', 'start', 'container', 'name', 'cmdline'] as const;
export type ProcessColumn = (typeof PROCESS_COLUMNS)[number];

/** The columns shown until the user chooses. */
export const DEFAULT_PROCESS_COLUMNS: ProcessColumn[] = ['pid', 'ppid', 'user', 'state', 'cpu', 'threads', 'rssKb', 'container', 'name', 'cmdline'];

export interface Settings {
  processColumns?: ProcessColumn[];
}

export function isProcessColumn(value: unknown): value is ProcessColumn {
  return typeof value === 'string' && (PROCESS_COLUMNS as readonly string[]).includes(value);
}

/** The settings kept from `value`: known keys with valid values only (a hand-edited or older file loses the rest). */
export function checkSettings(value: unknown): Settings {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const columns = Array.isArray(v.processColumns) ? [...new Set(v.processColumns.filter(isProcessColumn))] : undefined;
  return columns && columns.length > 0 ? { processColumns: columns } : {};
}
