/** collectSnapshot and refreshSnapshot: one round trip to a node each, parsed into a snapshot or a delta. */
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { parseCollectOutput, splitSections, subsections } from '../../shared/collect/frame';
import { SECTION, SUB, VERSION_LINE, doneMarker, sectionMark } from '../../shared/collect/protocol';
import { type CollectScriptOptions, type LeanRead, buildCollectScript, buildRereadScript, buildUnixDiagScript } from '../../shared/collect/script';
import { applyUnixDiag, unixDiagAsks } from '../../shared/snapshot/ambiguous-unix';
import { fail } from '../../shared/errors';
import { type ProcessFile, unreadFiles } from '../../shared/collect/files';
import { buildDelta } from '../../shared/snapshot/build-delta';
import type { SnapshotDelta } from '../../shared/snapshot/refresh';
import type { Snapshot } from '../../shared/snapshot/types';
import type { SnapshotMeta } from '../../shared/snapshot/assemble';
import { type RawReply, type StreamedParse, UnprovenFraming, assembleOffThread, streamParse } from './parse-worker';
import { lastBytes } from './persistent-shell';
import { INFLATED_LIMIT } from './run-limits';
import type { NodeSession, RunOptions, ScriptResult } from './session';
import { sudoFailure } from './sudo';

export interface CollectOptions extends RunOptions {
  /** read container name sources under this directory of the node instead of / (tests; a node's filesystem mounted elsewhere) */
  namesRoot?: string;
  /** gzip the collector's output on the node (default: the session's compressFull; over SSH but not loopback) */
  compress?: boolean;
  /** parse on this thread (a one-shot CLI), not on the parser thread (the app) */
  inline?: boolean;
  /** the optional process files to read (shared/collect/files.ts OPTIONAL_FILES): all when absent */
  optionalFiles?: readonly ProcessFile[];
  /** a fleet question's read: without the cgroup.procs cross-check and the uts hostnames, and without sockets when not asked (CollectScriptOptions.lean) */
  lean?: LeanRead;
  /**
   * Called with the first read (processes, overview, users: node.pending names what is still coming) as soon as
   * it is in, while the node reads the rest; never after the full snapshot is returned.
   */
  onFirstRead?: (snapshot: Snapshot) => void;
  /** Called when the first read's bytes are all in, before they are parsed (the bench's split of its time). */
  onFirstReadArrived?: () => void;
}

export interface CollectorRun {
  /** the reply, unwrapped, to parse */
  reply: ScriptResult;
  nonce: string;
  collectedAt: Date;
  durationMs: number;
  /** bytes received from the node */
  bytes: number;
}

function firstLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(0, n).join(' / ');
}

/**
 * The collector's reply as sections: cut at "done", each gzip member (after a "\n<mark> gzip\n") inflated in
 * place, and the trailing "stderr" section (the collector's own errors) moved to stderr.
 */
export function unwrapReply(result: ScriptResult, nonce: string, inflatedLimit = INFLATED_LIMIT): ScriptResult {
  let stdout = result.stdout;
  const done = stdout.lastIndexOf(Buffer.from(doneMarker(nonce)));
  if (done >= 0) stdout = stdout.subarray(0, done);
  stdout = inflateMembers(stdout, nonce, inflatedLimit);
  const errMark = Buffer.from(`\n${sectionMark(nonce)} ${SECTION.stderr}\n`);
  const e = stdout.lastIndexOf(errMark);
  if (e < 0) return { ...result, stdout };
  return { ...result, stdout: stdout.subarray(0, e), stderr: result.stderr + stdout.subarray(e + errMark.length).toString('utf8') };
}

