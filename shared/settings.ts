/** What the app remembers between runs (settings.json in the config directory), and the check of what may be stored. */

import { type ProcessColumn, isProcessColumn } from './process-columns';

export { DEFAULT_PROCESS_COLUMNS, PROCESS_COLUMNS, type ProcessColumn, isProcessColumn } from './process-columns';

export interface Settings {
  processColumns?: ProcessColumn[];
  /** the fleet view's deadline for each node, connection included, in seconds (serve --timeout when unset) */
  fleetTimeoutSec?: number;
}

/** The fleet deadlines one may set: enough for a slow login, not so long that a dead node holds the view. */
export const FLEET_TIMEOUT_RANGE = { min: 5, max: 600 } as const;

/** The settings kept from `value`: known keys with valid values only (a hand-edited or older file loses the rest). */
export function checkSettings(value: unknown): Settings {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const columns = Array.isArray(v.processColumns) ? [...new Set(v.processColumns.filter(isProcessColumn))] : undefined;
  const timeout = v.fleetTimeoutSec;
  const fleetTimeout = typeof timeout === 'number' && Number.isInteger(timeout) && timeout >= FLEET_TIMEOUT_RANGE.min && timeout <= FLEET_TIMEOUT_RANGE.max ? timeout : undefined;
  return { ...(columns && columns.length > 0 ? { processColumns: columns } : {}), ...(fleetTimeout !== undefined ? { fleetTimeoutSec: fleetTimeout } : {}) };
}
