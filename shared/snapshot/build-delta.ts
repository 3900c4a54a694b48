/**
 * A refresh's delta, made on the node's side of the app (the main process, the CLI): what the compact stat lines and
 * the new processes' files say changed since `prev`. The renderer applies it (refresh.ts, applyDelta).
 */
import type { CollectOutput } from '../collect/frame';
import { assembleProcesses, collectFds, fdTableError } from './assemble';
import { cpuPercentOf } from './derive';
import { nodeError } from './errors';
import { type ProcessUpdate, type SnapshotDelta, numbersMoved } from './refresh';
import type { Snapshot, SnapshotError } from './types';
import { fail, internalFailure } from '../errors';

export interface DeltaMeta {
  collectedAt: Date;
  durationMs: number;
  detailPids: number[];
  /** every process's numbers, moved or not: the delta is for a reader whose base is not `prev` */
  dense?: boolean;
}

export function buildDelta(prev: Snapshot, fresh: CollectOutput, meta: DeltaMeta): SnapshotDelta {
  // A refresh does not ask the node again for what cannot change while it runs.
  const bootTimeSec = prev.node.bootTime ? Date.parse(prev.node.bootTime) / 1000 : null;
  const out = { ...fresh, clockTicks: prev.node.clockTicks ?? fresh.clockTicks, pageSize: prev.node.pageSize ?? fresh.pageSize, bootTimeSec: fresh.bootTimeSec ?? bootTimeSec };
  const stats = out.compactStats;
  if (out.compactStatsCut) {
    fail({ kind: 'parse', message: 'The process list of this refresh stopped before its end, so it cannot tell which processes exited; nothing was changed.', hint: 'The next refresh tries again.' });
  }
  if (!stats) internalFailure('not a refresh: the output has no compact stat section');
  const errors: SnapshotError[] = out.otherErrors.map((line) => nodeError('collector', line));
  const users = new Map(prev.processes.filter((p) => p.user != null).map((p) => [p.uid, p.user!]));
  const { processes: added } = assembleProcesses(out, users, errors);
  const addedPids = new Set(added.map((p) => p.pid));
  const clk = prev.node.clockTicks ?? out.clockTicks;
  const dt = out.uptimeSec !== null && prev.node.uptimeSec != null ? out.uptimeSec - prev.node.uptimeSec : 0;
  const pageKb = out.pageSize / 1024;
  const updated: ProcessUpdate[] = [];
  const removed: number[] = [];
  for (const p of prev.processes) {
    const s = stats.get(p.pid);
    // Gone, or a new process that reuses the pid: it is read in full next time.
    if (!s || (p.startTicks != null && s.startTicks !== p.startTicks)) {
      removed.push(p.pid);
      continue;
    }
    const cpuPercent = p.cpuTicks !== undefined ? cpuPercentOf(s.cpuTicks - p.cpuTicks, clk, dt, s.threads) : null;
    const update: ProcessUpdate = {
      pid: p.pid,
      state: s.state,
      ppid: s.ppid,
      cpuTicks: s.cpuTicks,
      cpuPercent,
      threads: Math.max(1, s.threads),
      rssKb: p.rssKb === null ? null : Math.round(s.rssPages * pageKb),
      ...(s.nice !== undefined ? { nice: s.nice, priority: s.priority, virtKb: Math.round(s.vsizeBytes! / 1024) } : {}),
    };
    // At 10,000 mostly idle processes, a tick of every process's numbers was a megabyte to send and parse.
    if (meta.dense || numbersMoved(p, update)) updated.push(update);
  }
  const linked = collectFds(out);
  const fds = meta.detailPids
    .filter((pid) => !addedPids.has(pid) && stats.has(pid))
    .map((pid) => {
      const fdError = fdTableError(pid, out);
      return fdError ? { pid, fds: null, fdError } : { pid, fds: linked.get(pid) ?? [] };
    });
  return { collectedAt: meta.collectedAt.toISOString(), durationMs: meta.durationMs, uptimeSec: out.uptimeSec, ...(out.loadavg ? { load: out.loadavg } : {}), overview: out.overview, updated, added, removed, fds, errors };
}