/** The reply with each gzip member inflated: what stands before the first member is plain. */
export function inflateMembers(stdout: Buffer, nonce: string, inflatedLimit = INFLATED_LIMIT): Buffer {
  const gz = Buffer.from(`\n${sectionMark(nonce)} ${SECTION.gzip}\n`);
  let at = stdout.indexOf(gz);
  if (at < 0) return stdout;
  const pieces: Buffer[] = [stdout.subarray(0, at)];
  let inflated = 0;
  while (at >= 0) {
    const start = at + gz.length;
    const next = stdout.indexOf(gz, start);
    const piece = inflate(stdout.subarray(start, next < 0 ? stdout.length : next), inflatedLimit - inflated, inflatedLimit);
    inflated += piece.length;
    pieces.push(piece);
    at = next;
  }
  return Buffer.concat(pieces);
}

function inflate(member: Buffer, room: number, inflatedLimit: number): Buffer {
  const tooLarge = () =>
    fail({ kind: 'parse', message: `The collector's compressed reply inflates to more than ${Math.round(inflatedLimit / 1024 / 1024)} MB, the most procscope accepts; it was not read.`, hint: 'A node does not need that much to describe itself: something on it answers in the collector\'s place.' });
  if (room <= 0) tooLarge();
  try {
    return gunzipSync(member, { maxOutputLength: room });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) tooLarge();
    fail({ kind: 'connection', message: `The collector's compressed output was cut short (${(err as Error).message}).`, hint: 'The connection may have dropped; try again.' });
  }
}

/** Runs the collector and checks that its reply is whole and from a Linux node; the parsing is the caller's. */
export async function runCollector(session: NodeSession, script: CollectScriptOptions, options: RunOptions = {}, onNonce?: (nonce: string) => void): Promise<CollectorRun> {
  const nonce = randomBytes(16).toString('hex');
  onNonce?.(nonce);
  const started = performance.now();
  const collectedAt = new Date();
  const raw = await session.runScript(buildCollectScript(nonce, script), { ...options, endMarker: Buffer.from(doneMarker(nonce)) });
  const result = unwrapReply(raw, nonce);
  const has = (section: string) => result.stdout.indexOf(Buffer.from(`\n${sectionMark(nonce)} ${section}\n`)) >= 0;
  if (!has(SECTION.begin)) {
    const sudoRefused = options.sudo ? sudoFailure(session.target, result.stderr) : null;
    if (sudoRefused) fail(sudoRefused);
    if (!session.isOpen() || (result.code === null && result.stderr.trim() === '')) {
      fail({ kind: 'connection', message: `The connection to ${session.target} was lost during the collection.`, hint: 'It reconnects on the next refresh; check the node and the network if it keeps failing.' });
    }
    if (result.code === 127) fail({ kind: 'unsupported', message: `${session.target} has no /bin/sh to run the collector.` });
    fail({
      kind: 'parse',
      message: `${session.target} ran the collector but it printed nothing procscope can read (exit ${result.code})${result.stderr.trim() ? `: ${firstLines(result.stderr)}` : ''}.`,
      hint: 'Is the login shell a POSIX system with /bin/sh? Does a forced command (authorized_keys command=) replace ours?',
    });
  }
  if (has(SECTION.noProc)) {
    const said = parseCollectOutput(result.stdout, '', nonce).noProc;
    fail({ kind: 'unsupported', message: `${session.target} has no readable /proc (it says it is ${said || 'an unknown system'}).`, hint: 'procscope reads Linux nodes only.' });
  }
  if (has(SECTION.tmpFull)) {
    const dir = parseCollectOutput(result.stdout, '', nonce).tmpFull || 'the temporary directory';
    fail({ kind: 'permission-denied', message: `${dir} on ${session.target} is full: the collector could not write its reply there.`, hint: `Free space in ${dir} on the node (or point TMPDIR at a directory with room) and try again.` });
  }
  const begin = Buffer.from(`\n${sectionMark(nonce)} ${SECTION.begin}\n`);
  const version = result.stdout.toString('latin1', result.stdout.indexOf(begin) + begin.length, result.stdout.indexOf(begin) + begin.length + 100).split('\n')[0];
  if (version !== VERSION_LINE) {
    fail({ kind: 'parse', message: `${session.target} answered with a collector of another version (${JSON.stringify(version ?? '')}, this procscope reads ${JSON.stringify(VERSION_LINE)}).`, hint: 'Something on the node answers in the collector\'s place, or two procscope versions share a shell.' });
  }
  if (has(SECTION.noTmp)) fail({ kind: 'permission-denied', message: `${session.target} has no writable temporary directory for the collector (tried $TMPDIR, /tmp, /dev/shm).` });
  if (!has(SECTION.end)) {
    fail({ kind: 'connection', message: `The collection on ${session.target} stopped before its end (exit ${result.code})${result.stderr.trim() ? `: ${firstLines(result.stderr)}` : ''}.`, hint: 'The connection may have dropped; try again.' });
  }
  return { reply: result, nonce, collectedAt, durationMs: Math.round(performance.now() - started), bytes: raw.stdout.length };
}

