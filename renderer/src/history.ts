/**
 * A live tab's recent past: a bounded ring of the states it showed, one per HISTORY_STEP_MS at most. States after
 * a refresh share their unchanged processes with the state before (applyDelta keeps them as the same objects), so
 * the ring costs what changed, and a full read's state is bounded by the count of processes the ring may hold.
 */
import type { Snapshot } from '../../shared/snapshot/types';

export interface Moment {
  /** the node's collectedAt */
  at: string;
  snapshot: Snapshot;
}

export const HISTORY_STEP_MS = 10_000;
/** one hour at one moment per HISTORY_STEP_MS */
export const HISTORY_MOMENTS = 360;
/** at most this many process records over all moments; the oldest moments go first */
export const HISTORY_PROCESSES = 400_000;

/** The ring with `snapshot` added if it is at least HISTORY_STEP_MS newer than the last moment; a new array. */
export function remember(history: readonly Moment[], snapshot: Snapshot, step = HISTORY_STEP_MS): Moment[] {
  const last = history[history.length - 1];
  if (last && Date.parse(snapshot.node.collectedAt) - Date.parse(last.at) < step) return history as Moment[];
  const next = [...history, { at: snapshot.node.collectedAt, snapshot }];
  let processes = next.reduce((n, m) => n + m.snapshot.processes.length, 0);
  while (next.length > 1 && (next.length > HISTORY_MOMENTS || processes > HISTORY_PROCESSES)) processes -= next.shift()!.snapshot.processes.length;
  return next;
}

/** "16:01:02, 5 min ago" */
export function momentLabel(at: string, now: string): string {
  const ago = Math.max(0, Math.round((Date.parse(now) - Date.parse(at)) / 1000));
  const time = new Date(at).toLocaleTimeString();
  if (ago < 60) return `${time}, ${ago} s ago`;
  return `${time}, ${Math.round(ago / 60)} min ago`;
}
