/**
 * A tab compared with an earlier state (a moment of its history, or a snapshot file): the diff, and per table the
 * mark of each row ("+" came, "~" changed) and the rows that went, taken from the earlier state.
 */
import { diffSnapshots } from '../../shared/diff/diff';
import type { SnapshotDiff } from '../../shared/diff/types';
import type { Snapshot, SnapshotContainer, SnapshotProcess, SnapshotSocket } from '../../shared/snapshot/types';

export type Mark = '+' | '-' | '~';

export interface TableChanges<T> {
  markOf(row: T): Mark | null;
  /** rows of the earlier state that are gone, marked "-" */
  removed: T[];
}

export interface Comparison {
  diff: SnapshotDiff;
  processes: TableChanges<SnapshotProcess>;
  sockets: TableChanges<SnapshotSocket>;
  containers: TableChanges<SnapshotContainer>;
}

const cache = new WeakMap<Snapshot, WeakMap<Snapshot, Comparison>>();

const processKey = (p: { pid: number; startTicks?: number | null }) => `${p.pid}:${p.startTicks ?? '?'}`;
const socketKey = (s: { netns?: number | null; proto: string; inode: number }) => `${s.netns ?? '?'}:${s.proto}:${s.inode}`;

function changes<T>(current: T[], base: T[], key: (t: T) => string, added: Set<string>, changed: Set<string>, gone: Set<string>): TableChanges<T> {
  const goneRows = new Set(base.filter((t) => gone.has(key(t))));
  return {
    markOf: (row) => (goneRows.has(row) ? '-' : added.has(key(row)) ? '+' : changed.has(key(row)) ? '~' : null),
    removed: [...goneRows],
  };
}

/** The comparison of `current` with `base`, computed once per pair (every view of a tab asks for the same one). */
export function compareSnapshots(base: Snapshot, current: Snapshot): Comparison {
  let byCurrent = cache.get(base);
  if (!byCurrent) cache.set(base, (byCurrent = new WeakMap()));
  const known = byCurrent.get(current);
  if (known) return known;
  const diff = diffSnapshots(base, current);
  const set = (keys: string[]) => new Set(keys);
  const comparison: Comparison = {
    diff,
    processes: changes(current.processes, base.processes, processKey, set(diff.processes.started.map(processKey)), set(diff.processes.changed.map((c) => processKey(c.process))), set(diff.processes.exited.map(processKey))),
    sockets: changes(
      current.sockets,
      base.sockets,
      socketKey,
      set([...diff.listeners.added, ...diff.sockets.opened].map(socketKey)),
      new Set(),
      set([...diff.listeners.removed, ...diff.sockets.closed].map(socketKey)),
    ),
    containers: changes(current.containers, base.containers, (c) => c.id, set(diff.containers.created.map((c) => c.id)), new Set(), set(diff.containers.gone.map((c) => c.id))),
  };
  byCurrent.set(current, comparison);
  return comparison;
}

/** A table's rows with the gone ones added (those the view's own filter keeps), or only the marked ones. */
export function rowsWithChanges<T>(rows: T[], changes: TableChanges<T> | null, changesOnly: boolean, keepRemoved: (removed: T[]) => T[] = (r) => r): T[] {
  if (!changes) return rows;
  const all = [...rows, ...keepRemoved(changes.removed)];
  return changesOnly ? all.filter((r) => changes.markOf(r) !== null) : all;
}

const MARK_CLASS: Record<Mark, string> = { '+': 'came', '-': 'went', '~': 'changed' };
const MARK_TITLE: Record<Mark, string> = { '+': 'came since', '-': 'gone since', '~': 'changed since' };

/** The row class of a mark, for VirtualTable's rowClass. */
export function markClass(mark: Mark | null): string {
  return mark ? `mark-${MARK_CLASS[mark]}` : '';
}

export function markTitle(mark: Mark | null, label: string): string {
  return mark ? `${MARK_TITLE[mark]} ${label}` : '';
}