/**
 * The process files whose head framing failed its proof (a forged header in an argv, a head without -v), read
 * again with the nonce framing. Its bytes count on from the first run's: a byte count never goes back.
 */
async function reread(session: NodeSession, run: CollectorRun, paths: string[], options: RunOptions): Promise<RawReply> {
  const nonce = randomBytes(16).toString('hex');
  const { onProgress, onChunk: _onChunk, ...rest } = options;
  const raw = await session.runScript(buildRereadScript(nonce, paths), { ...rest, endMarker: Buffer.from(doneMarker(nonce)), ...(onProgress ? { onProgress: (b: number) => onProgress(run.bytes + b) } : {}) });
  const reply = unwrapReply(raw, nonce);
  return { stdout: reply.stdout, stderr: reply.stderr, nonce };
}

/** Counts the occurrences of `needle` in a stream, however it is chunked; copies at most a needle's length per chunk. */
function needleCounter(needle: Buffer): (chunk: Buffer) => number {
  let tail: Buffer = Buffer.alloc(0);
  let count = 0;
  return (chunk) => {
    // The tail is shorter than the needle, so no occurrence is counted twice.
    const seam = tail.length > 0 ? Buffer.concat([tail, chunk.subarray(0, needle.length - 1)]) : Buffer.alloc(0);
    for (let at = seam.indexOf(needle); at >= 0; at = seam.indexOf(needle, at + 1)) if (at < tail.length) count++;
    for (let at = chunk.indexOf(needle); at >= 0; at = chunk.indexOf(needle, at + 1)) count++;
    tail = lastBytes(tail, chunk, needle.length - 1);
    return count;
  };
}

/**
 * Watches a full read's reply as it arrives for the end of its first read (SECTION.firstReadEnd; with gzip, the start
 * of the second member) and hands over the reply up to there, inflated, once.
 */
export function firstReadWatcher(onFirstRead: (prefix: Buffer, nonce: string) => void): { start(nonce: string): void; onChunk(chunk: Buffer): void } {
  const chunks: Buffer[] = [];
  let nonce = '';
  let plain: (chunk: Buffer) => number = () => 0;
  let gzip: (chunk: Buffer) => number = () => 0;
  let gz = Buffer.alloc(0);
  let done = false;
  return {
    start(n) {
      nonce = n;
      plain = needleCounter(Buffer.from(`\n${sectionMark(n)} ${SECTION.firstReadEnd}\n`));
      gz = Buffer.from(`\n${sectionMark(n)} ${SECTION.gzip}\n`);
      gzip = needleCounter(gz);
    },
    onChunk(chunk) {
      if (done || nonce === '') return;
      chunks.push(chunk);
      const found = plain(chunk) > 0 || gzip(chunk) >= 2;
      if (!found) return;
      done = true;
      let reply: Buffer = Buffer.concat(chunks);
      chunks.length = 0;
      // With gzip: the members before the second mark (the one that opens the rest) are whole.
      const first = reply.indexOf(gz);
      const second = first < 0 ? -1 : reply.indexOf(gz, first + gz.length);
      try {
        if (second >= 0) reply = inflateMembers(reply.subarray(0, second), nonce);
      } catch {
        return;
      }
      const mark = Buffer.from(`\n${sectionMark(nonce)} ${SECTION.firstReadEnd}\n`);
      const end = reply.indexOf(mark);
      if (end >= 0) onFirstRead(reply.subarray(0, end + mark.length), nonce);
    },
  };
}

