/**
 * One question asked of a node's snapshot: which processes hold port N (listening or connected, any network
 * namespace), run a name, command line or binary, belong to a container or pod, or run as a user. Conditions
 * combine with AND; each match says what matched.
 */
import type { LeanRead } from '../collect/script';
import { splitEndpoint } from '../export/formats';
import type { Snapshot, SnapshotContainer, SnapshotProcess, SnapshotSocket } from '../snapshot/types';

export interface FleetQuery {
  port?: number;
  name?: RegExp;
  cmdline?: RegExp;
  exe?: string;
  /** a container id prefix, or its name */
  container?: string;
  /** a pod uid, name, or namespace/name */
  pod?: string;
  /** a user name or uid */
  user?: string;
}

export interface ProcessMatch {
  pid: number;
  name: string;
  user: string | null;
  cmdline: string[];
  containerId: string | null;
  container: string | null;
  pod: string | null;
  /** its state letter (ps's S): Z is a zombie, which has exited and holds nothing but its pid */
  state: string;
  /** what matched, in words: "tcp 0.0.0.0:6443 LISTEN", "container web-1" */
  matched: string[];
}

/** What a node must read to answer: the network and fd tables only for a question about a port. */
export function leanReadFor(q: FleetQuery): LeanRead {
  return { sockets: q.port !== undefined };
}

/**
 * Whether the first read alone answers the question (processes by name, command line or user; or a node's state
 * alone): what a process holds, its exe and its container's name need the rest.
 */
export function firstReadAnswers(q: FleetQuery): boolean {
  return q.port === undefined && q.exe === undefined && q.container === undefined && q.pod === undefined;
}

export function isEmptyQuery(q: FleetQuery): boolean {
  return Object.values(q).every((v) => v === undefined);
}

const portOf = (endpoint: string) => splitEndpoint(endpoint).port;

function podName(c: SnapshotContainer | undefined): string | null {
  return c?.podName ? `${c.podNamespace ? `${c.podNamespace}/` : ''}${c.podName}` : null;
}

export function matchSnapshot(snapshot: Snapshot, q: FleetQuery): ProcessMatch[] {
  const containers = new Map(snapshot.containers.map((c) => [c.id, c]));
  const socketsByPid = new Map<number, SnapshotSocket[]>();
  if (q.port !== undefined) {
    for (const s of snapshot.sockets) {
      if (s.proto === 'unix' || (portOf(s.local) !== q.port && portOf(s.remote) !== q.port)) continue;
      for (const pid of s.pids) (socketsByPid.get(pid) ?? socketsByPid.set(pid, []).get(pid)!).push(s);
    }
  }
  const matches: ProcessMatch[] = [];
  for (const p of snapshot.processes) {
    if (p.collector) continue;
    const why = explain(p, q, containers, socketsByPid);
    if (!why) continue;
    const c = p.containerId ? containers.get(p.containerId) : undefined;
    matches.push({ pid: p.pid, name: p.name, user: p.user ?? null, cmdline: p.cmdline, containerId: p.containerId, container: c?.name ?? null, pod: podName(c), state: p.state, matched: why });
  }
  return matches;
}

/** What of `q` the process matches, or null when it misses a condition. */
function explain(p: SnapshotProcess, q: FleetQuery, containers: Map<string, SnapshotContainer>, socketsByPid: Map<number, SnapshotSocket[]>): string[] | null {
  const why: string[] = [];
  if (q.port !== undefined) {
    const held = socketsByPid.get(p.pid);
    if (!held) return null;
    why.push(...held.map((s) => `${s.proto} ${s.local}${s.remote && portOf(s.remote) ? ` → ${s.remote}` : ''} ${s.state}`));
  }
  if (q.name && !q.name.test(p.name)) return null;
  if (q.name) why.push(`name ${p.name}`);
  if (q.cmdline) {
    const line = p.cmdline.join(' ');
    if (!q.cmdline.test(line)) return null;
    why.push(`cmdline ${line}`);
  }
  if (q.exe !== undefined) {
    if (p.exe !== q.exe && p.exe !== `${q.exe} (deleted)`) return null;
    why.push(`exe ${p.exe}`);
  }
  const c = p.containerId ? containers.get(p.containerId) : undefined;
  if (q.container !== undefined) {
    if (!c || !(c.id.startsWith(q.container.toLowerCase()) || c.name === q.container)) return null;
    why.push(`container ${c.name ?? c.id.slice(0, 12)}`);
  }
  if (q.pod !== undefined) {
    if (!c || !(c.podUid === q.pod || c.podName === q.pod || podName(c) === q.pod)) return null;
    why.push(`pod ${podName(c)}`);
  }
  if (q.user !== undefined) {
    if (p.user !== q.user && String(p.uid) !== q.user) return null;
    why.push(`user ${p.user ?? p.uid}`);
  }
  return why;
}
