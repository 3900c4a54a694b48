/**
 * procscope record: a full snapshot every interval, each written gzipped to DIR (written aside and renamed, so a
 * file there is always whole), the oldest removed while the directory's recordings exceed their bound. A failed
 * collection is reported and the next tick tries again, on a new connection if the old one dropped.
 */
import { lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { toProcscopeError } from '../../shared/errors';
import { jsonChunks } from '../../shared/snapshot/json';
import type { Snapshot } from '../../shared/snapshot/types';
import { formatBytes, formatDuration } from '../../shared/time/duration';
import { visibleText } from '../../shared/visible';
import type { NodeSession } from '../engine/session';
import { checkPrivateEnough, writeFileAtomically } from '../fs/atomic-write';

export interface RecordOptions {
  dir: string;
  everySec: number;
  forSec: number;
  maxBytes: number;
  open(): Promise<NodeSession>;
  collect(session: NodeSession): Promise<Snapshot>;
  /** a line for the person watching: each snapshot, each failure */
  say(line: string, transient?: boolean): void;
  /** resolves when the user asked to stop (Ctrl-C) */
  stopped: Promise<void>;
}

export interface RecordResult {
  written: number;
  failed: number;
  removed: number;
  bytes: number;
}

const RECORDING = /^procscope-[A-Za-z0-9._-]*-\d{8}T\d{6}(\.\d{3})?Z\.json\.gz$/;

/** The recordings in DIR, oldest first (their names sort by time), with their sizes; only regular files count (never what a symlink leads to). */
export function recordings(dir: string): { name: string; bytes: number }[] {
  return readdirSync(dir)
    .filter((n) => RECORDING.test(n))
    .sort((a, b) => (a.slice(a.lastIndexOf('-')) < b.slice(b.lastIndexOf('-')) ? -1 : 1))
    .flatMap((name) => {
      const st = lstatSync(join(dir, name), { throwIfNoEntry: false });
      return st?.isFile() ? [{ name, bytes: st.size }] : [];
    });
}

/** A file name from the node's host name (text from the node: only safe characters stay) and the time. */
export function recordingName(snapshot: Snapshot): string {
  const host = snapshot.node.hostname.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.]+/, '_').slice(0, 64);
  const at = snapshot.node.collectedAt.replace(/[-:]/g, '');
  return `procscope-${host}-${at}.json.gz`;
}

function writeRecording(dir: string, snapshot: Snapshot): { name: string; bytes: number } {
  const name = recordingName(snapshot);
  const gz = gzipSync(Buffer.from([...jsonChunks(snapshot, 0)].join('')));
  writeFileAtomically(join(dir, name), gz);
  return { name, bytes: gz.length };
}

/** Removes the oldest recordings until the rest fit in maxBytes (the newest always stays); returns how many went. */
export function enforceBound(dir: string, maxBytes: number): { removed: number; bytes: number; count: number } {
  const files = recordings(dir);
  let bytes = files.reduce((n, f) => n + f.bytes, 0);
  let removed = 0;
  while (bytes > maxBytes && files.length > 1) {
    const oldest = files.shift()!;
    rmSync(join(dir, oldest.name), { force: true });
    bytes -= oldest.bytes;
    removed++;
  }
  return { removed, bytes, count: files.length };
}

export async function record(o: RecordOptions): Promise<RecordResult> {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  checkPrivateEnough(o.dir, 'recording directory');
  const result: RecordResult = { written: 0, failed: 0, removed: 0, bytes: 0 };
  const start = Date.now();
  const end = start + o.forSec * 1000;
  let session: NodeSession | null = null;
  let stop = false;
  void o.stopped.then(() => (stop = true));
  const until = new Date(end).toISOString().replace(/\.\d+Z$/, 'Z');
  try {
    for (let tick = 0; !stop; tick++) {
      const due = start + tick * o.everySec * 1000;
      if (due >= end) break;
      // A collection that took longer than the interval skips the ticks it overran.
      if (Date.now() > due + o.everySec * 1000) continue;
      const wait = due - Date.now();
      if (wait > 0) await Promise.race([new Promise((r) => setTimeout(r, wait)), o.stopped]);
      if (stop) break;
      try {
        if (!session?.isOpen()) {
          session?.close();
          session = await o.open();
        }
        const snapshot = await o.collect(session);
        const written = writeRecording(o.dir, snapshot);
        const bound = enforceBound(o.dir, o.maxBytes);
        result.written++;
        result.removed += bound.removed;
        result.bytes = bound.bytes;
        const next = due + o.everySec * 1000 < end ? `; next in ${formatDuration(Math.max(0, (due + o.everySec * 1000 - Date.now()) / 1000))}` : '';
        o.say(
          `${written.name}: ${snapshot.processes.length} processes, ${formatBytes(written.bytes)}. ${bound.count} recordings, ${formatBytes(bound.bytes)} of ${formatBytes(o.maxBytes)} in ${o.dir}` +
            `${bound.removed ? ` (${bound.removed} oldest removed)` : ''}${next}, until ${until}`,
          true,
        );
      } catch (err) {
        result.failed++;
        const e = toProcscopeError(err);
        o.say(`${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}: no snapshot: ${visibleText(e.message)}${e.hint ? ` ${visibleText(e.hint)}` : ''} Trying again at the next tick.`);
      }
    }
  } finally {
    session?.close();
  }
  return result;
}