/**
 * A full read. Its bytes are parsed as they arrive (reply-stream.ts, on the thread that will assemble it); with
 * `onFirstRead`, its first read is assembled and handed over while the rest still arrives.
 */
export async function collectSnapshot(session: NodeSession, options: CollectOptions = {}): Promise<Snapshot> {
  const compress = options.compress ?? session.compressFull ?? session.target !== 'local';
  const inline = options.inline ?? false;
  let finished = false;
  const started = Date.now();
  // A fleet question (lean) never looks at the optional files.
  const optionalFiles = options.optionalFiles ?? (options.lean ? [] : undefined);
  const unread = unreadFiles(optionalFiles);
  const meta = (durationMs: number, collectedAt: Date) => ({ target: session.target, collectedAt, durationMs, viaSudo: options.sudo ?? false, namesRoot: options.namesRoot ?? '', ...(unread.length ? { unreadFiles: unread } : {}) });
  const { onFirstRead } = options;
  const firstRead =
    onFirstRead || options.onFirstReadArrived
      ? (prefix: Buffer, nonce: string, stream: StreamedParse | undefined) => {
          options.onFirstReadArrived?.();
          if (!onFirstRead) return;
          assembleOffThread({ stdout: prefix, stderr: '', nonce }, undefined, meta(Date.now() - started, new Date(started)), inline, stream, true).then(
            (snapshot) => {
              if (!finished) onFirstRead(snapshot);
            },
            // A first read that cannot be shown (framing to prove again) is not shown: the full read follows.
            () => {},
          );
        }
      : undefined;
  try {
    const script = { ...(options.namesRoot ? { namesRoot: options.namesRoot } : {}), compress, ...(options.lean ? { lean: options.lean } : {}), ...(optionalFiles ? { optionalFiles } : {}) };
    return await collectStreamed(session, script, options, (run) => meta(run.durationMs, run.collectedAt), firstRead);
  } finally {
    finished = true;
  }
}

/** The first read alone (`procscope ps`): processes, the overview and the users, with no fds, sockets or namespaces; parsed as it arrives. */
export function collectFirstRead(session: NodeSession, options: CollectOptions = {}): Promise<Snapshot> {
  const compress = options.compress ?? session.compressFull ?? session.target !== 'local';
  return collectStreamed(session, { compress, firstOnly: true }, options, (run) => ({ target: session.target, collectedAt: run.collectedAt, durationMs: run.durationMs, viaSudo: options.sudo ?? false }));
}

/**
 * Runs the collector with its reply parsed as it arrives, and assembles the snapshot. `onFirstRead` is given a full
 * read's first read (its bytes, inflated) once they are in, with the stream that parses them.
 */
async function collectStreamed(
  session: NodeSession,
  script: CollectScriptOptions,
  options: CollectOptions,
  meta: (run: CollectorRun) => SnapshotMeta,
  onFirstRead?: (prefix: Buffer, nonce: string, stream: StreamedParse | undefined) => void,
): Promise<Snapshot> {
  let stream: StreamedParse | undefined;
  const watcher = onFirstRead ? firstReadWatcher((prefix, nonce) => onFirstRead(prefix, nonce, stream)) : null;
  const onNonce = (nonce: string) => {
    stream = streamParse(nonce, options.inline ?? false);
    watcher?.start(nonce);
  };
  const onChunk = (chunk: Buffer) => {
    stream?.push(chunk);
    watcher?.onChunk(chunk);
    options.onChunk?.(chunk);
  };
  try {
    const run = await runCollector(session, script, { ...options, onChunk }, onNonce);
    return await assembleRun(session, run, meta(run), options, stream);
  } finally {
    stream?.drop();
  }
}

