/**
 * Parsing and assembling a full snapshot off the main thread: at thousands of processes it takes long enough
 * to stall the Electron main process. Compiled, this file is also the worker's entry; from TypeScript sources
 * (the tests) the same functions run inline. A reply's bytes go to the thread that parses it as they arrive
 * (StreamedParse), so its sections are prepared while the node still reads (reply-stream.ts).
 */
import { existsSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { parseCollectOutput } from '../../shared/collect/frame';
import { type ProcscopeError, ProcscopeFailure, fail, toProcscopeError } from '../../shared/errors';
import { type SnapshotMeta, assembleSnapshot } from '../../shared/snapshot/assemble';
import type { SectionPreparer } from '../../shared/snapshot/early-parse';
import { ReplyStream } from './reply-stream';
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
  /** the id of the StreamedParse that took this reply's bytes as they came */
  stream?: number;
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A reply with process files whose head framing failed its proof: the caller reads `paths` again and parses once more. */
export class UnprovenFraming extends ProcscopeFailure {
  constructor(readonly paths: string[]) {
    super({ kind: 'parse', message: `${paths.length} process files came back in a framing that could not be proven` });
    this.name = 'UnprovenFraming';
  }
}

function parse(job: Job, early?: SectionPreparer): Snapshot {
  const reread = job.reread && parseCollectOutput(asBuffer(job.reread.stdout), job.reread.stderr, job.reread.nonce);
  const out = parseCollectOutput(asBuffer(job.reply.stdout), job.reply.stderr, job.reply.nonce, reread, early?.prepared);
  // A first read shows what it could prove; the full read reads the rest again. Without stat and status there is
  // no process to show.
  const unprovenInFirst: PendingPart[] = job.firstRead ? out.unproven.flatMap((kind): PendingPart[] => (kind === 'cgroup' ? ['cgroups'] : kind === 'cmdline' ? ['cmdline'] : [])) : [];
  if (out.unprovenPaths.length > 0 && !(job.firstRead && unprovenInFirst.length === out.unproven.length)) throw new UnprovenFraming(out.unprovenPaths);
  const ostype = out.files.get('/proc/sys/kernel/ostype')?.toString('latin1').trim();
  if (ostype !== undefined && ostype !== 'Linux') fail({ kind: 'unsupported', message: `${job.meta.target} is ${ostype}, not Linux.`, hint: 'procscope reads Linux nodes only.' });
  const snapshot = assembleSnapshot(out, { ...job.meta, collectedAt: new Date(job.meta.collectedAt) }, early?.cache);
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

/** The streams open on this thread, by id. */
const streams = new Map<number, ReplyStream>();

/**
 * What a stream has prepared: for a first read, the sections closed so far (the rest still comes); for a whole
 * reply, every section, once the last has been inflated and split.
 */
async function preparedFor(job: Job): Promise<SectionPreparer | undefined> {
  const stream = job.stream === undefined ? undefined : streams.get(job.stream);
  if (!stream) return undefined;
  return job.firstRead ? stream.preparer : stream.finish();
}

async function answer(id: number, job: Job): Promise<Reply> {
  try {
    return { id, ok: true, snapshot: parse(job, await preparedFor(job)) };
  } catch (err) {
    return err instanceof UnprovenFraming ? { id, ok: false, unproven: err.paths } : { id, ok: false, error: toProcscopeError(err) };
  }
}

type Message = { kind: 'job'; id: number; job: Job } | { kind: 'open'; stream: number; nonce: string } | { kind: 'chunk'; stream: number; chunk: Uint8Array } | { kind: 'drop'; stream: number };

function onMessage(message: Message, reply: (r: Reply) => void): void {
  switch (message.kind) {
    case 'open':
      streams.set(message.stream, new ReplyStream(message.nonce));
      return;
    case 'chunk':
      streams.get(message.stream)?.push(asBuffer(message.chunk));
      return;
    case 'drop':
      streams.delete(message.stream);
      return;
    case 'job':
      void answer(message.id, message.job).then(reply);
  }
}

if (!isMainThread && parentPort && (workerData as { procscopeParser?: boolean } | null)?.procscopeParser) {
  parentPort.on('message', (message: Message) => onMessage(message, (r) => parentPort!.postMessage(r)));
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

const onThread = (inline: boolean) => inline || !canUseWorker;

/** Posts to the parser thread, started on first need. */
function post(message: Message, transfer: ArrayBuffer[] = []): void {
  worker ??= startWorker();
  worker.postMessage(message, transfer);
}

let nextStream = 1;

/** A reply's bytes handed to the thread that will parse it, as they arrive (ReplyStream there). */
export interface StreamedParse {
  push(chunk: Buffer): void;
  /** the reply is parsed, or will not be: let the stream go */
  drop(): void;
  readonly id: number;
}

export function streamParse(nonce: string, inline = false): StreamedParse {
  const id = nextStream++;
  if (onThread(inline)) {
    const stream = new ReplyStream(nonce);
    streams.set(id, stream);
    return { id, push: (chunk) => stream.push(chunk), drop: () => streams.delete(id) };
  }
  post({ kind: 'open', stream: id, nonce });
  return {
    id,
    push: (chunk) => {
      // A copy, moved: a chunk may share its memory with others, and its slice of the pool is not ours to move.
      const copy = new Uint8Array(chunk);
      post({ kind: 'chunk', stream: id, chunk: copy }, [copy.buffer]);
    },
    drop: () => post({ kind: 'drop', stream: id }),
  };
}

/**
 * Parses on a worker thread when running compiled, inline otherwise or when asked (`inline`: a one-shot CLI has
 * nothing else to keep responsive, and saves the thread's start and the copy of the result); the same snapshot.
 * With `stream` (made with the same `inline`), what it prepared while the reply came is used. Rejects with
 * UnprovenFraming when some process files must be read again (given back as `reread`).
 */
export function assembleOffThread(reply: RawReply, reread: RawReply | undefined, meta: SnapshotMeta, inline = false, stream?: StreamedParse, firstRead = false): Promise<Snapshot> {
  const job: Job = { reply, reread, meta: { ...meta, collectedAt: meta.collectedAt.toISOString() }, ...(firstRead ? { firstRead } : {}), ...(stream ? { stream: stream.id } : {}) };
  if (onThread(inline)) {
    return preparedFor(job).then((early) => parse(job, early));
  }
  worker ??= startWorker();
  const w = worker;
  const id = nextId++;
  w.ref();
  return new Promise<Snapshot>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.postMessage({ kind: 'job', id, job } satisfies Message);
  });
}
