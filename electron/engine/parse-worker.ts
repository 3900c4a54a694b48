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
import type { Snapshot } from '../../shared/snapshot/types';

interface Job {
  stdout: Uint8Array;
  stderr: string;
  nonce: string;
  meta: Omit<SnapshotMeta, 'collectedAt'> & { collectedAt: string };
}

function parse(job: Job): Snapshot {
  const out = parseCollectOutput(Buffer.from(job.stdout.buffer, job.stdout.byteOffset, job.stdout.byteLength), job.stderr, job.nonce);
  const ostype = out.files.get('/proc/sys/kernel/ostype')?.toString('latin1').trim();
  if (ostype !== undefined && ostype !== 'Linux') fail({ kind: 'unsupported', message: `${job.meta.target} is ${ostype}, not Linux.`, hint: 'procscope reads Linux nodes only.' });
  return assembleSnapshot(out, { ...job.meta, collectedAt: new Date(job.meta.collectedAt) });
}

if (!isMainThread && parentPort && (workerData as { procscopeParser?: boolean } | null)?.procscopeParser) {
  parentPort.on('message', (job: Job) => {
    try {
      parentPort!.postMessage({ ok: true, snapshot: parse(job) });
    } catch (err) {
      parentPort!.postMessage({ ok: false, error: toProcscopeError(err) });
    }
  });
}

let worker: Worker | null = null;
const canUseWorker = __filename.endsWith('.js') && existsSync(__filename);

/** Parses on a worker thread when running compiled, inline otherwise; the result is the same snapshot. */
export function assembleOffThread(stdout: Buffer, stderr: string, nonce: string, meta: SnapshotMeta): Promise<Snapshot> {
  const job: Job = { stdout, stderr, nonce, meta: { ...meta, collectedAt: meta.collectedAt.toISOString() } };
  if (!canUseWorker) return Promise.resolve(parse(job));
  if (!worker) {
    worker = new Worker(__filename, { workerData: { procscopeParser: true } });
    worker.unref();
  }
  const w = worker;
  // Referenced while a job runs, so the process waits for it; unreferenced between jobs, so it can exit.
  w.ref();
  return new Promise<Snapshot>((resolve, reject) => {
    const onMessage = (msg: { ok: boolean; snapshot?: Snapshot; error?: ProcscopeError }) => {
      w.off('error', onError);
      w.unref();
      if (msg.ok) resolve(msg.snapshot!);
      else reject(new ProcscopeFailure(msg.error!));
    };
    const onError = (err: Error) => {
      w.off('message', onMessage);
      w.unref();
      worker = null;
      reject(new ProcscopeFailure({ kind: 'parse', message: `The parser thread failed: ${err.message}` }));
    };
    w.once('message', onMessage);
    w.once('error', onError);
    w.postMessage(job);
  });
}
