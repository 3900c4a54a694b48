/**
 * The node at a glance over time: a ring of samples of a live tab's node (CPU share, memory in use, load), one per
 * refresh, for the header's graphs; and a process's CPU share and RSS over the tab's history.
 */
import type { Snapshot } from '../../shared/snapshot/types';
import type { Moment } from './history';

export interface NodeSample {
  /** the node's collectedAt, in ms */
  at: number;
  cpu: number | null;
  memUsedKb: number | null;
  load: number | null;
}

/** ten minutes at the default refresh of 2 s */
export const NODE_SAMPLES = 300;

export function sampleOf(snapshot: Snapshot): NodeSample {
  const n = snapshot.node;
  return {
    at: Date.parse(n.collectedAt),
    cpu: n.cpuPercent ?? null,
    memUsedKb: n.memory ? n.memory.totalKb - n.memory.availableKb : null,
    load: n.load?.one ?? null,
  };
}

/** The ring with the snapshot's sample added (a new array), unless it is the same reading as the last. */
export function addSample(samples: readonly NodeSample[], snapshot: Snapshot): NodeSample[] {
  const s = sampleOf(snapshot);
  if (samples.length && samples[samples.length - 1]!.at >= s.at) return samples as NodeSample[];
  return [...samples, s].slice(-NODE_SAMPLES);
}

export interface ProcessPoint {
  at: number;
  cpu: number | null;
  rssKb: number | null;
}

/** A process's graph covers the last ten minutes of history: its walk runs at every refresh while the detail is open. */
export const PROCESS_MOMENTS = 60;

/** One process (pid and start time: the same process, not a reused pid) over the last moments of a tab's history, and now. */
export function processSeries(history: readonly Moment[], now: Snapshot, pid: number, startTicks: number | null | undefined): ProcessPoint[] {
  const points: ProcessPoint[] = [];
  for (const snapshot of [...history.slice(-PROCESS_MOMENTS).map((m) => m.snapshot), now]) {
    const p = snapshot.processes.find((x) => x.pid === pid);
    if (!p || (startTicks != null && p.startTicks != null && p.startTicks !== startTicks)) continue;
    const at = Date.parse(snapshot.node.collectedAt);
    if (points.length && points[points.length - 1]!.at >= at) continue;
    points.push({ at, cpu: p.cpuPercent ?? null, rssKb: p.rssKb ?? null });
  }
  return points;
}

/** "3 d 4 h", "5 h 12 min", "7 min" */
export function formatUptime(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min`;
}
