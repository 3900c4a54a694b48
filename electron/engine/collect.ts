/** collectSnapshot and refreshSnapshot: one round trip to a node each, parsed into a snapshot or a delta. */
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { parseCollectOutput } from '../../shared/collect/frame';
import { type CollectScriptOptions, type LeanRead, buildCollectScript, buildRereadScript, doneMarker, sectionMark } from '../../shared/collect/script';
import { fail } from '../../shared/errors';
import { ParseCache, parseEarly } from '../../shared/snapshot/early-parse';
import { type SnapshotDelta, buildDelta } from '../../shared/snapshot/refresh';
import type { Snapshot } from '../../shared/snapshot/types';
import { type RawReply, UnprovenFraming, assembleOffThread } from './parse-worker';
import { lastBytes } from './persistent-shell';
import type { NodeSession, RunOptions, ScriptResult } from './session';
import { sudoFailure } from './sudo';

export interface CollectOptions extends RunOptions {
  /** read container name sources under this directory of the node instead of / (tests; a node's filesystem mounted elsewhere) */
  namesRoot?: string;
  /** gzip the collector's output on the node (default: the session's compressFull; over SSH but not loopback) */
  compress?: boolean;
  /** parse on this thread (a one-shot CLI), not on the parser thread (the app) */
  inline?: boolean;
  /** a fleet question's read: without the cgroup.procs cross-check and the uts hostnames, and without sockets when not asked (CollectScriptOptions.lean) */
  lean?: LeanRead;
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

/** The most a gzipped reply may inflate to: a gzip bomb from a hostile node stops here. */
export const INFLATED_LIMIT = 512 * 1024 * 1024;

/**
 * The collector's reply as sections: cut at "done", gunzip what follows "\n<mark> gzip\n", and move the
 * trailing "stderr" section (the collector's own errors) to stderr.
 */
export function unwrapReply(result: ScriptResult, nonce: string, inflatedLimit = INFLATED_LIMIT): ScriptResult {
  let stdout = result.stdout;
  const done = stdout.lastIndexOf(Buffer.from(doneMarker(nonce)));
  if (done >= 0) stdout = stdout.subarray(0, done);
  const gz = Buffer.from(`\n${sectionMark(nonce)} gzip\n`);
  const at = stdout.indexOf(gz);
  if (at >= 0) {
    try {
      stdout = gunzipSync(stdout.subarray(at + gz.length), { maxOutputLength: inflatedLimit });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        fail({ kind: 'parse', message: `The collector's compressed reply inflates to more than ${Math.round(inflatedLimit / 1024 / 1024)} MB, the most procscope accepts; it was not read.`, hint: 'A node does not need that much to describe itself: something on it answers in the collector\'s place.' });
      }
      fail({ kind: 'connection', message: `The collector's compressed output was cut short (${(err as Error).message}).`, hint: 'The connection may have dropped; try again.' });
    }
  }
  const errMark = Buffer.from(`\n${sectionMark(nonce)} stderr\n`);
  const e = stdout.lastIndexOf(errMark);
  if (e < 0) return { ...result, stdout };
  return { ...result, stdout: stdout.subarray(0, e), stderr: result.stderr + stdout.subarray(e + errMark.length).toString('utf8') };
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
  if (!has('begin')) {
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
  if (has('noproc')) {
    const said = parseCollectOutput(result.stdout, '', nonce).noProc;
    fail({ kind: 'unsupported', message: `${session.target} has no readable /proc (it says it is ${said || 'an unknown system'}).`, hint: 'procscope reads Linux nodes only.' });
  }
  if (has('tmpfull')) {
    const dir = parseCollectOutput(result.stdout, '', nonce).tmpFull || 'the temporary directory';
    fail({ kind: 'permission-denied', message: `${dir} on ${session.target} is full: the collector could not write its reply there.`, hint: `Free space in ${dir} on the node (or point TMPDIR at a directory with room) and try again.` });
  }
  if (has('notmp')) fail({ kind: 'permission-denied', message: `${session.target} has no writable temporary directory for the collector (tried $TMPDIR, /tmp, /dev/shm).` });
  if (!has('end')) {
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

const EARLY_PARSE_MAX_BYTES = 8 * 1024 * 1024;

const sha256 = (raw: Buffer) => createHash('sha256').update(raw).digest('base64');

/**
 * Parses the process files of a plain (not gzipped) reply as soon as they are all in, on this thread, while the
 * node walks its links: the runner's onChunk, and the cache the assembly takes its parses from.
 */
export function earlyParser(): { onChunk(chunk: Buffer): void; start(nonce: string): void; cache(): ParseCache | undefined } {
  const chunks: Buffer[] = [];
  let needle: Buffer | null = null;
  let mark = '';
  let tail: Buffer = Buffer.alloc(0);
  let length = 0;
  let cache: ParseCache | undefined;
  return {
    start(nonce) {
      mark = sectionMark(nonce);
      needle = Buffer.from(`\n${mark} links\n`);
    },
    onChunk(chunk) {
      if (!needle || cache) return;
      chunks.push(chunk);
      length += chunk.length;
      // The mark in this chunk, or across its start: only the few bytes around the seam are copied.
      const found = chunk.indexOf(needle) >= 0 || Buffer.concat([tail, chunk.subarray(0, needle.length)]).indexOf(needle) >= 0;
      tail = lastBytes(tail, chunk, needle.length);
      if (!found) return;
      cache = new ParseCache();
      // Past a few MB (some 4,000 processes) the early parse holds up the reading of the rest and its hashing
      // costs more than it saves: measured at 10,000 processes, 3.68 s with it, 3.54 s without.
      if (length <= EARLY_PARSE_MAX_BYTES) {
        const prefix = Buffer.concat(chunks);
        setImmediate(() => (cache = parseEarly(prefix, mark, sha256)));
      }
      chunks.length = 0;
    },
    cache: () => cache,
  };
}

export async function collectSnapshot(session: NodeSession, options: CollectOptions = {}): Promise<Snapshot> {
  const compress = options.compress ?? session.compressFull ?? session.target !== 'local';
  const early = options.inline && !compress ? earlyParser() : null;
  const run = await runCollector(session, { ...(options.namesRoot ? { namesRoot: options.namesRoot } : {}), compress, ...(options.lean ? { lean: options.lean } : {}) }, { ...options, ...(early ? { onChunk: early.onChunk } : {}) }, early?.start);
  const reply = { stdout: run.reply.stdout, stderr: run.reply.stderr, nonce: run.nonce };
  const meta = { target: session.target, collectedAt: run.collectedAt, durationMs: run.durationMs, viaSudo: options.sudo ?? false, namesRoot: options.namesRoot ?? '' };
  const inline = options.inline ?? false;
  try {
    return await assembleOffThread(reply, undefined, meta, inline, early?.cache());
  } catch (err) {
    if (!(err instanceof UnprovenFraming)) throw err;
    return assembleOffThread(reply, await reread(session, run, err.paths, options), meta, inline, early?.cache());
  }
}

export interface RefreshOptions extends RunOptions {
  /** pids whose fd tables to re-read (an open detail view) */
  detailPids?: number[];
  compress?: boolean;
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
  return buildDelta(prev, output, { collectedAt: run.collectedAt, durationMs: run.durationMs, detailPids });
}
