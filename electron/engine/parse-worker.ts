/**
 * Parsing and assembling a full snapshot off the main thread: at thousands of processes it takes long enough
 * to stall the Electron main process. Compiled, this file is also the worker's entry; from TypeScript sources
 * (the tests) the same functions run inline.
 */
import { existsSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { parseCollectOutput } from '../../shared/collect/frame';
import { type ProcscopeError, ProcscopeFailure, fail, toProcscopeError } from '../../shared/errors';
import { type SnapshotMeta, assembleSnapshot } from '../../shared/snapshot/assemble';
import type { ParseCache } from '../../shared/snapshot/early-parse';
import { PENDING_AFTER_FIRST_READ, type PendingPart, type Snapshot } from '../../shared/snapshot/types';

/** A collector's reply as it came: its stdout, stderr and the nonce of its framing. */
export interface RawReply {
  stdout: Uint8Array;
  stderr: string;
  nonce: string;
}

interface Job {
  reply: RawReply;
  /** the reread of process files whose framing was not proven */
  reread?: RawReply | undefined;
  meta: Omit<SnapshotMeta, 'collectedAt'> & { collectedAt: string };
  /** a full read's first read: what it leaves for the rest is named in node.pending */
  firstRead?: boolean;
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A reply with process files whose head framing failed its proof: the caller reads `paths` again and parses once more. */
export class UnprovenFraming extends Error {
  constructor(readonly paths: string[]) {
    super(`${paths.length} process files came back in a framing that could not be proven`);
    this.name = 'UnprovenFraming';
  }
}

function parse(job: Job, cache?: ParseCache): Snapshot {
  const reread = job.reread && parseCollectOutput(asBuffer(job.reread.stdout), job.reread.stderr, job.reread.nonce);
  const out = parseCollectOutput(asBuffer(job.reply.stdout), job.reply.stderr, job.reply.nonce, reread);
  // A first read shows what it could prove; the full read reads the rest again. Without stat and status there is
  // no process to show.
  const unprovenInFirst: PendingPart[] = job.firstRead ? out.unproven.flatMap((kind): PendingPart[] => (kind === 'cgroup' ? ['cgroups'] : kind === 'cmdline' ? ['cmdline'] : [])) : [];
  if (out.unprovenPaths.length > 0 && !(job.firstRead && unprovenInFirst.length === out.unproven.length)) throw new UnprovenFraming(out.unprovenPaths);
  const ostype = out.files.get('/proc/sys/kernel/ostype')?.toString('latin1').trim();
  if (ostype !== undefined && ostype !== 'Linux') fail({ kind: 'unsupported', message: `${job.meta.target} is ${ostype}, not Linux.`, hint: 'procscope reads Linux nodes only.' });
  const snapshot = assembleSnapshot(out, { ...job.meta, collectedAt: new Date(job.meta.collectedAt) }, cache);
  if (job.firstRead) snapshot.node.pending = [...PENDING_AFTER_FIRST_READ, ...unprovenInFirst];
  return snapshot;
}

interface Reply {
  id: number;
  ok: boolean;
  snapshot?: Snapshot;
  error?: ProcscopeError;
  /** the files to read again (UnprovenFraming) */
  unproven?: string[];
}

if (!isMainThread && parentPort && (workerData as { procscopeParser?: boolean } | null)?.procscopeParser) {
  parentPort.on('message', ({ id, job }: { id: number; job: Job }) => {
    let reply: Reply;
    try {
      reply = { id, ok: true, snapshot: parse(job) };
    } catch (err) {
      reply = err instanceof UnprovenFraming ? { id, ok: false, unproven: err.paths } : { id, ok: false, error: toProcscopeError(err) };
    }
    parentPort!.postMessage(reply);
  });
}

interface Waiting {
  resolve(snapshot: Snapshot): void;
  reject(err: Error): void;
}

let worker: Worker | null = null;
let nextId = 1;
/** Jobs sent and not yet answered, by id: the worker answers each job with its own id, in any order. */
const waiting = new Map<number, Waiting>();
const canUseWorker = __filename.endsWith('.js') && existsSync(__filename);

function startWorker(): Worker {
  const w = new Worker(__filename, { workerData: { procscopeParser: true } });
  w.unref();
  w.on('message', (reply: Reply) => {
    const job = waiting.get(reply.id);
    if (!job) return;
    waiting.delete(reply.id);
    // Referenced while a job runs, so the process waits for it; unreferenced between jobs, so it can exit.
    if (waiting.size === 0) w.unref();
    if (reply.ok) job.resolve(reply.snapshot!);
    else job.reject(reply.unproven ? new UnprovenFraming(reply.unproven) : new ProcscopeFailure(reply.error!));
  });
  w.on('error', (err) => {
    if (worker === w) worker = null;
    const failed = [...waiting.values()];
    waiting.clear();
    for (const job of failed) job.reject(new ProcscopeFailure({ kind: 'internal', message: `The parser thread failed: ${err.message}` }));
  });
  return w;
}

/**
 * Parses on a worker thread when running compiled, inline otherwise or when asked (`inline`: a one-shot CLI has
 * nothing else to keep responsive, and saves the thread's start and the copy of the result); the same snapshot.
 * Rejects with UnprovenFraming when some process files must be read again (given back as `reread`).
 */
export function assembleOffThread(reply: RawReply, reread: RawReply | undefined, meta: SnapshotMeta, inline = false, cache?: ParseCache, firstRead = false): Promise<Snapshot> {
  const job: Job = { reply, reread, meta: { ...meta, collectedAt: meta.collectedAt.toISOString() }, ...(firstRead ? { firstRead } : {}) };
  if (inline || !canUseWorker) {
    try {
      return Promise.resolve(parse(job, cache));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  worker ??= startWorker();
  const w = worker;
  const id = nextId++;
  w.ref();
  return new Promise<Snapshot>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, job });
  });
}