/**
 * A run's snapshot; the process files whose framing could not be proven are read again first, and unix sockets
 * whose rows were forged in both /proc/net/unix and ss are asked of netlink after.
 */
async function assembleRun(session: NodeSession, run: CollectorRun, meta: SnapshotMeta, options: CollectOptions, stream?: StreamedParse): Promise<Snapshot> {
  const reply = { stdout: run.reply.stdout, stderr: run.reply.stderr, nonce: run.nonce };
  const inline = options.inline ?? false;
  let snapshot: Snapshot;
  try {
    snapshot = await assembleOffThread(reply, undefined, meta, inline, stream);
  } catch (err) {
    if (!(err instanceof UnprovenFraming)) throw err;
    snapshot = await assembleOffThread(reply, await reread(session, run, err.paths, options), meta, inline, stream);
  }
  await nameAmbiguousUnixSockets(session, snapshot, options);
  return snapshot;
}

/** The ambiguous unix sockets of a snapshot named from netlink (buildUnixDiagScript), in place; nothing runs when none is. */
async function nameAmbiguousUnixSockets(session: NodeSession, snapshot: Snapshot, options: RunOptions): Promise<void> {
  const asks = unixDiagAsks(snapshot);
  if (asks.length === 0) return;
  const nonce = randomBytes(16).toString('hex');
  const { onProgress: _onProgress, onChunk: _onChunk, ...rest } = options;
  const reply = unwrapReply(await session.runScript(buildUnixDiagScript(nonce, asks), { ...rest, endMarker: Buffer.from(doneMarker(nonce)) }), nonce);
  const sections = splitSections(reply.stdout, sectionMark(nonce));
  const byPid = new Map(subsections(sections.get(SECTION.unixDiag), Buffer.from(`\n${sectionMark(nonce)}${SUB.ss} `)).map(([pid, text]) => [Number(pid), text.toString('latin1')]));
  const stderr = reply.stderr.trim().split('\n')[0];
  applyUnixDiag(snapshot, asks, {
    byPid,
    ...(sections.has(SECTION.noPython) ? { notAsked: 'python3 is not on the node, so netlink could not be asked' } : {}),
    ...(stderr ? { stderr } : {}),
  });
}

export interface RefreshOptions extends RunOptions {
  /** pids whose fd tables to re-read (an open detail view) */
  detailPids?: number[];
  compress?: boolean;
  /** every process's numbers in the delta, moved or not (DeltaMeta.dense) */
  dense?: boolean;
}

/** What changed since `prev`: every process's state, CPU, RSS and threads; new processes in full; exited ones. */
export async function refreshSnapshot(session: NodeSession, prev: Snapshot, options: RefreshOptions = {}): Promise<SnapshotDelta> {
  const detailPids = options.detailPids ?? [];
  const run = await runCollector(session, { refresh: { knownPids: prev.processes.map((p) => p.pid), detailPids }, compress: options.compress ?? session.target !== 'local' }, options);
  let output = parseCollectOutput(run.reply.stdout, run.reply.stderr, run.nonce);
  if (output.unprovenPaths.length > 0) {
    const again = await reread(session, run, output.unprovenPaths, options);
    output = parseCollectOutput(run.reply.stdout, run.reply.stderr, run.nonce, parseCollectOutput(Buffer.from(again.stdout), again.stderr, again.nonce));
  }
  return buildDelta(prev, output, { collectedAt: run.collectedAt, durationMs: run.durationMs, detailPids, dense: options.dense ?? false });
}
