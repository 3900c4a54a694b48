/** Reads a snapshot file as a user names it: plain JSON, or gzipped (procscope record writes .json.gz). */
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ProcscopeFailure } from '../../shared/errors';
import { MAX_SNAPSHOT_BYTES, readSnapshot, tooLarge } from '../../shared/snapshot/import';
import type { Snapshot } from '../../shared/snapshot/types';

/** `name` is what messages call it (the app shows the file's base name). */
export function readSnapshotFile(path: string, name = path): Snapshot {
  let bytes: Buffer;
  try {
    if (statSync(path).size > MAX_SNAPSHOT_BYTES) tooLarge(statSync(path).size, name);
    bytes = readFileSync(path);
  } catch (err) {
    if (err instanceof ProcscopeFailure) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ProcscopeFailure({ kind: code === 'EACCES' ? 'permission-denied' : 'not-found', message: `Cannot read ${name}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}.` });
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_SNAPSHOT_BYTES });
    } catch (err) {
      throw new ProcscopeFailure({ kind: 'parse', message: `${name} is gzipped but does not inflate: ${(err as Error).message}.`, hint: 'Was it cut short?' });
    }
  }
  return readSnapshot(bytes.toString('utf8'), name);
}
