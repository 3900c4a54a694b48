/** Entries of a snapshot's `errors`: made with their kind, pid and path as fields, so no one reads them back out of `scope`. */
import type { ErrorKind } from '../errors';
import type { SnapshotError } from './types';

/** The taxonomy's kind of what a node said when a read failed. */
export function kindOfMessage(message: string): ErrorKind | undefined {
  if (/No such (?:file|process)/i.test(message)) return 'not-found';
  if (/Permission denied|Operation not permitted|cannot read link/i.test(message)) return 'permission-denied';
  return undefined;
}

/** An error about process `pid`, or one part of it ("fd", "exe", "ns"...). */
export function processError(pid: number, part: string | null, message: string, extra: { kind?: ErrorKind; path?: string } = {}): SnapshotError {
  const kind = extra.kind ?? kindOfMessage(message);
  return { scope: part ? `pid ${pid} ${part}` : `pid ${pid}`, message, pid, ...(part ? { part } : {}), ...(kind ? { kind } : {}), ...(extra.path ? { path: extra.path } : {}) };
}

/** An error about something other than one process: a table, a socket, a container. */
export function nodeError(scope: string, message: string, extra: { kind?: ErrorKind; path?: string } = {}): SnapshotError {
  const kind = extra.kind ?? kindOfMessage(message);
  return { scope, message, ...(kind ? { kind } : {}), ...(extra.path ? { path: extra.path } : {}) };
}

/**
 * Snapshots written before errors had fields say "pid 42 fd" in `scope` only: the fields are filled in from it
 * here, when such a file is opened, and nowhere else.
 */
export function withErrorFields(e: SnapshotError): SnapshotError {
  if (e.pid !== undefined) return e;
  const m = /^pid (\d+)(?: (.*))?$/s.exec(e.scope);
  return m ? { ...e, pid: Number(m[1]), ...(m[2] ? { part: m[2] } : {}) } : e;
}
