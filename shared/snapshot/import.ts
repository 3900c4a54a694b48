/** readSnapshot: from the text of a file a user opened to a snapshot to browse, or a clear error. */
import { withErrorFields } from './errors';
import { fail } from '../errors';
import { SNAPSHOT_FORMAT, type Snapshot } from './types';
import { MAX_SNAPSHOT_BYTES } from './limits';
import { type SchemaNode, pruneToSchema } from './prune';
import schema from './snapshot.schema.json';
import { schemaErrors } from './validate';

export { MAX_SNAPSHOT_BYTES };

export function tooLarge(bytes: number, name = 'the file'): never {
  fail({
    kind: 'unsupported',
    message: `${name} is ${(bytes / 1024 / 1024).toFixed(0)} MB; procscope opens snapshots of up to ${MAX_SNAPSHOT_BYTES / 1024 / 1024} MB.`,
    hint: 'Export one process tree instead of the whole node, or split the node\'s snapshot.',
  });
}

/** The JSON stopped where the text does: a cut, even when the cut falls just after a "}" or "]". */
function endedEarly(err: Error, text: string): boolean {
  if (/end of (JSON )?input/i.test(err.message)) return true;
  const at = /at position (\d+)/.exec(err.message);
  return at !== null && Number(at[1]) >= text.trimEnd().length;
}

export function readSnapshot(text: string, name = 'the file'): Snapshot {
  if (text.length > MAX_SNAPSHOT_BYTES) tooLarge(text.length, name);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    fail({
      kind: 'parse',
      message: `${name} is not a procscope snapshot: it is not valid JSON (${(err as Error).message}).`,
      hint: text.trim() !== '' && endedEarly(err as Error, text) ? 'It looks cut short: was the download or copy complete?' : undefined,
    });
  }
  const format = (data as { format?: unknown } | null)?.format;
  if (typeof data !== 'object' || data === null || format !== SNAPSHOT_FORMAT) {
    fail({
      kind: 'parse',
      message: `${name} is not a ${SNAPSHOT_FORMAT} snapshot${typeof format === 'string' ? ` (its format is "${format.slice(0, 80)}")` : ''}.`,
      hint: 'Export snapshots with procscope (the app, or "procscope snapshot").',
    });
  }
  const problems = schemaErrors(data);
  if (problems.length > 0) {
    fail({ kind: 'parse', message: `${name} does not follow the ${SNAPSHOT_FORMAT} schema: ${problems.slice(0, 5).join('; ')}.` });
  }
  const snapshot = pruneToSchema(schema as SchemaNode, data) as Snapshot;
  snapshot.errors = [...snapshot.errors.map(withErrorFields), ...consistencyProblems(snapshot)];
  return snapshot;
}

/** What a schema-valid file may still get wrong; reported in `errors` and shown, never trusted silently. */
function consistencyProblems(s: Snapshot): Snapshot['errors'] {
  const problems: Snapshot['errors'] = [];
  const seen = new Set<number>();
  const unique = [];
  for (const p of s.processes) {
    if (seen.has(p.pid)) {
      problems.push({ scope: 'import', message: `pid ${p.pid} appears more than once; the first is shown` });
      continue;
    }
    seen.add(p.pid);
    unique.push(p);
  }
  s.processes = unique;
  for (const sock of s.sockets) {
    const missing = sock.pids.filter((pid) => !seen.has(pid));
    if (missing.length > 0) {
      problems.push({ scope: 'import', message: `socket ${sock.inode} names pid ${missing.join(', ')}, which the snapshot does not list` });
      sock.pids = sock.pids.filter((pid) => seen.has(pid));
    }
  }
  for (const c of s.containers) {
    const missing = c.pids.filter((pid) => !seen.has(pid));
    if (missing.length > 0) problems.push({ scope: 'import', message: `container ${c.id} names pid ${missing.join(', ')}, which the snapshot does not list` });
  }
  return problems;
}
